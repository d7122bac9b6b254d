/**
 * The container section: the default configuration (no variables but where to listen and keep
 * data) started inside a real memory cgroup (v1; root only) with a limit, then 60 s of unique
 * device-scale 1×/2× renders of the bench cards from four clients. What the kernel saw is read
 * from the group itself: its peak usage (`memory.max_usage_in_bytes`, shared pages counted once),
 * the OOM kills (`memory.oom_control`) and whether the API process survived.
 */
import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Card } from './lib/cards.js'
import { BIN, KEY, createAndFetch, uniqueHtml } from './http.js'
import { joinGroup, makeGroup, oomKills } from './lib/cgroup.js'

export interface ContainerResult {
  limitMb: number
  plan: string
  peakMb: number
  oomKills: number
  done: number
  failed: number
  failures: Record<string, number>
  perSecond: number
  apiAlive: boolean
}

/** Starts `bin/vellum serve` inside the group with only where-to-listen variables; resolves once /health answers. */
export async function serveInGroup(groupDir: string, port: number, extraEnv: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'vellum-container-'))
  // What a user's container would have: no RENDER_*, cache or memory variables.
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', ...extraEnv }
  execFileSync(process.execPath, [BIN, 'users', 'add', 'bench', '--key', KEY, '--limit', '1000000000'], { env })
  // The shell joins the group, then becomes node: the server and every worker it forks are in it.
  const child = spawn('/bin/sh', ['-c', joinGroup(groupDir), process.execPath, BIN, 'serve'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let log = ''
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()))
  const base = `http://127.0.0.1:${port}`
  for (;;) {
    try {
      if ((await fetch(`${base}/health`)).ok) break
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) throw new Error(`the server exited during start:\n${log}`)
    await new Promise((r) => setTimeout(r, 20))
  }
  return {
    base,
    pid: child.pid!,
    auth: `Basic ${Buffer.from(`bench:${KEY}`).toString('base64')}`,
    log: () => log,
    plan: () => /"msg":"memory plan: ([^"]+)"/.exec(log)?.[1] ?? '(no plan logged)',
    alive: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        await new Promise((r) => child.once('exit', r))
      }
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

let port = 4700 + (process.pid % 500)

/** One limit: the default configuration under load in a group of `limitMb`. */
/** `extraEnv`: variables for the server, for probes of other settings (the bench itself sets none). */
export async function containerRun(cards: Card[], limitMb: number, seconds: number, clients = 4, extraEnv: Record<string, string> = {}): Promise<ContainerResult> {
  const group = makeGroup(`vellum-bench-${process.pid}-${limitMb}`, limitMb)
  const server = await serveInGroup(group.dir, ++port, extraEnv)
  // Each card at device scale 1 and 2, unique every time (no dedupe, no cache).
  const mixed = cards.flatMap((c) => [{ ...c, scale: 1 }, { ...c, scale: 2 }])
  let done = 0
  let failed = 0
  const failures: Record<string, number> = {}
  const end = Date.now() + seconds * 1000
  await Promise.all(
    Array.from({ length: clients }, async (_, w) => {
      let i = w
      while (Date.now() < end) {
        const card = mixed[i++ % mixed.length]!
        try {
          await createAndFetch(server, uniqueHtml(card.html), card.scale)
          done++
        } catch (err) {
          failed++
          const key = String((err as Error).message).slice(0, 80)
          failures[key] = (failures[key] ?? 0) + 1
        }
      }
    }),
  )
  const result: ContainerResult = {
    limitMb,
    plan: server.plan(),
    peakMb: Number(group.read('memory.max_usage_in_bytes')) / 1024 / 1024,
    oomKills: oomKills(group.read('memory.oom_control')),
    done,
    failed,
    failures,
    perSecond: done / seconds,
    apiAlive: server.alive(),
  }
  await server.stop()
  group.remove()
  return result
}
