import { loadCards } from '../lib/cards.js'
import { containerRun } from '../container.js'
const cards = loadCards()
const limits = process.argv.slice(2).map(Number)
for (const l of limits) {
  const r = await containerRun(cards, l, Number(process.env.S ?? 30))
  console.log(JSON.stringify(r))
}
