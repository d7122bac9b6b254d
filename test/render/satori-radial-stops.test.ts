/**
 * Gradient colour stops in px are lengths along the gradient ray, as Chromium draws them
 * (patches/satori+0.63.2.patch). satori divided a radial-gradient's px stops by the element's
 * width instead of the ray (the radius of its ending shape: farthest-corner by default,
 * closest-side, explicit radii; rx for an ellipse), so the classic dot grid
 * `radial-gradient(#334155 1.5px, transparent 1.5px)` in a 12px tile put its stop at 1.5/200 of
 * an 8.5px radius and drew nothing. And a `linear-gradient(to bottom right, …)` measured px stops
 * on the diagonal instead of the gradient line (2wh/√(w²+h²) for a corner direction), which
 * moved them towards the corner on any box that is not square. Fails loudly when an upgrade
 * drops the patch.
 */
import t from 'tap'
import { satoriBuildsCarry } from './satori-patch.js'
import { near, pixel, renderPng } from '../helper.js'

satoriBuildsCarry({
  'radial': 'vellumRay=s==="circle"?y.r:y.rx,b=D?',
  'linear': 'h=D.x1!==D.x2&&D.y1!==D.y2?2*a*r/Math.sqrt(a*a+r*r):',
})

const RED = [225, 29, 72]
const BLUE = [37, 99, 235]
const SLATE = [51, 65, 85]

const render = (html: string, width: number, height: number) => renderPng(html, { viewportWidth: width, viewportHeight: height, css: 'body{margin:0}' })

t.test('a dot grid: px stops of a farthest-corner ellipse measure along its ray', async (t) => {
  const png = await render('<div style="width:200px;height:100px;background-image:radial-gradient(#334155 2px,transparent 2px);background-size:12px 12px"></div>', 200, 100)
  // Dots at the middle of every 12px tile; white between them.
  for (const [x, y] of [[6, 6], [18, 6], [102, 54], [186, 90]] as const) t.ok(near(pixel(png, x, y).slice(0, 3), SLATE, 40), `dot at ${x},${y}: ${pixel(png, x, y)}`)
  for (const [x, y] of [[0, 0], [12, 12], [100, 60]] as const) t.ok(near(pixel(png, x, y).slice(0, 3), [255, 255, 255], 8), `gap at ${x},${y}: ${pixel(png, x, y)}`)
})

t.test('an explicit circle radius and closest-side: stops in px from the centre', async (t) => {
  // circle 50px at the centre (100,50): red to 20px, then blue; satori stopped red at 20/200 × 50 = 5px.
  const png = await render('<div style="width:200px;height:100px;background-image:radial-gradient(circle 50px, #e11d48 20px, #2563eb 20px)"></div>', 200, 100)
  t.ok(near(pixel(png, 100, 50).slice(0, 3), RED, 10), `centre: ${pixel(png, 100, 50)}`)
  t.ok(near(pixel(png, 115, 50).slice(0, 3), RED, 10), `15px out: ${pixel(png, 115, 50)}`)
  t.ok(near(pixel(png, 126, 50).slice(0, 3), BLUE, 10), `26px out: ${pixel(png, 126, 50)}`)
  // closest-side ellipse on 200×100: rx 100, ry 50; red to 30px along x (15px along y).
  const side = await render('<div style="width:200px;height:100px;background-image:radial-gradient(closest-side, #e11d48 30px, #2563eb 30px)"></div>', 200, 100)
  t.ok(near(pixel(side, 125, 50).slice(0, 3), RED, 10), `25px right: ${pixel(side, 125, 50)}`)
  t.ok(near(pixel(side, 135, 50).slice(0, 3), BLUE, 10), `35px right: ${pixel(side, 135, 50)}`)
  t.ok(near(pixel(side, 100, 62).slice(0, 3), RED, 10), `12px down: ${pixel(side, 100, 62)}`)
  t.ok(near(pixel(side, 100, 68).slice(0, 3), BLUE, 10), `18px down: ${pixel(side, 100, 68)}`)
})

t.test('linear-gradient to a corner: px stops along the gradient line', async (t) => {
  // 300×100 `to bottom right`: the line is 2·300·100/√(300²+100²) = 189.7px long; the 30px
  // isoline crosses the top edge at x = 30 / (100/316.2) = 94.9 (satori: 57).
  const png = await render('<div style="width:300px;height:100px;background-image:linear-gradient(to bottom right, #e11d48 30px, #2563eb 30px)"></div>', 300, 100)
  t.ok(near(pixel(png, 85, 1).slice(0, 3), RED, 10), `x 85 on the top edge: ${pixel(png, 85, 1)}`)
  t.ok(near(pixel(png, 105, 1).slice(0, 3), BLUE, 10), `x 105 on the top edge: ${pixel(png, 105, 1)}`)
})
