/**
 * The shipped server, started the way the README starts it: `bin/vellum serve` running the
 * esbuild bundle in dist/ (or `npm start`, which execs it), a process of its own on a free
 * port with a fresh DATA_DIR, driven over real HTTP. `npm test` builds dist/ first, so what is
 * tested here is what users run; source-level tests cannot see a bundling bug.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'
import { joinGroup } from '../../bench/lib/cgroup.js'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const BIN = join(ROOT, 'bin', 'vellum')

export interface Served {
  base: string
  /** The process that was started: node (bin/vellum serve) or npm (npm start). */
  child: ChildProcess
  /** The node process that serves (the child itself, or npm's child). */
  serverPid: number
  dataDir: string
  /** The variables it was started with (the CLI uses them to reach the same store). */
  env: Record<string, string>
  /** What the process printed (its log on stdout, stderr). */
  stderr(): string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Creates a user through the CLI and returns its Basic authorization header. */
  addUser(id: string, limit?: number): Promise<string>
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

/** Children of a process, from /proc. */
export function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
    )
  } catch {
    return []
  }
}

/** The render worker processes of a server. */
export function workerPids(serverPid: number): number[] {
  return childPids(serverPid).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('render-worker')
    } catch {
      return false
    }
  })
}

/** `bin/vellum <args>` on `dataDir`, or with the given variables (a server's, to manage its store). */
export function cli(dataDir: string | Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = typeof dataDir === 'string' ? { DATA_DIR: dataDir } : dataDir
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })
    })
  })
}

/**
 * `env` adds to (or, with '', unsets) the test defaults below. `cgroup`: a memory cgroup
 * directory the server (and so every worker it forks) starts in, as in a container.
 */
export async function startServer(t: Test, env: Record<string, string | number> = {}, options: { via?: 'node' | 'npm'; cgroup?: string } = {}): Promise<Served> {
  if (!existsSync(join(ROOT, 'dist', 'vellum.js')) || !existsSync(join(ROOT, 'dist', 'render-worker.cjs'))) {
    throw new Error('dist/ is not built: `npm test` builds it first (npm run build)')
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'vellum-e2e-'))
  const port = await freePort()
  const fullEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    RENDER_WORKERS: '1',
    // Tests never reach the internet: Google Fonts point at a closed port unless a test serves them.
    GOOGLE_FONTS_CSS_URL: 'http://127.0.0.1:9/css2',
    ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])),
  }
  // A process group of its own, so a test can signal the group as a terminal or systemd does.
  const child =
    options.via === 'npm'
      ? spawn('npm', ['start', '--silent'], { cwd: ROOT, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
      : options.cgroup
        ? spawn('/bin/sh', ['-c', joinGroup(options.cgroup), process.execPath, BIN, 'serve'], { cwd: ROOT, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
        : spawn(process.execPath, [BIN, 'serve'], { cwd: ROOT, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  // pino logs to stdout, errors of the process itself go to stderr: both are the server's output.
  let stderr = ''
  child.stdout!.on('data', (d) => (stderr += d))
  child.stderr!.on('data', (d) => (stderr += d))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  t.teardown(async () => {
    for (const pid of [child.pid!, ...collectTree(child.pid!)]) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {}
    }
    rmSync(dataDir, { recursive: true, force: true })
  })
  const base = `http://127.0.0.1:${port}`
  for (let i = 0; ; i++) {
    const up = await fetch(`${base}/health`).then((r) => r.ok, () => false)
    if (up) break
    if (i > 1200 || child.exitCode !== null) throw new Error(`the server did not start: ${stderr}`)
    await new Promise((r) => setTimeout(r, 25))
  }
  // The server loads undici and sharp right after it starts listening (a stall of the event loop
  // by design, before /readyz says so): a test that times the loop starts after it.
  for (let i = 0; ; i++) {
    const loaded = await fetch(`${base}/readyz`).then(async (r) => ((await r.json()) as { checks?: { loaded?: boolean } }).checks?.loaded === true, () => false)
    if (loaded) break
    if (i > 1200 || child.exitCode !== null) throw new Error(`the server did not load its libraries: ${stderr}`)
    await new Promise((r) => setTimeout(r, 25))
  }
  let serverPid = child.pid!
  const startedWith = Object.fromEntries(Object.entries(fullEnv).filter((e): e is [string, string] => e[1] !== undefined))
  if (options.via === 'npm') {
    const node = childPids(child.pid!).find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('vellum'))
    if (!node) throw new Error('npm start did not run node bin/vellum serve')
    serverPid = node
  }
  return {
    base,
    child,
    serverPid,
    dataDir,
    env: startedWith,
    stderr: () => stderr,
    exited,
    async addUser(id, limit = 10_000) {
      const { PATH: _p, HOME: _h, PORT: _port, ...storeEnv } = startedWith
      const added = await cli(storeEnv, 'users', 'add', id, '--limit', String(limit))
      if (added.code !== 0) throw new Error(added.stderr)
      const key = JSON.parse(added.stdout).api_key as string
      return `Basic ${Buffer.from(`${id}:${key}`).toString('base64')}`
    },
  }
}

function collectTree(pid: number): number[] {
  const out: number[] = []
  for (const c of childPids(pid)) out.push(c, ...collectTree(c))
  return out
}

/** POST JSON with Basic auth. */
export function post(base: string, path: string, auth: string, body: unknown): Promise<Response> {
  return fetch(`${base}${path}`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(body) })
}
