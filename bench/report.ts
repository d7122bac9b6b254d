/** The report's chart, drawn by Vellum's own pipeline from an HTML bar chart. */
import { createRenderer } from '../src/render/pipeline.js'
import { renderLimits } from '../src/container.js'
import { configFrom } from '../src/config/load-config.js'

const COLOURS = ['#4f46e5', '#a855f7', '#f97316', '#64748b']

export async function renderChart(rows: Array<{ card: string; series: Record<string, number> }>): Promise<Buffer> {
  const names = Object.keys(rows[0]?.series ?? {})
  const max = Math.max(1, ...rows.flatMap((r) => Object.values(r.series).filter(Number.isFinite)))
  const bar = (v: number, i: number) =>
    Number.isFinite(v)
      ? `<div style="display:flex;align-items:center;height:18px;margin:2px 0"><div style="width:${Math.max(1, (v / max) * 600)}px;height:14px;background:${COLOURS[i % 4]}"></div><span style="margin-left:6px;font-size:12px">${v.toFixed(1)} ms</span></div>`
      : `<div style="height:18px;margin:2px 0;font-size:12px;color:#94a3b8">not measured</div>`
  const html = `<div style="width:900px;padding:24px;font-family:Roboto;background:#fff;color:#0f172a">
  <div style="font-size:22px;font-weight:700;margin-bottom:8px">Render latency per card, p50 (lower is better)</div>
  <div style="display:flex;gap:16px;margin-bottom:12px">${names.map((n, i) => `<div style="display:flex;align-items:center;font-size:13px"><div style="width:12px;height:12px;background:${COLOURS[i % 4]};margin-right:6px"></div>${n}</div>`).join('')}</div>
  ${rows.map((r) => `<div style="display:flex;margin:8px 0"><div style="width:140px;font-size:14px;padding-top:4px">${r.card}</div><div style="display:flex;flex-direction:column">${names.map((n, i) => bar(r.series[n]!, i)).join('')}</div></div>`).join('\n')}
</div>`
  const out = await createRenderer().render({
    params: { html, css: '', googleFonts: [], selector: undefined, deviceScale: 1, viewportWidth: undefined, viewportHeight: undefined, transparentBackground: false, disableTwemoji: false },
    limits: renderLimits(configFrom()),
    fonts: [],
    images: {},
  })
  return Buffer.from(out.png)
}
