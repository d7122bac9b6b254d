/**
 * Google Fonts a page loads itself, the way a browser would: `<link rel="stylesheet"
 * href="https://fonts.googleapis.com/css2?family=…">` in the HTML and
 * `@import url(https://fonts.googleapis.com/css2?family=…)` in the HTML's sheets or the css
 * parameter. The API process pre-scans for them and loads the families exactly as it loads
 * `google_fonts` (same fetcher, cache and fallbacks); the worker drops the link and import.
 * Both the css2 syntax (`Inter:ital,wght@0,400;1,700`) and the older css one
 * (`Open+Sans:400,700|Roboto`) are understood.
 */
import { decodeHTMLAttribute } from 'entities'
import { scanPage, type PageScan } from '../net/page-scan.js'

const IMPORT = /@import\s+(?:url\(\s*)?["']?(https:\/\/fonts\.googleapis\.com\/css2?\?[^"')\s;]+)/gi
const GOOGLE_CSS = /^https:\/\/fonts\.googleapis\.com\/css2?\?/i

/** One `family=` value → the `google_fonts` spec ("Name" or "Name:400,700"). */
function familySpec(value: string): string | undefined {
  const [rawName, axes = ''] = value.split(':') as [string, string | undefined]
  const name = rawName.replace(/\+/g, ' ').trim()
  if (!/^[A-Za-z0-9 ]{1,64}$/.test(name)) return undefined
  const weightPart = axes.includes('@') ? axes.slice(axes.indexOf('@') + 1) : axes
  const weights = [...new Set((weightPart.match(/\b[1-9]00\b/g) ?? []).map(Number))].sort((a, b) => a - b)
  return weights.length ? `${name}:${weights.join(',')}` : name
}

function familiesOf(href: string): string[] {
  let url: URL
  try {
    url = new URL(href)
  } catch {
    return []
  }
  return url.searchParams
    .getAll('family')
    .flatMap((v) => v.split('|'))
    .map(familySpec)
    .filter((s): s is string => s !== undefined)
}

/** Family specs the page asks Google Fonts for, in order, without duplicates. */
export function pageGoogleFonts(html: string, css: string, page: PageScan = scanPage(html)): string[] {
  const hrefs: string[] = []
  for (const link of page.links) {
    // rel is a list of keywords, as a browser reads it (`rel="preload stylesheet"` loads too).
    if (!/(?:^|\s)stylesheet(?:\s|$)/i.test(decodeHTMLAttribute(link.rel))) continue
    const href = decodeHTMLAttribute(link.href).trim()
    if (GOOGLE_CSS.test(href)) hrefs.push(href)
  }
  for (const text of [html, css]) for (const m of text.matchAll(IMPORT)) hrefs.push(decodeHTMLAttribute(m[1]!))
  return [...new Set(hrefs.flatMap(familiesOf))]
}
