/**
 * A real, throwaway PostgreSQL server for tests: Debian's server binaries (`apt-get install
 * postgresql`, done by .ci/run), a cluster initialised in a temporary directory, listening on a
 * free port of 127.0.0.1 only, trust authentication, stopped and removed in teardown (and at
 * process exit, should a test die). Running as root (CI), the server runs as the `postgres`
 * user the package creates, since PostgreSQL refuses to run as root.
 *
 * Absent binaries are an error, never a skip: a suite that passes without its server proves nothing.
 */
import { execFileSync } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string
  /** A URL to a new, empty database on this server. */
  createDatabase(name: string): string
  stop(): void
}

function binDir(): string {
  const explicit = process.env.PG_BIN
  if (explicit && existsSync(join(explicit, 'initdb'))) return explicit
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : []
  versions.sort((a, b) => Number(b) - Number(a))
  if (!versions[0]) {
    throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (or PG_BIN): apt-get install postgresql (.ci/run does)')
  }
  return join(root, versions[0], 'bin')
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = binDir()
  const dir = mkdtempSync(join(tmpdir(), 'vellum-pg-'))
  const data = join(dir, 'data')
  const asRoot = process.getuid?.() === 0
  // As root: the server's files belong to `postgres`, and every server command runs as that user.
  const run = (cmd: string, args: string[]) =>
    asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], { stdio: 'pipe' }) : execFileSync(join(bin, cmd), args, { stdio: 'pipe' })
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim())
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim())
    chownSync(dir, uid, gid)
    chmodSync(dir, 0o700)
  }
  const port = await freePort()
  let running = false
  const stop = () => {
    if (running) {
      running = false
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'])
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true })
  }
  process.once('exit', stop)
  try {
    run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'])
    const opts = [`-p ${port}`, `-k ${dir}`, "-c listen_addresses='127.0.0.1'", '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']
    run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', opts.join(' '), '-w', '-t', '60', 'start'])
    running = true
  } catch (err) {
    const log = existsSync(join(dir, 'server.log')) ? readFileSync(join(dir, 'server.log'), 'utf8') : ''
    stop()
    const out = (err as { stderr?: Buffer }).stderr?.toString() ?? ''
    throw new Error(`could not start PostgreSQL from ${bin}: ${(err as Error).message}\n${out}\n${log}`)
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`
  return {
    url,
    createDatabase(name) {
      run('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', name])
      return `postgres://postgres@127.0.0.1:${port}/${name}`
    },
    stop,
  }
}
