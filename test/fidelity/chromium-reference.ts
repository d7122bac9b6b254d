/**
 * `npm run fidelity:refs [name…]`: draws every fidelity case (or the named ones) with headless
 * Chromium and writes its reference.png. References are committed, so tests never need a
 * browser; this script does (Debian's chromium, driven by playwright-core).
 *
 * Chromium gets exactly Vellum's fonts: the bundled font files are served to it through
 * @font-face (the fontsource CSS, restricted to the subsets Vellum bundles) and, for the
 * generic families and the stand-in names of src/fonts/font-aliases.ts, through a private
 * fontconfig folder that adds them as system fonts (converted to TTF, which is all Chromium
 * reads from the system), with Chromium's generic-family settings pointed at them. Sizing follows the hosted API's rules, which
 * Vellum implements: a viewport is shot whole; a selector crops to the first match; otherwise
 * the picture is the union of body's top-level elements with their margins (or the body box
 * when body holds text of its own); device_scale is Chromium's deviceScaleFactor.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { chromium, type Page } from 'playwright-core'
// @ts-expect-error wawoff2 ships no types; decompress(Buffer) → Promise<Uint8Array> (WOFF2 → TTF)
import { decompress } from 'wawoff2'
import { readManifest } from '../../src/fonts/bundled-fonts.js'
import { inRanges, parseUnicodeRange, readScriptManifest } from '../../src/fonts/script-fonts.js'
import { cmapRanges, narrowToRanges } from '../../src/fonts/sfnt.js'
import { readSymbolsManifest } from '../../src/fonts/symbol-font.js'
import { FAMILY_ALIASES, GENERIC_FAMILIES } from '../../src/fonts/font-aliases.js'
import { twemojiFile } from '../../src/fonts/twemoji.js'
import { parse as parseEmoji } from '@twemoji/parser'
import { isFullDocument as isWholePage } from '../../src/render/document/parse-html.js'
import { loadCases, type FidelityCase } from './cases.js'

const require = createRequire(import.meta.url)
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** @font-face rules for every bundled face, and the font files, from the fontsource packages. */
async function bundledFontFaces(fontDir: string): Promise<string> {
  const rules: string[] = []
  const systemFonts: Array<{ from: string; to: string }> = []
  for (const family of readManifest()) {
    const pkgDir = dirname(require.resolve(`${family.package}/package.json`))
    for (const weight of family.weights) {
      for (const style of family.styles) {
        const css = readFileSync(join(pkgDir, `${weight}${style === 'italic' ? '-italic' : ''}.css`), 'utf8')
        for (const block of css.split(/(?=\/\* )/)) {
          const subset = family.subsets.find((s) => block.startsWith(`/* ${family.prefix}-${s}-${weight}-${style} */`))
          if (!subset) continue
          const file = `${family.prefix}-${subset}-${weight}-${style}.woff2`
          // The generic families need system fonts, which Chromium reads only as TTF/OTF.
          systemFonts.push({ from: join(pkgDir, 'files', file), to: join(fontDir, file.replace(/\.woff2$/, '.ttf')) })
          rules.push(
            block
              .replace(/src:[^;]+;/, `src: url(${pathToFileURL(join(pkgDir, 'files', file)).href}) format('woff2');`)
              .replace(/font-display: swap;\n?/, ''),
          )
          // The stand-in names draw with the same file, as Vellum's font-family rewriting does.
          for (const [alias, target] of Object.entries(FAMILY_ALIASES)) {
            if (target !== family.name || alias.startsWith('-') || alias === 'system-ui' || alias.startsWith('ui-')) continue
            rules.push(rules.at(-1)!.replace(/font-family: '[^']+';/, `font-family: '${alias}';`))
          }
        }
      }
    }
  }
  for (const f of systemFonts) writeFileSync(f.to, await decompress(readFileSync(f.from)))
  return rules.join('\n')
}

/** ISO 15924 script of each script family's text: Chromium's per-script generic families. */
const SCRIPT_CODES: Record<string, string> = {
  'Noto Sans Arabic': 'Arab',
  'Noto Sans Hebrew': 'Hebr',
  'Noto Sans Devanagari': 'Deva',
  'Noto Sans Thai': 'Thai',
  'Noto Sans SC': 'Hans',
  'Noto Sans TC': 'Hant',
  'Noto Sans JP': 'Jpan',
  'Noto Sans KR': 'Kore',
}

/**
 * The script fonts (fonts/manifest.json "scripts"), then the symbol font ("symbols"): every slice at
 * every listed weight, as system fonts (TTF). Chromium reaches them in two ways, as Vellum falls back to them:
 * - for text whose `lang` names a script, through that script's generic families (set per
 *   page, see scriptFamilies), which match family and weight, so bold text gets the bold file;
 * - otherwise through its system fallback for the character, which asks fontconfig for a
 *   file by character and locale only (bold is then synthesised, as Chromium does for any
 *   system fallback font): each CJK family claims its language, the manifest order decides
 *   the rest.
 * fontsource's files are instances of variable fonts and all carry the variable font's
 * default name ("Noto Sans SC Thin"); fontconfig is told the real family at scan time.
 */
async function scriptSystemFonts(fontDir: string): Promise<string> {
  const rules: string[] = []
  const order: string[] = []
  for (const script of readScriptManifest()) {
    const pkgDir = dirname(require.resolve(`${script.package}/package.json`))
    const unicode = JSON.parse(readFileSync(join(pkgDir, 'unicode.json'), 'utf8')) as Record<string, string>
    const ids = script.subsets.flatMap((k) => (k === '[n]' ? Object.keys(unicode).filter((u) => /^\[\d+\]$/.test(u)) : [k])).map((k) => k.replace(/^\[(\d+)\]$/, '$1'))
    for (const weight of script.weights) {
      for (const id of ids) {
        const file = `${script.prefix}-${id}-${weight}-normal`
        writeFileSync(join(fontDir, `${file}.ttf`), await decompress(readFileSync(join(pkgDir, 'files', `${file}.woff2`))))
      }
    }
    order.push(`<family>${script.name}</family>`)
    const lang = script.lang ? `<edit name="lang" mode="assign_replace"><langset><string>${script.lang.toLowerCase()}</string><string>${script.lang.split('-')[0]!.toLowerCase()}</string></langset></edit>` : ''
    rules.push(
      `<match target="scan"><test name="file" compare="contains"><string>/${script.prefix}-</string></test>` +
        `<edit name="family" mode="assign_replace"><string>${script.name}</string></edit>${lang}</match>`,
    )
  }
  // The symbol font (fonts/manifest.json "symbols"), as Vellum's last fallback: after the script
  // families, and under a name of its own, so fontconfig never picks the machine's DejaVu Sans
  // (should one get past the rejectfont rule) over the bundled files for arrows, stars, ✓. Its
  // character map loses the letters of the script families (scriptLetters): DejaVu Sans also
  // draws Hebrew and Arabic, and Chromium's system fallback drew text in them without a `lang`
  // with it, where Vellum uses the Noto faces (narrower glyphs, lines not as tall).
  const symbols = readSymbolsManifest()
  if (symbols) {
    const pkgDir = dirname(require.resolve(`${symbols.package}/package.json`))
    const claimed = scriptLetters()
    for (const weight of symbols.weights) {
      const file = `${symbols.prefix}-${symbols.subset}-${weight}-normal`
      const woff2 = readFileSync(join(pkgDir, 'files', `${file}.woff2`))
      const keep: number[] = []
      const own = cmapRanges(woff2)
      for (let i = 0; i < own.length; i += 2) {
        for (let cp = own[i]!; cp <= own[i + 1]!; cp++) {
          if (claimed(cp)) continue
          if (keep.length && keep[keep.length - 1] === cp - 1) keep[keep.length - 1] = cp
          else keep.push(cp, cp)
        }
      }
      writeFileSync(join(fontDir, `${file}.ttf`), narrowToRanges(Buffer.from(await decompress(woff2)), keep))
    }
    order.push(`<family>${SYMBOL_FAMILY}</family>`)
    rules.push(
      `<match target="scan"><test name="file" compare="contains"><string>/${symbols.prefix}-${symbols.subset}-</string></test>` +
        `<edit name="family" mode="assign_replace"><string>${SYMBOL_FAMILY}</string></edit></match>`,
    )
  }
  rules.push(`<alias><family>sans-serif</family><prefer>${order.join('')}</prefer></alias>`)
  return rules.join('\n')
}

const SYMBOL_FAMILY = 'Vellum Symbols'

/**
 * The `ui-*` families (Tailwind's default stacks start with `ui-sans-serif`, `ui-monospace`) are
 * names Chromium on Linux looks up as system fonts, by name, and does not find: the text fell to
 * the standard family (Noto Serif) where Vellum draws its stand-in (font-aliases.ts). They are
 * not matched by @font-face either (bundledFontFaces leaves them out), so fontconfig substitutes
 * them, with a strong binding: Chromium (Skia) accepts a match only when it is the family asked
 * for or the one the configuration put in its place.
 * `system-ui` is not among them: Chromium resolves it to the browser's default UI font (a
 * fontconfig match without a family, which picks the symbol font here), never asking for the
 * name `system-ui`.
 */
function uiFamilyRules(): string {
  return Object.entries(FAMILY_ALIASES)
    .filter(([alias]) => alias.startsWith('ui-'))
    .map(
      ([alias, target]) =>
        `<match target="pattern"><test name="family" compare="eq"><string>${alias}</string></test>` +
        `<edit name="family" mode="assign" binding="strong"><string>${target}</string></edit></match>`,
    )
    .join('\n')
}

/**
 * Whether a code point is a letter (or other character of its own script) that a script family
 * of the manifest declares: `אב`, `عربي`, not the punctuation, spaces and marks its subset also
 * lists, which every script shares (Common, Inherited) and which stay with the symbol font.
 */
function scriptLetters(): (cp: number) => boolean {
  const declared = readScriptManifest().flatMap((script) => {
    const unicode = JSON.parse(readFileSync(join(dirname(require.resolve(`${script.package}/package.json`)), 'unicode.json'), 'utf8')) as Record<string, string>
    return script.subsets.filter((k) => k !== '[n]').map((k) => parseUnicodeRange(unicode[k] ?? ''))
  })
  const shared = /^[\p{Script=Common}\p{Script=Inherited}]$/u
  return (cp) => declared.some((ranges) => inRanges(ranges, cp)) && !shared.test(String.fromCodePoint(cp))
}

/** Page.setFontFamilies forScripts: every generic family of a script is its Noto family. */
function scriptFamilies(): Array<{ script: string; fontFamilies: Record<string, string> }> {
  return readScriptManifest()
    .filter((s) => SCRIPT_CODES[s.name])
    .map((s) => ({
      script: SCRIPT_CODES[s.name]!,
      fontFamilies: { standard: s.name, serif: s.name, sansSerif: s.name, fixed: s.name, cursive: s.name, fantasy: s.name },
    }))
}

/**
 * Per-run fontconfig user folder (XDG folders in a temp dir) that adds the bundled faces as
 * system fonts; the generic families are then pointed at them per page (Page.setFontFamilies).
 * The machine's own fonts are rejected: Vellum has none, and DejaVu Sans (Debian's default)
 * would otherwise draw Hebrew and Arabic before the bundled script fonts.
 */
function fontconfigEnv(root: string, fontDir: string, extraRules: string): Record<string, string> {
  const configDir = join(root, 'config', 'fontconfig')
  mkdirSync(configDir, { recursive: true })
  writeFileSync(
    join(configDir, 'fonts.conf'),
    `<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig><dir>${fontDir}</dir>` +
      `<selectfont><rejectfont><glob>/usr/share/fonts/*</glob><glob>/usr/local/share/fonts/*</glob></rejectfont></selectfont>\n${extraRules}</fontconfig>`,
  )
  return { XDG_CONFIG_HOME: join(root, 'config'), XDG_CACHE_HOME: join(root, 'cache'), XDG_DATA_HOME: join(root, 'data') }
}

/**
 * The page Chromium loads: a snippet inside a standard document, a whole page as it is. When
 * the picture is cropped to the content, body is made a block formatting context (before the
 * page's own sheets, which may override it), so the margins of its first and last children
 * stay inside it and the crop includes them.
 */
function documentFor(c: FidelityCase, fontFaces: string): string {
  const crop = !c.options.selector && c.options.viewport_width === undefined && c.options.viewport_height === undefined && !isWholePage(c.html)
  const fonts = `<style>${fontFaces}</style>${crop ? '<style>body { display: flow-root }</style>' : ''}`
  const author = c.css ? `<style>${c.css}</style>` : ''
  if (isWholePage(c.html)) {
    // Fonts first (before the page's own sheets), the css parameter last (after them).
    const withFonts = /<head[^>]*>/i.test(c.html) ? c.html.replace(/<head[^>]*>/i, (m) => m + fonts) : fonts + c.html
    return /<\/html\s*>/i.test(withFonts) ? withFonts.replace(/<\/html\s*>/i, `${author}</html>`) : withFonts + author
  }
  return `<!DOCTYPE html><html><head><meta charset="utf-8">${fonts}${author}</head><body>${c.html}</body></html>`
}

interface Clip {
  x: number
  y: number
  width: number
  height: number
}

/** The rectangle the hosted API's rules keep, computed in the page (same snapping as Vellum). */
async function clipFor(page: Page, c: FidelityCase): Promise<Clip | undefined> {
  if (c.options.selector) {
    return page.evaluate((selector) => {
      const r = document.querySelector(selector)!.getBoundingClientRect()
      return { x: r.left, y: r.top, width: r.width, height: r.height }
    }, c.options.selector).then(snap)
  }
  if (c.options.viewport_width !== undefined || c.options.viewport_height !== undefined || isWholePage(c.html)) return undefined
  return page
    .evaluate(() => {
      const body = document.body
      const bodyBox = body.getBoundingClientRect()
      const ownText = Array.from(body.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim() !== '')
      const tops = Array.from(body.children).filter((e) => getComputedStyle(e).display !== 'none' && !['SCRIPT', 'STYLE'].includes(e.tagName))
      if (ownText || tops.length === 0) return { x: bodyBox.left, y: bodyBox.top, width: bodyBox.width, height: bodyBox.height }
      // Vertically, body (a block formatting context here) spans its children's margins,
      // including margins that collapse through them; horizontally, their margin boxes.
      let [l, r] = [Infinity, -Infinity]
      for (const e of tops) {
        const box = e.getBoundingClientRect()
        const s = getComputedStyle(e)
        l = Math.min(l, box.left - parseFloat(s.marginLeft))
        r = Math.max(r, box.right + parseFloat(s.marginRight))
      }
      return { x: Math.max(0, l), y: bodyBox.top, width: r - Math.max(0, l), height: bodyBox.height }
    })
    .then(snap)
}

/**
 * Emoji become Twemoji pictures, as the hosted API does (twemoji.parse in its page) and as
 * Vellum draws them: a 1em square on the baseline, from the same bundled SVG files.
 */
async function twemojify(page: Page): Promise<void> {
  const texts = await page.evaluate(() => {
    const out: string[] = []
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
    for (let n = walker.nextNode(); n; n = walker.nextNode()) out.push(n.textContent ?? '')
    return out
  })
  const plans = texts.map((text) =>
    parseEmoji(text, { assetType: 'svg' }).flatMap((e) => {
      const file = twemojiFile(e.text)
      return file ? [{ start: e.indices[0], end: e.indices[1], src: pathToFileURL(file).href }] : []
    }),
  )
  if (plans.every((p) => p.length === 0)) return
  await page.evaluate((plans) => {
    const nodes: Text[] = []
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
    for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n as Text)
    nodes.forEach((node, i) => {
      for (const p of [...(plans[i] ?? [])].reverse()) {
        const after = node.splitText(p.start)
        after.splitText(p.end - p.start)
        const img = document.createElement('img')
        img.src = p.src
        img.setAttribute('style', 'width:1em;height:1em;vertical-align:-0.1em;display:inline')
        after.replaceWith(img)
      }
    })
  }, plans)
  await page.evaluate(() => Promise.all(Array.from(document.images).map((i) => i.decode().catch(() => undefined))))
}

function snap(r: Clip): Clip {
  const x = Math.floor(r.x)
  const y = Math.floor(r.y)
  return { x, y, width: Math.max(1, Math.ceil(r.x + r.width) - x), height: Math.max(1, Math.ceil(r.y + r.height) - y) }
}

async function main(): Promise<void> {
  const cases = loadCases(process.argv.slice(2))
  const root = mkdtempSync(join(tmpdir(), 'vellum-fidelity-'))
  const fontDir = join(root, 'fonts')
  mkdirSync(fontDir)
  const fontFaces = await bundledFontFaces(fontDir)
  const scriptRules = await scriptSystemFonts(fontDir)
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    env: { ...process.env, ...fontconfigEnv(root, fontDir, `${scriptRules}\n${uiFamilyRules()}`) },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--font-render-hinting=none', '--disable-lcd-text'],
  })
  try {
    for (const c of cases) {
      const context = await browser.newContext({
        viewport: { width: c.options.viewport_width ?? 1920, height: c.options.viewport_height ?? 1080 },
        deviceScaleFactor: c.options.device_scale ?? 1,
      })
      const page = await context.newPage()
      const cdp = await context.newCDPSession(page)
      await cdp.send('Page.setFontFamilies', {
        fontFamilies: {
          standard: GENERIC_FAMILIES.serif!,
          serif: GENERIC_FAMILIES.serif!,
          sansSerif: GENERIC_FAMILIES['sans-serif']!,
          fixed: GENERIC_FAMILIES.monospace!,
          cursive: GENERIC_FAMILIES.cursive!,
          fantasy: GENERIC_FAMILIES.fantasy!,
        },
        forScripts: scriptFamilies(),
      })
      const file = join(root, `${c.name}.html`)
      writeFileSync(file, documentFor(c, fontFaces))
      await page.goto(pathToFileURL(file).href)
      if (!c.options.disable_twemoji) await twemojify(page)
      await page.evaluate(() => document.fonts.ready.then(() => undefined))
      const clip = await clipFor(page, c)
      const png = await page.screenshot({ clip, fullPage: false, omitBackground: c.options.transparent_background ?? false, animations: 'disabled', caret: 'hide' })
      writeFileSync(c.referencePath, png)
      console.log(`${c.name}: ${clip ? `${clip.width}×${clip.height} at ${clip.x},${clip.y}` : 'viewport'}`)
      await context.close()
    }
  } finally {
    await browser.close()
    rmSync(root, { recursive: true, force: true })
  }
}

await main()
