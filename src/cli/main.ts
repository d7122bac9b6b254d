/**
 * `vellum` command line: serve, manage users, render a file locally. Every command reads the
 * same configuration (DATA_DIR and friends) as the server.
 */
import { parseArgs } from 'node:util'
import { pathToFileURL } from 'node:url'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { loadConfig, ConfigError } from '../config/load-config.js'
import { generateApiKey, keyRecord } from '../auth/api-keys.js'
import { AppError } from '../errors/catalogue.js'

// The container (database, HTTP stack) is imported only by the commands that use it: `serve`
// forks its first render worker before loading it, so the worker's boot overlaps the API's.

const USAGE = `Usage:
  vellum serve                                   start the HTTP server (config from the environment)
  vellum migrate                                 bring the store's schema up to date (DATABASE_URL, else
                                                 DATA_DIR/vellum.db) and exit; serve does it at boot too
  vellum migrate --from <old DATA_DIR>           copy an embedded installation (users, usage, templates,
                                                 images) into an empty DATABASE_URL, image bytes into
                                                 STORAGE_URL if set; API keys are re-sealed with this
                                                 environment's secret
  vellum storage sweep [--grace-minutes N]       delete bucket objects no live image names (left by a crash
                                                 or a failed delete), older than N minutes (default 60)
  vellum users add <user_id> [--key K] [--limit N]
                                                 create a user; prints {"user_id","api_key"} as JSON
  vellum users list                              list users as JSON lines (can_sign: false until rotate-key
                                                 for keys issued before signed URLs)
  vellum users set-limit <user_id> <N>           set the monthly render limit
  vellum users revoke <user_id>                  revoke the user's API key
  vellum users rotate-key <user_id> [--key K]    issue a new API key (the old one stops working, for
                                                 Basic auth and signed URLs); prints it as JSON
  vellum render <file.html> [--css f.css] [--out f.png] [--width W --height H] [--scale S] [--selector S]
                                                 render locally, without a server`

const USER_ID = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/

class UsageError extends Error {}

function int(name: string, value: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} must be an integer between ${min} and ${max}`)
  return n
}

async function users(args: string[]): Promise<void> {
  const [sub, ...rest] = args
  const config = loadConfig()
  const { openData } = await import('../container.js')
  const { store, users, vault } = await openData(config)
  try {
    switch (sub) {
      case 'add': {
        const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { key: { type: 'string' }, limit: { type: 'string' } } })
        const id = positionals[0]
        if (!id || !USER_ID.test(id)) throw new UsageError('user_id must be 1-128 characters: letters, digits, . _ @ -')
        if (values.key !== undefined && values.key.length < 8) throw new UsageError('--key must be at least 8 characters')
        if (await users.find(id)) throw new UsageError(`user ${id} already exists`)
        const key = values.key ?? generateApiKey()
        const limit = int('--limit', values.limit, 0) ?? config.defaults.userLimit
        await users.create({ id, ...keyRecord(vault, id, key), monthlyLimit: limit, now: Date.now() })
        process.stdout.write(`${JSON.stringify({ user_id: id, api_key: key, monthly_limit: limit })}\n`)
        return
      }
      case 'list':
        for (const u of await users.list()) {
          process.stdout.write(
            `${JSON.stringify({ user_id: u.id, monthly_limit: u.monthlyLimit, revoked: u.revokedAt !== null, can_sign: u.canSign, created_at: new Date(u.createdAt).toISOString() })}\n`,
          )
        }
        return
      case 'set-limit': {
        const [id, n] = rest
        const limit = int('N', n, 0)
        if (!id || limit === undefined) throw new UsageError('usage: vellum users set-limit <user_id> <N>')
        if (!(await users.setLimit(id, limit))) throw new UsageError(`no user ${id}`)
        process.stdout.write(`${JSON.stringify({ user_id: id, monthly_limit: limit })}\n`)
        return
      }
      case 'revoke': {
        const [id] = rest
        if (!id) throw new UsageError('usage: vellum users revoke <user_id>')
        if (!(await users.revoke(id, Date.now())) && !(await users.find(id))) throw new UsageError(`no user ${id}`)
        process.stdout.write(`${JSON.stringify({ user_id: id, revoked: true })}\n`)
        return
      }
      case 'rotate-key': {
        const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { key: { type: 'string' } } })
        const id = positionals[0]
        if (!id) throw new UsageError('usage: vellum users rotate-key <user_id> [--key K]')
        if (values.key !== undefined && values.key.length < 8) throw new UsageError('--key must be at least 8 characters')
        const key = values.key ?? generateApiKey()
        if (!(await users.setKey(id, keyRecord(vault, id, key)))) throw new UsageError(`no user ${id}`)
        process.stdout.write(`${JSON.stringify({ user_id: id, api_key: key })}\n`)
        return
      }
      default:
        throw new UsageError(USAGE)
    }
  } finally {
    await store.close()
  }
}

async function migrate(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { from: { type: 'string' } } })
  if (values.from !== undefined) return importEmbedded(values.from)
  const config = loadConfig()
  const { openStore } = await import('../container.js')
  const store = await openStore(config)
  await store.close()
  process.stdout.write(`${JSON.stringify({ store: store.kind, location: store.location, migrated: true })}\n`)
}

/** Deletes the bucket's orphans (see ObjectBackedImages.sweep). */
async function storage(args: string[]): Promise<void> {
  const [sub, ...rest] = args
  const { values } = parseArgs({ args: rest, options: { 'grace-minutes': { type: 'string' } } })
  if (sub !== 'sweep') throw new UsageError('usage: vellum storage sweep [--grace-minutes N]')
  const grace = int('--grace-minutes', values['grace-minutes'], 0) ?? 60
  const config = loadConfig()
  if (!config.storage) throw new UsageError('storage sweep needs STORAGE_URL: without a bucket, image bytes live in the database')
  const { openStore } = await import('../container.js')
  const { ObjectBackedImages } = await import('../store/objects/object-images.js')
  const store = await openStore(config)
  try {
    if (!(store.images instanceof ObjectBackedImages)) throw new UsageError('storage sweep needs STORAGE_URL')
    const swept = await store.images.sweep(Date.now(), grace * 60_000)
    process.stdout.write(`${JSON.stringify({ location: store.location, ...swept })}\n`)
  } finally {
    await store.close()
  }
}

/**
 * Moves the embedded installation at `from` (a DATA_DIR, or its vellum.db) into DATABASE_URL (and
 * its image bytes into STORAGE_URL's bucket, if set). API keys are re-sealed from the old
 * installation's secret (its secret.key, else VELLUM_SOURCE_SECRET) to this environment's.
 */
async function importEmbedded(from: string): Promise<void> {
  const config = loadConfig()
  if (!config.database.url) throw new UsageError('migrate --from copies into PostgreSQL: set DATABASE_URL to the target database')
  const file = statSync(from, { throwIfNoEntry: false })?.isDirectory() ? join(from, 'vellum.db') : from
  if (!existsSync(file)) throw new UsageError(`no embedded database at ${file}`)
  const fromDir = dirname(file)
  const oldSecret = existsSync(join(fromDir, 'secret.key')) ? undefined : config.sourceSecret
  if (!existsSync(join(fromDir, 'secret.key')) && !oldSecret) {
    throw new UsageError(`${fromDir} has no secret.key: set VELLUM_SOURCE_SECRET to the VELLUM_SECRET that installation ran with`)
  }
  const [{ loadKeyVault, checkVault }, { openDatabase }, { openSqliteStore }, { importSqlite }, { openStore }] = await Promise.all([
    import('../auth/key-vault.js'),
    import('../store/sqlite/database.js'),
    import('../store/sqlite/sqlite-store.js'),
    import('../store/postgres/import-sqlite.js'),
    import('../container.js'),
  ])
  const oldVault = loadKeyVault(fromDir, oldSecret)
  const embedded = openSqliteStore(file)
  try {
    await checkVault(oldVault, embedded.users, file)
  } finally {
    await embedded.close()
  }
  const newVault = loadKeyVault(config.dataDir, config.secret)
  // Opening the target migrates it and checks the bucket; its vault check binds it to the new secret.
  const target = await openStore(config)
  let counts
  try {
    await checkVault(newVault, target.users, target.location)
    const source = openDatabase(file)
    try {
      const objects = config.storage ? new (await import('../store/objects/s3-objects.js')).S3Objects(config.storage) : undefined
      try {
        counts = await importSqlite({
          source,
          url: config.database.url,
          objects,
          reseal: (userId, sealed) => {
            const key = sealed ? oldVault.open(userId, sealed) : undefined
            return key === undefined ? null : newVault.seal(userId, key)
          },
        })
      } finally {
        objects?.close()
      }
    } finally {
      source.close()
    }
  } finally {
    await target.close()
  }
  process.stdout.write(`${JSON.stringify({ from: file, to: target.location, ...counts })}\n`)
}

async function render(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      css: { type: 'string' },
      out: { type: 'string' },
      width: { type: 'string' },
      height: { type: 'string' },
      scale: { type: 'string' },
      selector: { type: 'string' },
      transparent: { type: 'boolean' },
    },
  })
  const file = positionals[0]
  if (!file) throw new UsageError('usage: vellum render <file.html> [--css f.css] [--out f.png] [--width W --height H] [--scale S]')
  const config = loadConfig()
  const scale = values.scale === undefined ? 1 : Number(values.scale)
  if (!(scale >= 0.1 && scale <= 3)) throw new UsageError('--scale must be a number between 0.1 and 3')
  const [{ createRenderer }, { renderLimits }] = await Promise.all([import('../render/pipeline.js'), import('../container.js')])
  const result = await createRenderer().render({
    params: {
      html: readFileSync(file, 'utf8'),
      css: values.css ? readFileSync(values.css, 'utf8') : '',
      googleFonts: [],
      selector: values.selector,
      deviceScale: scale,
      viewportWidth: int('--width', values.width, 1, 6000),
      viewportHeight: int('--height', values.height, 1, 6000),
      transparentBackground: values.transparent ?? false,
      disableTwemoji: false,
    },
    limits: renderLimits(config),
    fonts: [],
    images: {},
  })
  const out = values.out ?? file.replace(/\.html?$/i, '') + '.png'
  writeFileSync(out, result.png)
  process.stdout.write(`${JSON.stringify({ out, width: result.width, height: result.height, bytes: result.png.byteLength, warnings: result.warnings })}\n`)
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  try {
    switch (command) {
      case 'serve': {
        const { serve } = await import('../server.js')
        await serve()
        return -1 // keeps running
      }
      case 'users':
        await users(rest)
        return 0
      case 'migrate':
        await migrate(rest)
        return 0
      case 'storage':
        await storage(rest)
        return 0
      case 'render':
        await render(rest)
        return 0
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`)
        return command === undefined ? 1 : 0
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}\n${USAGE}`)
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') {
      // A file named on the command line that cannot be read: bad input, said in one line.
      process.stderr.write(`vellum: cannot read ${(err as NodeJS.ErrnoException).path ?? 'the file'} (${code})\n`)
      return 2
    }
    if (err instanceof UsageError || err instanceof ConfigError || err instanceof AppError) {
      process.stderr.write(`vellum: ${err.message}\n`)
      return 2
    }
    if (err instanceof TypeError && (err as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      process.stderr.write(`vellum: ${err.message}\n`)
      return 2
    }
    throw err
  }
}

// Run directly from source (`npx tsx src/cli/main.ts serve`, as the README says); bin/vellum
// imports this module and calls main() itself.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exitCode = code
    },
    (err: unknown) => {
      console.error(err)
      process.exitCode = 1
    },
  )
}
