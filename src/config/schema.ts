/**
 * The one configuration schema of the service. Every variable has a default that works on a
 * laptop and in a 256 MiB container; every size, count and time the service enforces lives
 * here so an operator can find and change it in one place (the README's table is built from
 * the same list).
 */
import { availableParallelism } from 'node:os'
import * as z from 'zod'
import { planMemory } from './memory-plan.js'
import { budgetUnderDataLimit, DEFAULT_BUDGET_MB } from '../render/stages/memory-budget.js'

const MiB = 1024 * 1024

const int = (min: number, max: number, def: number) => {
  const error = `must be an integer between ${min} and ${max}`
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error }).default(def)
}
/** A size the memory plan fills in when the operator leaves it unset (see memory-plan.ts). */
const planned = (min: number, max: number) => {
  const error = `must be an integer between ${min} and ${max}`
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error }).optional()
}
const num = (min: number, max: number, def: number) => {
  const error = `must be a number between ${min} and ${max}`
  return z.coerce.number({ error }).min(min, { error }).max(max, { error }).default(def)
}
const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes')

/** Environment variable → config field. Names are the variables themselves, documented in the README. */
export const envSchema = z.object({
  PORT: int(0, 65535, 3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  // Unset: the embedded SQLite file under DATA_DIR. postgres://…: PostgreSQL (more than one node).
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, { error: 'must be a postgres:// (or postgresql://) URL' })
    .optional(),
  DATABASE_POOL_MAX: int(1, 1000, 10),
  // Unset: image bytes in the database. s3://bucket/prefix: in an S3-protocol bucket.
  STORAGE_URL: z
    .string()
    .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/\S*)?$/, { error: 'must be s3://bucket or s3://bucket/prefix (a valid bucket name)' })
    .optional(),
  STORAGE_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  STORAGE_REGION: z.string().min(1).default('us-east-1'),
  STORAGE_ACCESS_KEY_ID: z.string().min(1).optional(),
  STORAGE_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  STORAGE_TIMEOUT_MS: int(100, 120_000, 10_000),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  // Request limits
  BODY_LIMIT_BYTES: int(1024, 64 * 1024 * 1024, 2 * 1024 * 1024),
  MAX_HTML_BYTES: int(1, 16 * 1024 * 1024, 512 * 1024),
  MAX_CSS_BYTES: int(1, 16 * 1024 * 1024, 128 * 1024),
  MAX_BATCH_SIZE: int(1, 1000, 25),
  MAX_ELEMENTS: int(1, 1_000_000, 5000),
  MAX_DEPTH: int(1, 5000, 200),
  MAX_OUTPUT_PIXELS: int(1, 400_000_000, 36_000_000),
  MAX_RESIZE_SIDE: int(1, 20000, 5000),
  MAX_IMAGE_PIXELS: int(1, 400_000_000, 25_000_000),
  MAX_IMAGES_PER_RENDER: int(0, 1000, 40),
  MAX_SHADOW_BLUR_PX: int(0, 10000, 64),
  MAX_SHADOW_SPREAD_PX: int(0, 10000, 128),
  MAX_SHADOWS: int(0, 100000, 100),
  MAX_SVG_TEXT_CHARS: int(0, 10_000_000, 50_000),
  DEFAULT_DEDUPE_SECONDS: int(0, 31_536_000, 2_592_000),

  // Templates and signed URLs
  MAX_TEMPLATE_HTML_BYTES: int(1, 16 * 1024 * 1024, 128 * 1024),
  MAX_TEMPLATE_CSS_BYTES: int(1, 16 * 1024 * 1024, 128 * 1024),
  MAX_TEMPLATE_VALUES_BYTES: int(2, 16 * 1024 * 1024, 64 * 1024),
  // Handlebars runs on the API's event loop: its parser is worse than linear in nesting, and
  // compiling costs ~30 µs an expression (template-limits.ts).
  MAX_TEMPLATE_NESTING: int(1, 1000, 32),
  MAX_TEMPLATE_EXPRESSIONS: int(1, 100_000, 2000),
  MAX_TEMPLATE_VALUES_DEPTH: int(1, 1000, 32),
  TEMPLATE_CACHE_SIZE: int(1, 1_000_000, 500),
  // Verified signed URLs kept with what they render, by the bytes of that html and css.
  SIGNED_URL_CACHE_BYTES: planned(0, 4 * 1024 * 1024 * 1024),
  // The key that seals API keys at rest (signed URLs need them in clear); unset: DATA_DIR/secret.key.
  VELLUM_SECRET: z.string().min(32, { error: 'must be at least 32 characters' }).optional(),
  // Only for `vellum migrate --from`: the VELLUM_SECRET the embedded installation ran with, if it had no secret.key.
  VELLUM_SOURCE_SECRET: z.string().min(32, { error: 'must be at least 32 characters' }).optional(),

  // Memory: the limit the process tree must fit (MiB). Unset: the cgroup's limit (a container's
  // `-m`), or none. Under a limit, the variables marked "planned" in the README default to what
  // fits it; without one, to the figures the README was measured with.
  MEMORY_LIMIT_MB: planned(64, 1_048_576),

  // Rendering
  RENDER_WORKERS: int(0, 64, 0),
  RENDER_QUEUE_SIZE: int(1, 100000, 64),
  RENDER_TIMEOUT_MS: int(100, 600_000, 15_000),
  // A worker's data segment is about 200 MB after start and reaches about 270 MB rendering the
  // bench cards at device scale 2 (measured): at 256, legitimate renders died in their worker.
  RENDER_MEMORY_MB: planned(0, 1_000_000).refine((v) => v === undefined || v === 0 || v >= 320, {
    error: 'must be 0 (no limit) or at least 320: a render worker uses about 270 MB of data segment under load',
  }),
  // What one render may use above a worker's ~200 MB baseline; pages estimated to need more are
  // refused (422) before layout or rasterizing. 0: (RENDER_MEMORY_MB − 200) / 1.5 (1232 without a limit);
  // a value is capped at that when RENDER_MEMORY_MB is set.
  RENDER_BUDGET_MB: int(0, 1_000_000, 0),
  RENDER_IDLE_TIMEOUT_MS: int(0, 86_400_000, 0),
  RENDER_WORKER_HEAP_MB: planned(0, 65536),
  RENDER_FREED_MEMORY_KEEP_MS: planned(0, 60_000),
  RENDER_WORKER_HEAP_GROWTH_PERCENT: planned(0, 1000),
  DEFAULT_USER_LIMIT: int(0, 2_000_000_000, 10_000),

  // Caches and variants (JPEG/WebP/resized images derived on fetch)
  IMAGE_CACHE_BYTES: planned(0, 16 * 1024 * 1024 * 1024),
  VARIANT_CONCURRENCY: int(1, 64, 2),

  // Fonts
  GOOGLE_FONTS_CSS_URL: z.url({ protocol: /^https?$/ }).default('https://fonts.googleapis.com/css2'),
  GOOGLE_FONTS_TIMEOUT_MS: int(100, 120_000, 5000),
  GOOGLE_FONTS_MAX_BYTES: int(1024, 64 * 1024 * 1024, 8 * 1024 * 1024),
  GOOGLE_FONTS_MAX_FAMILIES: int(0, 100, 8),
  // The page's own @font-face files (data: or fetched like remote images): one face's file, all
  // of one page's faces together, and fetched files kept in memory.
  PAGE_FONT_MAX_BYTES: int(1024, 64 * 1024 * 1024, 4 * 1024 * 1024),
  PAGE_FONTS_MAX_BYTES: int(1024, 256 * 1024 * 1024, 8 * 1024 * 1024),
  PAGE_FONT_CACHE_BYTES: planned(0, 4 * 1024 * 1024 * 1024),
  // A directory of TTF/OTF/WOFF/WOFF2 files read at boot; every render can use their families.
  FONTS_DIR: z.string().min(1).optional(),

  // Outbound fetches of remote images
  FETCH_TIMEOUT_MS: int(100, 120_000, 5000),
  FETCH_MAX_BYTES: int(1024, 256 * 1024 * 1024, 10 * 1024 * 1024),
  FETCH_ALLOW_PRIVATE: bool(false),
  FETCH_MAX_REDIRECTS: int(0, 20, 3),
  // Images of one page downloaded at once (a browser opens six connections per host).
  FETCH_CONCURRENCY: int(1, 100, 6),
  // All of one page's images together: FETCH_TIMEOUT_MS bounds each, and 40 images from a host
  // that trickles a byte every 500 ms held one request 35 s, six at a time.
  FETCH_PAGE_TIMEOUT_MS: int(100, 600_000, 10_000),
  FETCH_CACHE_BYTES: planned(0, 4 * 1024 * 1024 * 1024),
  FETCH_CACHE_TTL_MS: int(0, 86_400_000, 600_000),

  // HTTP server
  REQUEST_TIMEOUT_MS: int(1000, 3_600_000, 60_000),
  // GET /metrics (Prometheus): on by default, open unless METRICS_TOKEN is set (then Bearer).
  METRICS: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
  METRICS_TOKEN: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  // How long a stop (SIGTERM/SIGINT) waits for requests in flight before the process exits anyway:
  // under Kubernetes' default 30 s grace period, and longer than a render's deadline.
  SHUTDOWN_TIMEOUT_MS: int(0, 3_600_000, 25_000),
  TRUST_PROXY: bool(false),
  DEVICE_SCALE_DEFAULT: num(0.1, 3, 2),
})

export type Env = z.infer<typeof envSchema>

export interface Config {
  port: number
  host: string
  dataDir: string
  /** PostgreSQL when `url` is set, else SQLite under dataDir. */
  database: { url: string | undefined; poolMax: number }
  /** Where image bytes go when not in the database (S3 protocol); undefined: the database. */
  storage:
    | { url: string; endpoint: string | undefined; region: string; accessKeyId: string | undefined; secretAccessKey: string | undefined; forcePathStyle: boolean; timeoutMs: number }
    | undefined
  publicUrl: string | undefined
  logLevel: Env['LOG_LEVEL']
  trustProxy: boolean
  requestTimeoutMs: number
  shutdownTimeoutMs: number
  metrics: { enabled: boolean; token: string | undefined }
  limits: {
    bodyBytes: number
    htmlBytes: number
    cssBytes: number
    batchSize: number
    elements: number
    depth: number
    outputPixels: number
    resizeSide: number
    imagePixels: number
    imagesPerRender: number
    shadowBlurPx: number
    shadowSpreadPx: number
    shadows: number
    svgTextChars: number
  }
  defaults: {
    dedupeSeconds: number
    userLimit: number
    deviceScale: number
  }
  render: {
    workers: number
    queueSize: number
    timeoutMs: number
    memoryMb: number
    budgetMb: number
    idleTimeoutMs: number
    heapMb: number
    freedMemoryKeepMs: number
    heapGrowthPercent: number
  }
  /** The memory limit the defaults were planned for (see memory-plan.ts). */
  memory: { limitMb: number | undefined; source: 'cgroup' | 'MEMORY_LIMIT_MB' | 'none'; tooSmall: boolean; preloadImageCodecs: boolean; commitThread: boolean }
  cache: { imageBytes: number; signedUrlBytes: number }
  templates: { htmlBytes: number; cssBytes: number; valuesBytes: number; valuesDepth: number; nesting: number; expressions: number; cacheSize: number }
  secret: string | undefined
  /** `vellum migrate --from`: the old installation's VELLUM_SECRET (VELLUM_SOURCE_SECRET). */
  sourceSecret: string | undefined
  variants: { concurrency: number }
  googleFonts: { cssUrl: string; timeoutMs: number; maxBytes: number; maxFamilies: number }
  /** The page's @font-face files, and the operator's font directory. */
  pageFonts: { maxFaceBytes: number; maxPageBytes: number; cacheBytes: number }
  fontsDir: string | undefined
  fetch: { timeoutMs: number; pageTimeoutMs: number; maxBytes: number; allowPrivate: boolean; maxRedirects: number; concurrency: number; cacheBytes: number; cacheTtlMs: number }
}

export interface MemorySource {
  /** The limit found in the cgroup at boot, in bytes (undefined: none, or not looked for). */
  cgroupBytes: number | undefined
  cores: number
}

export function toConfig(env: Env, found: MemorySource = { cgroupBytes: undefined, cores: availableParallelism() }): Config {
  const limitBytes = env.MEMORY_LIMIT_MB !== undefined ? env.MEMORY_LIMIT_MB * MiB : found.cgroupBytes
  const plan = planMemory(limitBytes, found.cores, env.RENDER_WORKERS || undefined)
  // MEMORY_LIMIT_MB above the cgroup's limit: the plan trusts the operator, but V8 reads the
  // cgroup too, and its own (low) heap growth is then what keeps a worker's heap near its live
  // data. The plan's growth is measured for the memory it planned, so it is not forced here.
  const overclaimed = env.MEMORY_LIMIT_MB !== undefined && found.cgroupBytes !== undefined && found.cgroupBytes < env.MEMORY_LIMIT_MB * MiB
  const memoryMb = env.RENDER_MEMORY_MB ?? plan.dataLimitMb
  // A render's budget: the smallest of what the operator asked for, what the worker's data limit
  // leaves above its baseline, and the worker's share of the container.
  const caps = [env.RENDER_BUDGET_MB || Infinity, memoryMb > 0 ? budgetUnderDataLimit(memoryMb) : Infinity, plan.budgetMb ?? Infinity]
  const budgetMb = Math.min(...caps) === Infinity ? DEFAULT_BUDGET_MB : Math.max(1, Math.min(...caps))
  return {
    port: env.PORT,
    host: env.HOST,
    dataDir: env.DATA_DIR,
    database: { url: env.DATABASE_URL, poolMax: env.DATABASE_POOL_MAX },
    storage: env.STORAGE_URL
      ? {
          url: env.STORAGE_URL,
          endpoint: env.STORAGE_ENDPOINT,
          region: env.STORAGE_REGION,
          accessKeyId: env.STORAGE_ACCESS_KEY_ID,
          secretAccessKey: env.STORAGE_SECRET_ACCESS_KEY,
          // A custom endpoint is almost always MinIO, Ceph or similar, which expect path-style URLs.
          forcePathStyle: env.STORAGE_ENDPOINT !== undefined,
          timeoutMs: env.STORAGE_TIMEOUT_MS,
        }
      : undefined,
    publicUrl: env.PUBLIC_URL?.replace(/\/+$/, ''),
    logLevel: env.LOG_LEVEL,
    trustProxy: env.TRUST_PROXY,
    requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    metrics: { enabled: env.METRICS === 'on', token: env.METRICS_TOKEN },
    limits: {
      bodyBytes: env.BODY_LIMIT_BYTES,
      htmlBytes: env.MAX_HTML_BYTES,
      cssBytes: env.MAX_CSS_BYTES,
      batchSize: env.MAX_BATCH_SIZE,
      elements: env.MAX_ELEMENTS,
      depth: env.MAX_DEPTH,
      outputPixels: env.MAX_OUTPUT_PIXELS,
      resizeSide: env.MAX_RESIZE_SIDE,
      imagePixels: env.MAX_IMAGE_PIXELS,
      imagesPerRender: env.MAX_IMAGES_PER_RENDER,
      shadowBlurPx: env.MAX_SHADOW_BLUR_PX,
      shadowSpreadPx: env.MAX_SHADOW_SPREAD_PX,
      shadows: env.MAX_SHADOWS,
      svgTextChars: env.MAX_SVG_TEXT_CHARS,
    },
    defaults: {
      dedupeSeconds: env.DEFAULT_DEDUPE_SECONDS,
      userLimit: env.DEFAULT_USER_LIMIT,
      deviceScale: env.DEVICE_SCALE_DEFAULT,
    },
    render: {
      queueSize: env.RENDER_QUEUE_SIZE,
      timeoutMs: env.RENDER_TIMEOUT_MS,
      memoryMb,
      budgetMb,
      idleTimeoutMs: env.RENDER_IDLE_TIMEOUT_MS,
      heapMb: env.RENDER_WORKER_HEAP_MB ?? plan.heapMb,
      freedMemoryKeepMs: env.RENDER_FREED_MEMORY_KEEP_MS ?? plan.freedMemoryKeepMs,
      heapGrowthPercent: env.RENDER_WORKER_HEAP_GROWTH_PERCENT ?? (overclaimed ? 0 : plan.heapGrowthPercent),
      workers: env.RENDER_WORKERS || plan.workers,
    },
    memory: {
      limitMb: plan.limitMb,
      source: env.MEMORY_LIMIT_MB !== undefined ? 'MEMORY_LIMIT_MB' : found.cgroupBytes !== undefined ? 'cgroup' : 'none',
      tooSmall: plan.tooSmall,
      preloadImageCodecs: plan.preloadImageCodecs,
      commitThread: plan.commitThread,
    },
    cache: { imageBytes: env.IMAGE_CACHE_BYTES ?? plan.imageCacheBytes, signedUrlBytes: env.SIGNED_URL_CACHE_BYTES ?? plan.signedUrlCacheBytes },
    templates: {
      htmlBytes: env.MAX_TEMPLATE_HTML_BYTES,
      cssBytes: env.MAX_TEMPLATE_CSS_BYTES,
      valuesBytes: env.MAX_TEMPLATE_VALUES_BYTES,
      valuesDepth: env.MAX_TEMPLATE_VALUES_DEPTH,
      nesting: env.MAX_TEMPLATE_NESTING,
      expressions: env.MAX_TEMPLATE_EXPRESSIONS,
      cacheSize: env.TEMPLATE_CACHE_SIZE,
    },
    secret: env.VELLUM_SECRET,
    sourceSecret: env.VELLUM_SOURCE_SECRET,
    variants: { concurrency: env.VARIANT_CONCURRENCY },
    googleFonts: {
      cssUrl: env.GOOGLE_FONTS_CSS_URL,
      timeoutMs: env.GOOGLE_FONTS_TIMEOUT_MS,
      maxBytes: env.GOOGLE_FONTS_MAX_BYTES,
      maxFamilies: env.GOOGLE_FONTS_MAX_FAMILIES,
    },
    pageFonts: {
      maxFaceBytes: env.PAGE_FONT_MAX_BYTES,
      maxPageBytes: env.PAGE_FONTS_MAX_BYTES,
      cacheBytes: env.PAGE_FONT_CACHE_BYTES ?? plan.pageFontCacheBytes,
    },
    fontsDir: env.FONTS_DIR,
    fetch: {
      timeoutMs: env.FETCH_TIMEOUT_MS,
      pageTimeoutMs: env.FETCH_PAGE_TIMEOUT_MS,
      maxBytes: env.FETCH_MAX_BYTES,
      allowPrivate: env.FETCH_ALLOW_PRIVATE,
      maxRedirects: env.FETCH_MAX_REDIRECTS,
      concurrency: env.FETCH_CONCURRENCY,
      cacheBytes: env.FETCH_CACHE_BYTES ?? plan.fetchCacheBytes,
      cacheTtlMs: env.FETCH_CACHE_TTL_MS,
    },
  }
}
