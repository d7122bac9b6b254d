/**
 * `ch`, `ex` and `ic` measure the element's own first available font (CSS Values 4), through
 * patches/satori+0.63.2.patch. satori resolved an element's lengths with its parent's `ch`
 * (the "0" of the parent's font), so `width:38ch;font:14px monospace` under a Roboto page was
 * 38 Roboto zeros (298 px) where Chromium has 38 Roboto Mono zeros (320 px); `ex` was a fixed
 * 0.5em and `ic` was not a unit at all (the width was dropped). Case 111-ch-receipt: 11.76 →
 * 0.52 %, ink 21.11 → 1.06 %. `font-size` in `ch` still takes the parent's font, as it must.
 * Fails loudly when an upgrade drops the patch.
 */
import t from 'tap'
import { satoriBuildsCarry } from './satori-patch.js'
import { createRenderer } from '../../src/render/pipeline.js'
import { decodePng, renderJob } from '../helper.js'

satoriBuildsCarry({
  'lengths resolved with the own font': 'vuC=vellumFont.getChRatio(vuF),vuX=vellumFont.getExRatio(vuF)',
  'the font engine handed to the style resolver': ',h,Q,i,vellumFont))',
  'ex from the x-height, ic as 1em': 'case"ex":return Q*g*(C._exRatio||.5);case"ic":return Q*g;',
  'x-height lookup': 'getExRatio(g){',
})

t.test('widths in ch, ex and ic are the widths Chromium draws with the same fonts', async (t) => {
  const renderer = createRenderer()
  // Chromium (test/fidelity/chromium-reference.ts setup), crop mode: the picture is the box.
  const chromium: Array<[string, number]> = [
    ['width:38ch;font:14px monospace', 320], // Roboto Mono "0" = 0.6em
    ['width:38ch;font:bold 14px monospace', 320],
    ['width:38ch;font:14px Roboto', 299], // Roboto "0" = 1150/2048 em
    ['width:38ch;font:14px serif', 298],
    ['width:40ex;font:14px Roboto', 296], // OS/2 sxHeight 1082/2048 em
    ['width:40ex;font:14px serif', 301],
    ['width:10ic;font:14px Roboto', 140], // no 水 in Roboto: 1em
  ]
  for (const [style, width] of chromium) {
    const out = await renderer.render(renderJob(`<div style="font:16px Roboto;float:left"><div style="${style};height:3px;background:#000"></div></div>`))
    t.equal(decodePng(Buffer.from(out.png)).width, width, style)
  }
})

t.test('font-size in ch takes the parent font, the other lengths the element font', async (t) => {
  const renderer = createRenderer()
  // Chromium: 95 px both ways (Roboto parent: 2 × 7.86 = 15.72px, 10 Roboto Mono zeros = 94.3;
  // Roboto Mono parent: 16.8px, 10 Roboto zeros = 94.3). Parent ch for both would give 88 / 101.
  for (const [parent, child] of [['Roboto', 'monospace'], ['monospace', 'Roboto']]) {
    const html = `<div style="font:14px ${parent};float:left"><div style="font-family:${child};font-size:2ch;width:10ch;height:3px;background:#000"></div></div>`
    t.equal(decodePng(Buffer.from((await renderer.render(renderJob(html))).png)).width, 95, `${parent} → ${child}`)
  }
})
