/**
 * The user-agent stylesheet: Chromium's defaults (html.css) for the elements people put in
 * cards, reduced to what satori understands. It is the first sheet in the cascade, so any
 * author rule wins over it.
 */
export const USER_AGENT_CSS = `
html, body, div, p, h1, h2, h3, h4, h5, h6, ul, ol, li, pre, blockquote, figure, figcaption,
header, footer, main, section, article, aside, nav, address, hr, dl, dt, dd, form, fieldset { display: block; }
body { margin: 8px; }
p { margin: 1em 0; }
h1 { font-size: 2em; margin: 0.67em 0; font-weight: bold; }
h2 { font-size: 1.5em; margin: 0.83em 0; font-weight: bold; }
h3 { font-size: 1.17em; margin: 1em 0; font-weight: bold; }
h4 { font-size: 1em; margin: 1.33em 0; font-weight: bold; }
h5 { font-size: 0.83em; margin: 1.67em 0; font-weight: bold; }
h6 { font-size: 0.67em; margin: 2.33em 0; font-weight: bold; }
ul, ol { margin: 1em 0; padding-left: 40px; }
ul ul, ol ol, ul ol, ol ul { margin: 0; }
dl { margin: 1em 0; }
dd { margin-left: 40px; }
blockquote, figure { margin: 1em 40px; }
pre { margin: 1em 0; white-space: pre; }
code, kbd, pre, samp, tt { font-family: monospace; font-size: 13px; }
b, strong, th { font-weight: bold; }
i, em, cite, var, dfn, address { font-style: italic; }
u, ins { text-decoration: underline; }
s, strike, del { text-decoration: line-through; }
small { font-size: 13px; }
big { font-size: larger; }
mark { background-color: yellow; color: black; }
sub { vertical-align: sub; font-size: 13px; }
sup { vertical-align: super; font-size: 13px; }
a { color: #0000ee; text-decoration: underline; }
hr { margin: 8px 0; border-top: 1px solid #9a9a9a; border-bottom: 1px solid #eeeeee; height: 0; }
span, a, b, strong, i, em, u, s, small, mark, code, kbd, sub, sup, label, abbr, cite, q, time { display: inline; }
img, svg { display: inline-block; }
`
