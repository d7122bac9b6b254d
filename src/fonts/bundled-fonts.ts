/**
 * The fonts that ship with Vellum, described by `fonts/manifest.json` (no file-name guessing)
 * and read from the @fontsource packages. Loaded once per render worker: satori caches parsed
 * fonts by buffer identity, so the same Buffer objects must be handed to every render.
 */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export type FontWeight = 100 | 200 | 300 | 400 | 500 | 600 | 700 | 800 | 900
export type FontStyle = 'normal' | 'italic'

export interface FontFace {
  name: string
  data: Buffer
  weight: FontWeight
  style: FontStyle
}

/** A bundled face, with the manifest family it belongs to (its `name` may be an alias). */
export interface BundledFace extends FontFace {
  family: string
}

interface ManifestFamily {
  name: string
  package: string
  prefix: string
  aliases: string[]
  weights: FontWeight[]
  styles: FontStyle[]
  subsets: string[]
}

/** `fonts/` at the package root: found upwards, as this file runs from src/, or bundled in dist/. */
export const FONTS_DIR = (() => {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'fonts', 'manifest.json'))) {
    const up = dirname(dir)
    if (up === dir) throw new Error('fonts/manifest.json not found above ' + fileURLToPath(import.meta.url))
    dir = up
  }
  return join(dir, 'fonts')
})()

export function readManifest(): ManifestFamily[] {
  return (JSON.parse(readFileSync(join(FONTS_DIR, 'manifest.json'), 'utf8')) as { families: ManifestFamily[] }).families
}

const require = createRequire(import.meta.url)

/**
 * Every bundled face. Latin faces come first under the family's own name (and its aliases);
 * other subsets follow under "<Family> <subset>" names, which satori treats as fallbacks for
 * glyphs the primary face lacks (faces sharing one name do not fall back to each other).
 */
export function loadBundledFonts(): BundledFace[] {
  const primary: BundledFace[] = []
  const fallbacks: BundledFace[] = []
  for (const family of readManifest()) {
    const filesDir = join(dirname(require.resolve(`${family.package}/package.json`)), 'files')
    family.subsets.forEach((subset, i) => {
      for (const weight of family.weights) {
        for (const style of family.styles) {
          const data = readFileSync(join(filesDir, `${family.prefix}-${subset}-${weight}-${style}.woff2`))
          if (i === 0) {
            for (const name of [family.name, ...family.aliases]) primary.push({ name, data, weight, style, family: family.name })
          } else {
            fallbacks.push({ name: `${family.name} ${subset}`, data, weight, style, family: family.name })
          }
        }
      }
    })
  }
  return [...primary, ...fallbacks]
}
