/** The standard card set, shared with the tests (test/fixtures/cards, copied from the project's bench cards). */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export interface Card {
  id: string
  html: string
  scale: number
}

const DIR = fileURLToPath(new URL('../../test/fixtures/cards/', import.meta.url))

export function loadCards(): Card[] {
  const list = JSON.parse(readFileSync(`${DIR}cards.json`, 'utf8')) as Array<{ id: string; file: string; scale: number }>
  return list.map((c) => ({ id: c.id, html: readFileSync(DIR + c.file, 'utf8'), scale: c.scale }))
}

/** The Roboto faces the cards use, as files, so every peer renders with the same fonts. */
export function robotoFile(weight: number, style: 'normal' | 'italic' = 'normal'): string {
  return fileURLToPath(new URL(`../../node_modules/@fontsource/roboto/files/roboto-latin-${weight}-${style}.woff2`, import.meta.url))
}
export const CARD_WEIGHTS = [400, 700]
