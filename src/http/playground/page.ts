/**
 * The playground page: HTML and CSS on the left, the picture the real API renders on the right,
 * with the create call's options, the image URL, what the renderer dropped and its stage times.
 * It calls POST /v1/image with the user id and key typed into it; they stay in this tab's
 * sessionStorage only. One self-contained page (no build step, no CDN), kept as a string so the
 * bundle carries it.
 */
export const PLAYGROUND_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Vellum playground</title>
<style>
  * { box-sizing: border-box }
  body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: #0f172a; background: #f1f5f9 }
  header { display: flex; gap: 12px; align-items: center; padding: 10px 16px; background: #0f172a; color: #fff; flex-wrap: wrap }
  header h1 { font-size: 16px; margin: 0 12px 0 0 }
  header input { width: 180px }
  header a { color: #93c5fd }
  main { display: grid; grid-template-columns: minmax(320px, 1fr) minmax(320px, 1fr); gap: 16px; padding: 16px }
  section { display: flex; flex-direction: column; gap: 8px; min-width: 0 }
  label { font-weight: 600; font-size: 12px; text-transform: uppercase; color: #475569 }
  textarea { width: 100%; min-height: 180px; font: 13px/1.4 ui-monospace, monospace; padding: 8px; border: 1px solid #cbd5e1; border-radius: 6px }
  input, select { padding: 4px 6px; border: 1px solid #cbd5e1; border-radius: 4px; font: inherit }
  .options { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 8px }
  .options div { display: flex; flex-direction: column; gap: 2px }
  button { padding: 8px 16px; border: 0; border-radius: 6px; background: #2563eb; color: #fff; font-weight: 600; cursor: pointer }
  #preview { min-height: 120px; background: repeating-conic-gradient(#e2e8f0 0 25%, #fff 0 50%) 0 0 / 16px 16px; border: 1px solid #cbd5e1; border-radius: 6px; padding: 8px; overflow: auto }
  #preview img { display: block; max-width: 100% }
  #status { min-height: 1.4em }
  #status.error { color: #b91c1c }
  table { border-collapse: collapse } td { padding: 2px 12px 2px 0 }
  code { word-break: break-all }
</style>
</head>
<body>
<header>
  <h1>Vellum playground</h1>
  <input id="user" placeholder="user id" autocomplete="username">
  <input id="key" type="password" placeholder="API key" autocomplete="current-password">
  <a href="/docs">API reference</a>
</header>
<main>
  <section>
    <label for="html">HTML</label>
    <textarea id="html" spellcheck="false"><div class="card">Hello <b>world</b> &amp; friends</div></textarea>
    <label for="css">CSS</label>
    <textarea id="css" spellcheck="false">.card { width: 600px; padding: 40px; font: 48px Roboto; background: #0f172a; color: #fff }</textarea>
    <div class="options">
      <div><label for="google_fonts">google_fonts</label><input id="google_fonts" placeholder="Inter|Lobster"></div>
      <div><label for="selector">selector</label><input id="selector"></div>
      <div><label for="device_scale">device_scale</label><input id="device_scale" type="number" min="0.1" max="3" step="0.1" value="1"></div>
      <div><label for="viewport_width">viewport_width</label><input id="viewport_width" type="number" min="1" max="6000"></div>
      <div><label for="viewport_height">viewport_height</label><input id="viewport_height" type="number" min="1" max="6000"></div>
      <div><label for="format">format</label><select id="format"><option>png</option><option>jpg</option><option>webp</option></select></div>
      <div><label><input id="transparent_background" type="checkbox"> transparent</label></div>
      <div><label><input id="live" type="checkbox" checked> live preview</label></div>
    </div>
    <button id="render">Render</button>
  </section>
  <section>
    <label>Preview</label>
    <div id="status"></div>
    <div id="preview"></div>
    <table>
      <tr><td>URL</td><td><a id="url" target="_blank"></a></td></tr>
      <tr><td>dropped CSS</td><td><code id="dropped">—</code></td></tr>
      <tr><td>stages</td><td id="timings">—</td></tr>
    </table>
  </section>
</main>
<script>
(() => {
  const $ = (id) => document.getElementById(id)
  // Credentials live in this tab only (sessionStorage), never in the page or a cookie.
  for (const id of ['user', 'key']) {
    $(id).value = sessionStorage.getItem('vellum.' + id) || ''
    $(id).addEventListener('input', () => sessionStorage.setItem('vellum.' + id, $(id).value))
  }
  const body = () => {
    const b = { html: $('html').value, css: $('css').value, format: $('format').value, transparent_background: $('transparent_background').checked }
    for (const id of ['google_fonts', 'selector']) if ($(id).value.trim()) b[id] = $(id).value.trim()
    for (const id of ['device_scale', 'viewport_width', 'viewport_height']) if ($(id).value !== '') b[id] = Number($(id).value)
    return b
  }
  let seq = 0
  async function render() {
    const mine = ++seq
    $('status').className = ''
    $('status').textContent = 'rendering…'
    try {
      const res = await fetch('/v1/image', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Basic ' + btoa(unescape(encodeURIComponent($('user').value + ':' + $('key').value))) },
        body: JSON.stringify(body()),
      })
      const json = await res.json()
      if (mine !== seq) return
      if (!res.ok) throw new Error(json.message || res.statusText)
      const img = new Image()
      img.id = 'result'
      img.alt = 'rendered image'
      img.onload = () => { if (mine === seq) $('status').textContent = img.naturalWidth + '×' + img.naturalHeight }
      img.src = json.url
      $('preview').replaceChildren(img)
      $('url').href = json.url
      $('url').textContent = json.url
      $('dropped').textContent = res.headers.get('x-vellum-dropped-css') || '—'
      const timing = res.headers.get('server-timing')
      $('timings').textContent = timing ? timing.split(',').map((s) => s.trim().replace(';dur=', ' ') + ' ms').join(' · ') : 'dedupe hit: no render'
    } catch (err) {
      if (mine !== seq) return
      $('status').className = 'error'
      $('status').textContent = err.message
    }
  }
  let timer
  const later = () => { if ($('live').checked) { clearTimeout(timer); timer = setTimeout(render, 400) } }
  for (const el of document.querySelectorAll('textarea, .options input, .options select')) el.addEventListener('input', later)
  $('render').addEventListener('click', render)
})()
</script>
</body>
</html>
`
