/**
 * FONTS_DIR: the operator's own font files (a house typeface, a licensed family), read once at
 * boot by the API process and handed to every render with the Google Fonts the page loads (as
 * `ExtraFont`s: the worker reads each file once and keeps the same Buffer, font-sets.ts).
 *
 * Nothing is guessed from file names: the family comes from the font's name table (the
 * typographic family, nameID 16, else the family, nameID 1), the weight from OS/2
 * usWeightClass (a variable font: every weight of its `wght` axis), the style from the italic
 * bit and angle. Files whose magic bytes are not a font (a LICENSE, a README) are skipped; a file
 * named like a font that cannot be read stops the boot, naming the file, so a broken deployment
 * is found at once rather than as a stand-in font in production images.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { extname, join, resolve } from 'node:path'
import type { ExtraFont } from '../render/job.js'
import { fontFormat, toSfnt } from './sfnt.js'

const FONT_EXTENSIONS = new Set(['.ttf', '.otf', '.woff', '.woff2'])
const WEIGHTS = [100, 200, 300, 400, 500, 600, 700, 800, 900] as const
type Weight = ExtraFont['weight']
// A directory is a font collection, not a file system to crawl.
const MAX_FILES = 2000

interface FontkitFont {
  familyName: string
  italicAngle: number
  getName(key: string): string | null
  variationAxes: Record<string, { min: number; default: number; max: number }>
  'OS/2'?: { usWeightClass: number; fsSelection?: { italic?: boolean } }
}

function files(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (out.length >= MAX_FILES) break
    const path = join(dir, entry.name)
    if (entry.isDirectory()) files(path, out)
    else if (entry.isFile() || (entry.isSymbolicLink() && statSync(path).isFile())) out.push(path)
  }
  return out
}

const nearest = (w: number): Weight => WEIGHTS.reduce((best, x) => (Math.abs(x - w) < Math.abs(best - w) ? x : best), 400 as Weight)

/**
 * Every face in `dir`, in file-name order. Throws an Error naming each file that has a font's
 * name but cannot be read as one.
 */
export async function loadFontsDir(dir: string): Promise<ExtraFont[]> {
  const root = resolve(dir)
  let list: string[]
  try {
    if (!statSync(root).isDirectory()) throw new Error('not a directory')
    list = files(root)
  } catch (err) {
    throw new Error(`FONTS_DIR: cannot read ${root}: ${(err as Error).message}`)
  }
  const fontkit = (await import('fontkit')) as unknown as { create?: (b: Buffer) => unknown; default?: { create: (b: Buffer) => unknown } }
  const create = fontkit.create ?? fontkit.default!.create
  const fonts: ExtraFont[] = []
  const problems: string[] = []
  for (const path of list) {
    const named = FONT_EXTENSIONS.has(extname(path).toLowerCase())
    const bytes = readFileSync(path)
    if (!fontFormat(bytes)) {
      if (named) problems.push(`${path}: not a font file (TTF, OTF, WOFF or WOFF2 by its first bytes)`)
      continue
    }
    try {
      const font = create(await toSfnt(bytes)) as FontkitFont
      if (!('familyName' in font)) throw new Error('a font collection: install its faces as separate files')
      const name = (font.getName('preferredFamily') ?? font.familyName)?.trim()
      if (!name) throw new Error('no family name in its name table')
      const os2 = font['OS/2']
      const style = os2?.fsSelection?.italic || font.italicAngle < 0 ? 'italic' : 'normal'
      const axis = font.variationAxes?.wght
      const weights = axis ? WEIGHTS.filter((w) => w >= axis.min && w <= axis.max) : [nearest(os2?.usWeightClass ?? 400)]
      for (const weight of weights.length ? weights : [nearest(axis?.default ?? 400)]) fonts.push({ name, weight, style, path })
    } catch (err) {
      problems.push(`${path}: ${(err as Error).message}`)
    }
  }
  if (problems.length) throw new Error(`FONTS_DIR: ${problems.length} file(s) could not be read:\n  ${problems.join('\n  ')}`)
  return fonts
}
