/**
 * Runs in the render worker: the page's `@font-face` faces (fetched by the API process,
 * font-face-loader.ts) turned into faces satori can be handed.
 *
 * - Each file is unpacked to TrueType/OpenType and checked (sfnt.ts); a face whose
 *   `unicode-range` is narrower than the file gets its character map cut to the range.
 * - satori never falls back between faces of one name (it picks one face per name by weight and
 *   style, then asks the next name of the family list). So, as script-fonts.ts gives each slice
 *   a name of its own, each distinct `unicode-range` of a family gets a name: the one tried first
 *   keeps the family's name, the others are "<family> #2", "<family> #3"…, and the page's `font-family`
 *   lists name all of them in place of the family (`slots`, applied by css-rewrite.ts). A
 *   character then falls through the family's ranges before the next family, as in a browser.
 * - A weight range (`font-weight: 100 900`, a variable face) is registered at each weight of the
 *   range that no single-weight face of the same range and style declares: satori matches
 *   weights among a name's faces. satori draws a variable font's default instance, so a face
 *   whose file has a `wght` axis gets, at each weight the page uses (atWeights, once its
 *   weights are known), a static instance at that weight, as Chromium sets the axis.
 *
 * Unpacked faces are kept per worker (bounded by bytes) as the same Buffer objects, since satori
 * caches parsed fonts by buffer identity.
 */
import { LRUCache } from 'lru-cache'
import type { FontFace, FontWeight } from './bundled-fonts.js'
import type { PageFace } from '../render/job.js'
import { parseUnicodeRange } from './script-fonts.js'
import { narrowToRanges, toSfnt } from './sfnt.js'
import { faceLabel } from './font-face-rules.js'
import { instanceAtWeight, weightAxis, type WeightAxis } from './variable-weight.js'

export interface PreparedFaces {
  /** Faces for satori, in rule order. */
  faces: FontFace[]
  /** Lower-cased family → the names its faces are registered under, in fallback order. */
  slots: Map<string, string[]>
  /** Identity of the list, for the font-set cache. */
  key: string
  warnings: string[]
  /** Faces of a variable font registered at a weight other than its default (variable-weight.ts). */
  variable: Array<{ index: number; cacheKey: string; weight: number }>
}

const WEIGHTS: FontWeight[] = [100, 200, 300, 400, 500, 600, 700, 800, 900]
// Unpacked page faces kept per worker (TrueType bytes; satori's parsed copies live as long as these).
const MAX_UNPACKED_BYTES = 24 * 1024 * 1024

const nearestWeight = (w: number): FontWeight => WEIGHTS.reduce((best, x) => (Math.abs(x - w) < Math.abs(best - w) ? x : best), 400 as FontWeight)

export class PageFaces {
  readonly #unpacked = new LRUCache<string, Buffer | Error>({
    maxSize: MAX_UNPACKED_BYTES,
    sizeCalculation: (v) => (v instanceof Error ? 64 : Math.max(1, v.byteLength)),
  })

  async prepare(list: readonly PageFace[]): Promise<PreparedFaces> {
    const warnings: string[] = []
    const ready: Array<{ face: PageFace; data: Buffer; range: string; key: string }> = []
    for (const face of list) {
      const ranges = face.unicodeRange === undefined ? undefined : parseUnicodeRange(face.unicodeRange)
      const range = ranges ? ranges.join(',') : ''
      if (ranges && ranges.length === 0) {
        warnings.push(`${faceLabel(face)} not loaded: its unicode-range ${JSON.stringify(face.unicodeRange!.slice(0, 60))} names no character; the bundled fonts were used`)
        continue
      }
      const key = `${face.id}|${range}`
      let data = this.#unpacked.get(key)
      if (data === undefined) {
        try {
          data = narrowToRanges(await toSfnt(face.data), ranges)
          // A TrueType file kept as it came is a view of the job's message: copied, so the cache
          // does not hold the whole message alive.
          if (data.buffer === face.data.buffer) data = Buffer.from(data)
        } catch (err) {
          data = err instanceof Error ? err : new Error(String(err))
        }
        this.#unpacked.set(key, data)
      }
      if (data instanceof Error) {
        warnings.push(`${faceLabel(face)} not loaded: ${data.message}; the bundled fonts were used`)
        continue
      }
      ready.push({ face, data, range, key })
    }

    // Slot names: one per distinct range of a family. Where ranges overlap, the face defined last
    // is tried first (CSS Fonts 4, "unicode-range"): a later rule overriding a few characters of a
    // face without a range wins for those. So slots are made from the last rule backwards.
    const slots = new Map<string, string[]>()
    const slotOf = new Map<string, string>()
    for (const { face, range } of [...ready].reverse()) {
      const family = face.family.toLowerCase()
      const names = slots.get(family) ?? []
      const id = `${family}|${range}`
      if (!slotOf.has(id)) {
        const name = names.length === 0 ? face.family : `${face.family} #${names.length + 1}`
        names.push(name)
        slotOf.set(id, name)
      }
      slots.set(family, names)
    }
    // Weights a single-weight face claims in its slot and style: ranges fill the others.
    const claimed = new Set<string>()
    for (const { face, range } of ready) {
      if (face.weight[0] === face.weight[1]) claimed.add(`${slotOf.get(`${face.family.toLowerCase()}|${range}`)}|${face.style}|${nearestWeight(face.weight[0])}`)
    }
    const faces: FontFace[] = []
    const variable: PreparedFaces['variable'] = []
    for (const { face, data, range, key } of ready) {
      const name = slotOf.get(`${face.family.toLowerCase()}|${range}`)!
      const [lo, hi] = face.weight
      const weights =
        lo === hi ? [nearestWeight(lo)] : WEIGHTS.filter((w) => w >= lo && w <= hi && !claimed.has(`${name}|${face.style}|${w}`))
      const axis = this.#axis(data)
      for (const weight of weights.length ? weights : [nearestWeight(lo)]) {
        // The used weight, clamped to the face's declared range and to the font's axis.
        const at = axis && Math.min(axis.max, Math.max(axis.min, Math.min(hi, Math.max(lo, weight))))
        if (axis && at !== axis.default) variable.push({ index: faces.length, cacheKey: `${key}|wght=${at}`, weight: at! })
        faces.push({ name, data, weight, style: face.style })
      }
    }
    const key = faces.map((f) => `${f.name}|${f.weight}|${f.style}`).join(',') + '|' + ready.map((r) => `${r.face.id}:${r.range}`).join(',')
    return { faces, slots, key, warnings, variable }
  }

  /**
   * The faces with each variable face the page can use at one of `weights` (every one for 'any')
   * replaced by its instance at its registered weight. An instance that cannot be made leaves
   * the default instance, and says so.
   */
  async atWeights(page: PreparedFaces, weights: ReadonlySet<number> | 'any'): Promise<PreparedFaces> {
    const used = page.variable.filter((v) => weights === 'any' || [...weights].some((w) => nearestWeight(w) === page.faces[v.index]!.weight))
    if (used.length === 0) return page
    const faces = [...page.faces]
    const warnings = [...page.warnings]
    for (const v of used) {
      let data = this.#unpacked.get(v.cacheKey)
      if (data === undefined) {
        try {
          data = await instanceAtWeight(faces[v.index]!.data, v.weight)
        } catch (err) {
          data = err instanceof Error ? err : new Error(String(err))
        }
        this.#unpacked.set(v.cacheKey, data)
      }
      if (data instanceof Error) warnings.push(`${faces[v.index]!.name} at weight ${v.weight}: ${data.message}; its default instance was used`)
      else faces[v.index] = { ...faces[v.index]!, data }
    }
    return { ...page, faces, warnings, key: `${page.key}|wght:${used.map((v) => v.index).join(',')}` }
  }

  readonly #axes = new WeakMap<Buffer, WeightAxis | null>()
  #axis(data: Buffer): WeightAxis | undefined {
    let axis = this.#axes.get(data)
    if (axis === undefined) {
      try {
        axis = weightAxis(data) ?? null
      } catch {
        axis = null
      }
      this.#axes.set(data, axis)
    }
    return axis ?? undefined
  }
}
