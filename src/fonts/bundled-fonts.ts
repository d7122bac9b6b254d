/**
 * The fonts that ship with Vellum, described by `fonts/manifest.json` (no file-name guessing)
 * and read from the @fontsource packages. Loaded once per render worker: satori caches parsed
 * fonts by buffer identity, so the same Buffer objects must be handed to every render.
 */
import { readFileSync } from 'node:fs'
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

interface ManifestFamily {
  name: string
  package: string
  prefix: string
  aliases: string[]
  weights: FontWeight[]
  styles: FontStyle[]
  subsets: string[]
}

export const FONTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fonts')

export function readManifest(): ManifestFamily[] {
  return (JSON.parse(readFileSync(join(FONTS_DIR, 'manifest.json'), 'utf8')) as { families: ManifestFamily[] }).families
}

const require = createRequire(import.meta.url)

/**
 * Every bundled face. Latin faces come first under the family's own name (and its aliases);
 * other subsets follow under "<Family> <subset>" names, which satori treats as fallbacks for
 * glyphs the primary face lacks (faces sharing one name do not fall back to each other).
 */
export function loadBundledFonts(): FontFace[] {
  const primary: FontFace[] = []
  const fallbacks: FontFace[] = []
  for (const family of readManifest()) {
    const filesDir = join(dirname(require.resolve(`${family.package}/package.json`)), 'files')
    family.subsets.forEach((subset, i) => {
      for (const weight of family.weights) {
        for (const style of family.styles) {
          const data = readFileSync(join(filesDir, `${family.prefix}-${subset}-${weight}-${style}.woff2`))
          if (i === 0) {
            for (const name of [family.name, ...family.aliases]) primary.push({ name, data, weight, style })
          } else {
            fallbacks.push({ name: `${family.name} ${subset}`, data, weight, style })
          }
        }
      }
    })
  }
  return [...primary, ...fallbacks]
}
