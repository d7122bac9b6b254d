/**
 * The process entry of `vellum serve`: load and validate config, build the container and the
 * app, listen, and shut down gracefully (stop accepting, let renders finish, close the pool and
 * the database) on SIGTERM/SIGINT.
 */
import { ConfigError, loadConfig } from './config/load-config.js'
import { createRenderPool } from './render/pool/render-pool.js'

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
  const container = createContainer(config, log, pool)
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
  if (container.users.list().length === 0) {
    log.warn('no users yet: create one with `npx vellum users add <user_id>` (prints its API key)')
  }

  let closing = false
  const shutdown = async (signal: string) => {
    if (closing) return
    closing = true
    log.info({ signal }, 'shutting down')
    setTimeout(() => process.exit(1), config.render.timeoutMs * 2).unref()
    await app.close()
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}
