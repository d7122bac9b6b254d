/**
 * The playground in a real browser (Debian's chromium through playwright-core) against the
 * shipped server: type credentials, HTML and CSS, see the picture appear, and compare its pixels
 * with the PNG the API serves for the same image.
 */
import t from 'tap'
import { existsSync } from 'node:fs'
import { chromium } from 'playwright-core'
import { decodePng } from '../helper.js'
import { startServer } from './served.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
// As the machine notes say: without the background-networking flags Chromium keeps dialling out.
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']

t.test('render a card in the playground', async (t) => {
  // No browser is a failure, not a skip: .ci/run installs Debian's chromium.
  t.ok(existsSync(CHROMIUM), `a browser at ${CHROMIUM} (apt-get install chromium)`)
  const served = await startServer(t)
  const auth = await served.addUser('play')
  const [user, key] = Buffer.from(auth.slice('Basic '.length), 'base64').toString().split(':') as [string, string]
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS })
  t.teardown(() => browser.close())
  const page = await browser.newPage()
  await page.goto(`${served.base}/playground`)
  await page.uncheck('#live')
  await page.fill('#user', user)
  await page.fill('#key', key)
  await page.fill('#html', '<div class="c">Playground <i>card</i></div>')
  await page.fill('#css', '.c { width: 320px; height: 90px; background: #16a34a; color: #fff; font: 28px Roboto; padding: 12px }')
  await page.fill('#device_scale', '1')
  await page.click('#render')
  await page.waitForFunction(() => {
    const img = document.getElementById('result') as HTMLImageElement | null
    return img !== null && img.complete && img.naturalWidth > 0
  }, undefined, { timeout: 30_000 })

  const shown = await page.evaluate(() => {
    const img = document.getElementById('result') as HTMLImageElement
    const canvas = document.createElement('canvas')
    canvas.width = img.naturalWidth
    canvas.height = img.naturalHeight
    const ctx = canvas.getContext('2d')!
    ctx.drawImage(img, 0, 0)
    return { src: img.src, width: canvas.width, height: canvas.height, rgba: Array.from(ctx.getImageData(0, 0, canvas.width, canvas.height).data) }
  })
  t.same({ width: shown.width, height: shown.height }, { width: 344, height: 114 }, 'the card with its padding, at device scale 1')
  const png = decodePng(Buffer.from(await (await fetch(shown.src)).arrayBuffer()))
  let differing = 0
  for (let i = 0; i < png.data.length; i++) if (Math.abs(png.data[i]! - shown.rgba[i]!) > 2) differing++
  t.equal(differing, 0, 'the picture in the page is the PNG the API serves, pixel for pixel')
  t.match(await page.textContent('#timings'), /parse [\d.]+ ms · layout [\d.]+ ms · raster [\d.]+ ms · encode [\d.]+ ms · store [\d.]+ ms/, 'stage timings shown')
  t.equal(await page.textContent('#url'), shown.src, 'the returned URL shown')
  t.equal(await page.textContent('#dropped'), '—', 'nothing dropped')

  // Something the renderer drops is shown beside the picture.
  await page.fill('#css', '.c { width: 320px; height: 90px; background: #16a34a; writing-mode: vertical-rl }')
  await page.click('#render')
  await page.waitForFunction(() => document.getElementById('dropped')!.textContent !== '—', undefined, { timeout: 30_000 })
  t.match(await page.textContent('#dropped'), /writing-mode|writingMode/i)
  t.equal(await page.evaluate(() => sessionStorage.getItem('vellum.user')), user, 'credentials kept in this tab only')
})
