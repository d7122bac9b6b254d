/**
 * Shared test setup: a real app over a fresh DATA_DIR (real SQLite file, real render workers),
 * closed in teardown. Tests drive it through inject() or, where a client needs a socket,
 * through a real listening server on 127.0.0.1.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PNG } from 'pngjs'
import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { configFrom } from '../src/config/load-config.js'
import { createContainer, renderLimits, type Container } from '../src/container.js'
import type { RenderJob, RenderLimits } from '../src/render/job.js'
import type { Renderer } from '../src/render/pipeline.js'
import type { RenderParams } from '../src/http/schemas/create-image.js'
import { buildApp } from '../src/app.js'
import { keyRecord } from '../src/auth/api-keys.js'

export interface TestApp {
  app: FastifyInstance
  container: Container
  dataDir: string
  /** Authorization header for a user created with `addUser`. */
  auth(user: string, key: string): string
  addUser(id: string, key: string, limit?: number): Promise<void>
}

const silent = { warn: () => {} }

export async function build(
  t: Test,
  env: Record<string, string | number | boolean> = {},
  options: { dataDir?: string; keepData?: boolean } = {},
): Promise<TestApp> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'vellum-test-'))
  // Google Fonts point at a closed local port unless a test serves them: tests never reach the internet.
  const config = configFrom({
    DATA_DIR: dataDir,
    RENDER_WORKERS: 1,
    RENDER_MEMORY_MB: 0,
    GOOGLE_FONTS_CSS_URL: 'http://127.0.0.1:9/css2',
    ...env,
  })
  const container = await createContainer(config, silent)
  const app = await buildApp(container)
  t.teardown(async () => {
    await app.close()
    if (!options.keepData) rmSync(dataDir, { recursive: true, force: true })
  })
  return {
    app,
    container,
    dataDir,
    auth: (user, key) => `Basic ${Buffer.from(`${user}:${key}`).toString('base64')}`,
    async addUser(id, key, limit = 1000) {
      await container.users.create({ id, ...keyRecord(container.vault, id, key), monthlyLimit: limit, now: Date.now() })
    },
  }
}

export function decodePng(buf: Buffer): PNG {
  return PNG.sync.read(buf)
}

/** RGBA of one pixel. */
export function pixel(png: PNG, x: number, y: number): [number, number, number, number] {
  const i = (png.width * y + x) * 4
  return [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!, png.data[i + 3]!]
}

/** True when two colours are within `tolerance` on every channel. */
export function near(a: number[], b: number[], tolerance = 8): boolean {
  return a.every((v, i) => Math.abs(v - b[i]!) <= tolerance)
}

/** Share of pixels matching `rgb` (within tolerance) inside a rectangle. */
export function coverage(png: PNG, rgb: number[], rect = { x: 0, y: 0, w: png.width, h: png.height }, tolerance = 24): number {
  let hits = 0
  for (let y = rect.y; y < rect.y + rect.h; y++) {
    for (let x = rect.x; x < rect.x + rect.w; x++) if (near(pixel(png, x, y).slice(0, 3), rgb, tolerance)) hits++
  }
  return hits / (rect.w * rect.h)
}

/** A render job as the API process sends one: the default limits, at device scale 1, overridable. */
export function renderJob(html: string, params: Partial<RenderParams> = {}, limits: Partial<RenderLimits> = {}): RenderJob {
  return {
    params: {
      html, css: '', googleFonts: [], selector: undefined, deviceScale: 1, viewportWidth: undefined, viewportHeight: undefined,
      transparentBackground: false, disableTwemoji: false, ...params,
    },
    limits: { ...renderLimits(configFrom({})), ...limits },
    fonts: [],
    images: {},
  }
}

let renderer: Promise<Renderer> | undefined
/**
 * `html` rendered in this process (one renderer shared by the test file) and decoded. The pipeline
 * is imported on first use: test files that only talk HTTP do not load satori.
 */
export async function renderPng(html: string, params: Partial<RenderParams> = {}): Promise<PNG> {
  renderer ??= import('../src/render/pipeline.js').then((m) => m.createRenderer())
  return decodePng(Buffer.from((await (await renderer).render(renderJob(html, params))).png))
}
