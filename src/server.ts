/**
 * The process entry of `vellum serve`: load and validate config, build the container and the
 * app, listen, and shut down gracefully (stop accepting, let renders finish, close the pool and
 * the database) on SIGTERM/SIGINT.
 */
import { ConfigError, loadConfig } from './config/load-config.js'
import { createRenderPool } from './render/pool/render-pool.js'
import { memorySummary } from './config/memory-plan.js'

/** The longest the API's deferred start-up work waits for the first renders to finish once a worker is warm. */
const QUIET_WAIT_MS = 1000

export async function serve(): Promise<void> {
  const config = loadConfig()
  // Render workers take longest to become ready (satori, fonts): they boot while the HTTP stack
  // loads, which is why the rest is imported only after they are spawned.
  const pool = createRenderPool(config.render)
  const [{ default: pino }, { createContainer }, { buildApp }] = await Promise.all([
    import('pino'),
    import('./container.js'),
    import('./app.js'),
  ])
  const log = pino({ level: config.logLevel, redact: ['req.headers.authorization'] })
  log.info({ memory: config.memory, render: config.render }, `memory plan: ${memorySummary(config)}`)
  if (config.memory.tooSmall) {
    log.warn(
      `the memory limit (${config.memory.limitMb} MiB) is below what the render workers need at their peak: ` +
        'expect 422 RENDER_OVER_BUDGET for larger pages, or give the container at least 256 MiB',
    )
  }
  const container = await createContainer(config, log, pool)
  const app = await buildApp(container, { loggerInstance: log })
  try {
    await app.listen({ port: config.port, host: config.host })
  } catch (err) {
    await app.close()
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      throw new ConfigError([`PORT: cannot listen on ${config.host}:${config.port} (${code})`])
    }
    throw err
  }
  // Listening first: the first render worker still boots, and a request that comes meanwhile
  // waits for it anyway. The rest of the API's start waits for that worker and its first renders
  // (on two cores it took CPU from them); /readyz answers ready only once it is done.
  pool
    .whenQuiet(QUIET_WAIT_MS)
    .then(() => container.warmUp())
    .catch((err: unknown) => log.error({ err }, 'loading undici and sharp failed: remote images and JPEG/WebP will fail'))
  const users = await container.users.list()
  if (users.length === 0) {
    log.warn('no users yet: create one with `npx vellum users add <user_id>` (prints its API key)')
  }
  // Keys issued before they were kept sealed cannot sign URLs; say so once, with the fix.
  const unsigned = users.filter((u) => !u.canSign && u.revokedAt === null).map((u) => u.id)
  if (unsigned.length > 0) {
    log.warn({ users: unsigned.slice(0, 20), count: unsigned.length }, 'these users cannot sign URLs until `npx vellum users rotate-key <user_id>` gives them a new key')
  }

  // A stop however it is signalled: SIGTERM to this process (`docker stop` when it is PID 1, or
  // forwarded by npm: `npm start` execs node so npm's child is this process), SIGINT/SIGTERM to
  // the whole process group (Ctrl-C, systemd), where the render workers, each in a group of its
  // own, are not hit. Requests in flight finish; new ones get 503 on open connections and a
  // refused connection otherwise; the process exits 0 once drained, or 1 after
  // SHUTDOWN_TIMEOUT_MS whatever is left.
  let closing = false
  let cutOff = false
  const shutdown = (signal: string) => {
    if (closing) return
    closing = true
    log.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'shutting down: draining requests in flight')
    const deadline = setTimeout(() => {
      // Stopping the workers fails the renders still running (their clients get an error
      // answer), which lets the close finish; the exit code says the drain was cut short.
      cutOff = true
      log.error({ timeoutMs: config.shutdownTimeoutMs }, 'requests still in flight at SHUTDOWN_TIMEOUT_MS: stopping them')
      pool.close().catch(() => undefined)
      setTimeout(() => process.exit(1), 2000).unref()
    }, config.shutdownTimeoutMs)
    deadline.unref()
    app.close().then(
      () => {
        log.info('stopped')
        process.exit(cutOff ? 1 : 0)
      },
      (err: unknown) => {
        log.error({ err }, 'error while shutting down')
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))
}
