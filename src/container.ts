/**
 * The composition root: builds every long-lived part once, in dependency order, from its slice
 * of the config, and hands each its dependencies explicitly. Nothing else reaches for a global.
 */
import { join, resolve } from 'node:path'
import type { Config } from './config/schema.js'
import { ConfigError } from './config/load-config.js'
import type { Store, UsageStore, UserStore } from './store/port.js'
import { openSqliteStore } from './store/sqlite/sqlite-store.js'
import { checkVault, loadKeyVault, type KeyVault } from './auth/key-vault.js'
import { createFontFetchers, GoogleFonts, type Logger } from './fonts/google-fonts.js'
import { createRenderPool, type RenderRunner } from './render/pool/render-pool.js'
import { RenderService } from './render/render-service.js'
import { GuardedFetcher } from './net/guarded-fetch.js'
import { RemoteImages } from './net/remote-images.js'
import { FontFaceLoader } from './fonts/font-face-loader.js'
import { loadFontsDir } from './fonts/operator-fonts.js'
import { ImageService } from './images/image-service.js'
import type { RenderLimits } from './render/job.js'
import { createMetrics, type Metrics } from './observability/metrics.js'
import { TemplateEngine } from './templates/template-engine.js'
import { TemplateService } from './templates/template-service.js'
import { SignedRenders } from './signing/signed-renders.js'
import { MB } from './render/stages/memory-budget.js'
import { loadSharp } from './images/load-sharp.js'

export interface Container {
  config: Config
  store: Store
  users: UserStore
  usage: UsageStore
  images: ImageService
  templates: TemplateService
  signed: SignedRenders
  vault: KeyVault
  pool: RenderRunner
  metrics: Metrics
  /**
   * Loads what requests would otherwise load on the event loop (undici, sharp). The server calls
   * it once listening, while the first render worker is still booting: /readyz waits for it.
   */
  warmUp(): Promise<void>
  /** warmUp() has finished. */
  warmedUp(): boolean
  close(): Promise<void>
}

export function renderLimits(config: Config): RenderLimits {
  const l = config.limits
  return {
    elements: l.elements,
    depth: l.depth,
    outputPixels: l.outputPixels,
    imagePixels: l.imagePixels,
    imagesPerRender: l.imagesPerRender,
    shadowBlurPx: l.shadowBlurPx,
    shadowSpreadPx: l.shadowSpreadPx,
    shadows: l.shadows,
    svgTextChars: l.svgTextChars,
    memoryBudgetBytes: config.render.budgetMb * MB,
  }
}

/**
 * The configured store: SQLite under DATA_DIR unless DATABASE_URL names a PostgreSQL server,
 * with image bytes in the bucket STORAGE_URL names, if any.
 */
/** `commitThread`: SQLite image commits off the event loop (the server's choice; tools commit inline), from store.warmUp() with `deferThread`. */
export interface DatabaseOptions {
  commitThread?: boolean
  deferThread?: boolean
}

export async function openStore(config: Config, options: DatabaseOptions = {}): Promise<Store> {
  const store = await openDatabase(config, options)
  if (!config.storage) return store
  // Loaded only when configured, like the PostgreSQL driver.
  const [{ S3Objects }, { withObjectStorage }] = await Promise.all([import('./store/objects/s3-objects.js'), import('./store/objects/object-images.js')])
  const objects = new S3Objects(config.storage)
  try {
    await objects.ping()
  } catch (err) {
    objects.close()
    await store.close()
    const e = err as Error & { $metadata?: { httpStatusCode?: number } }
    const why = e.$metadata?.httpStatusCode ? `HTTP ${e.$metadata.httpStatusCode} (${e.name})` : e.message || e.name
    throw new ConfigError([`STORAGE_URL: cannot reach ${objects.location}: ${why}`])
  }
  return withObjectStorage(store, objects)
}

async function openDatabase(config: Config, options: DatabaseOptions): Promise<Store> {
  const { url, poolMax } = config.database
  if (url) {
    // Loaded only when configured: an embedded installation never loads the driver.
    const { openPostgresStore, redactUrl } = await import('./store/postgres/postgres-store.js')
    try {
      return await openPostgresStore({ url, poolMax })
    } catch (err) {
      // Unreachable, refused, unknown database: the operator's to fix, said in one line.
      throw new ConfigError([`DATABASE_URL: cannot open ${redactUrl(url)}: ${(err as Error).message}`])
    }
  }
  return openSqliteStore(join(resolve(config.dataDir), 'vellum.db'), options)
}

/** The store and the key vault alone, for the CLI's user commands (no render workers needed). */
export async function openData(config: Config, options: DatabaseOptions = {}): Promise<{ store: Store; users: UserStore; usage: UsageStore; vault: KeyVault }> {
  const store = await openStore(config, options)
  try {
    const vault = loadKeyVault(config.dataDir, config.secret)
    await checkVault(vault, store.users, store.location)
    return { store, users: store.users, usage: store.usage, vault }
  } catch (err) {
    await store.close()
    throw err
  }
}

/** `pool` may be started earlier by the caller (the server boots workers first: they take longest). */
export async function createContainer(config: Config, log: Logger, pool: RenderRunner = createRenderPool(config.render)): Promise<Container> {
  // Before anything opens: a font directory that cannot be read stops the boot, naming its files.
  const operatorFonts = config.fontsDir ? await loadFontsDir(config.fontsDir).catch((err: Error) => Promise.reject(new ConfigError([err.message]))) : []
  // The thread starts with warmUp(), after the first renders: its boot would share the cores with the first worker's.
  const { store, users, usage, vault } = await openData(config, { commitThread: config.memory.commitThread, deferThread: true })
  const metrics = createMetrics({ queueDepth: () => pool.stats().pending })
  pool.observe(metrics)
  const fontFetchers = createFontFetchers(config.googleFonts, config.fetch)
  const googleFonts = new GoogleFonts({ ...config.googleFonts, cacheDir: join(resolve(config.dataDir), 'fonts') }, fontFetchers, log, metrics)
  const fetcher = new GuardedFetcher(config.fetch)
  const remoteImages = new RemoteImages(
    fetcher,
    { cacheBytes: config.fetch.cacheBytes, cacheTtlMs: config.fetch.cacheTtlMs, concurrency: config.fetch.concurrency, pageTimeoutMs: config.fetch.pageTimeoutMs },
    metrics,
  )
  // The page's @font-face files: the remote-image address policy and deadline, the page-font byte cap.
  const faceFetcher = new GuardedFetcher({
    ...config.fetch,
    maxBytes: config.pageFonts.maxFaceBytes,
    accept: '*/*',
    settingNames: { timeoutMs: 'FETCH_TIMEOUT_MS', maxBytes: 'PAGE_FONT_MAX_BYTES' },
  })
  const fontFaces = new FontFaceLoader(
    faceFetcher,
    { ...config.pageFonts, cacheTtlMs: config.fetch.cacheTtlMs, concurrency: config.fetch.concurrency },
    metrics,
  )
  const renderer = new RenderService({ pool, googleFonts, limits: renderLimits(config), images: remoteImages, fontFaces, operatorFonts, metrics })
  const images = new ImageService({
    images: store.images,
    usage,
    renderer,
    cacheBytes: config.cache.imageBytes,
    variants: { outputPixels: config.limits.outputPixels, resizeSide: config.limits.resizeSide, concurrency: config.variants.concurrency },
    defaultDedupeSeconds: config.defaults.dedupeSeconds,
    metrics,
    sharedStore: store.kind !== 'sqlite',
    changeStamp: store.changeStamp,
  })
  const templates = new TemplateService({
    templates: store.templates,
    engine: new TemplateEngine({
      cacheSize: config.templates.cacheSize,
      shape: { nesting: config.templates.nesting, expressions: config.templates.expressions },
      outputBytes: config.limits.htmlBytes,
    }),
    limits: config.templates,
  })
  const signed = new SignedRenders({
    users,
    vault,
    templates,
    images,
    defaults: config.defaults,
    limits: { htmlBytes: config.limits.htmlBytes, cssBytes: config.limits.cssBytes, resizeSide: config.limits.resizeSide },
    cacheBytes: config.cache.signedUrlBytes,
    changeStamp: store.changeStamp,
  })
  let warm = false
  return {
    config,
    store,
    users,
    usage,
    images,
    templates,
    signed,
    vault,
    pool,
    metrics,
    async warmUp() {
      // Importing undici (first remote fetch) or sharp (first variant or image conversion) in the
      // middle of a request held the event loop 170 and 215 ms (measured): every other request,
      // /health included, waited. Loaded once the first render worker is warm and the renders
      // that waited for it are done (server.ts), and before /readyz says ready: before listening
      // they were ~200 ms of the API's start, and while the worker booted they (and the commit
      // thread's boot) took the second core from it, 60-80 ms of the cold start.
      // Under the lean memory plan sharp waits for its first use (memory-plan.ts: preloadImageCodecs).
      store.warmUp?.()
      await Promise.all([fetcher.warm(), fontFetchers.files.warm(), faceFetcher.warm(), config.memory.preloadImageCodecs ? loadSharp() : undefined])
      warm = true
    },
    warmedUp: () => warm,
    async close() {
      await pool.close()
      await fetcher.close()
      await Promise.all([fontFetchers.trusted.close(), fontFetchers.files.close(), faceFetcher.close()])
      await store.close()
    },
  }
}
