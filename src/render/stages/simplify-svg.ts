/**
 * Stage 3b: satori's SVG made cheaper to rasterize, drawing the same picture.
 *
 * satori paints every `background-image` gradient through a `<pattern>` whose single tile is a
 * rect filled with the gradient. resvg renders a pattern by drawing the tile into a pixmap of
 * its own and then sampling it as a shader: for a full-card gradient (the most common social
 * card background) that doubles the raster work, 11 of 34 ms on the bench's gradient card.
 * When the tile is exactly the painted box (one tile, no `background-size`, no offset), filling
 * the box with the gradient directly is the same picture: a linear gradient in its default
 * objectBoundingBox units maps onto the box the same way whether the box is the tile's or the
 * element's; a radial one in user-space units moves with the box's corner. Anything else
 * (several tiles, positioned tiles, transformed boxes) is left as satori wrote it.
 */

// satori's output, attribute order included, for a one-tile pattern holding one gradient.
const ONE_TILE_GRADIENT =
  /<pattern id="([^"]+)" x="0" y="0" width="1" height="1" patternUnits="objectBoundingBox">(<(linearGradient|radialGradient) id="([^"]+)"([^>]*)>(?:<stop [^>]*\/>)*<\/\3>)<rect x="0" y="0" width="([\d.]+)" height="([\d.]+)" fill="url\(#\4\)"\/><\/pattern>/g

/**
 * One pass over the SVG: how often each id is referenced by `url(#id)`, and the opening tag of
 * every element that fills with it. (Looking each pattern up separately would make a page of
 * many gradient boxes quadratic.)
 */
function referencesOf(svg: string): { refs: Map<string, number>; fills: Map<string, string[]> } {
  const refs = new Map<string, number>()
  const fills = new Map<string, string[]>()
  for (const m of svg.matchAll(/(fill=")?url\(#([^)"]+)\)/g)) {
    const id = m[2]!
    refs.set(id, (refs.get(id) ?? 0) + 1)
    if (!m[1]) continue
    const tag = svg.slice(svg.lastIndexOf('<', m.index), svg.indexOf('>', m.index) + 1)
    fills.set(id, [...(fills.get(id) ?? []), tag])
  }
  return { refs, fills }
}

function attr(tag: string, name: string): string | undefined {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1]
}

/**
 * The gradient as the box's own fill. In objectBoundingBox units (satori's linear gradients)
 * it maps onto the box as it did onto the tile. In user-space units (its radial ones) its
 * coordinates were relative to the tile's corner, which is the box's corner: they move with it.
 */
function asBoxFill(gradient: string, attrs: string, users: string[]): string | null {
  if (!/gradientUnits="userSpaceOnUse"/.test(attrs)) return gradient
  const corners = new Set(users.map((tag) => `${attr(tag, 'x')} ${attr(tag, 'y')}`))
  const [corner] = corners
  if (corners.size !== 1 || !/^-?[\d.]+ -?[\d.]+$/.test(corner!)) return null
  const open = gradient.slice(0, gradient.indexOf('>'))
  const existing = attr(open, 'gradientTransform')
  const moved =
    existing === undefined
      ? `${open} gradientTransform="translate(${corner})"`
      : open.replace(`gradientTransform="${existing}"`, `gradientTransform="translate(${corner}) ${existing}"`)
  return moved + gradient.slice(open.length)
}

export function simplifySvg(svg: string): string {
  if (!svg.includes('<pattern ')) return svg
  const { refs, fills } = referencesOf(svg)
  const replaced = new Map<string, { fill: string; gradientId: string }>()
  for (const m of svg.matchAll(ONE_TILE_GRADIENT)) {
    const [, patternId, gradient, , gradientId, attrs, width, height] = m as unknown as string[] as [
      string, string, string, string, string, string, string, string,
    ]
    const users = fills.get(patternId) ?? []
    // Each user must be the box the tile was made for: a rect, or the rounded-rect path satori
    // draws for border-radius, both carrying that box's width and height. A transformed box is
    // left alone: resvg antialiases the edges of a transformed pattern tile differently.
    const same =
      users.length > 0 &&
      refs.get(patternId) === users.length && // referenced by fills only
      users.every(
        (tag) => /^<(rect|path)\s/.test(tag) && attr(tag, 'width') === width && attr(tag, 'height') === height && !/\stransform="/.test(tag),
      )
    const fill = same ? asBoxFill(gradient, attrs, users) : null
    if (fill !== null) replaced.set(patternId, { fill, gradientId })
  }
  if (replaced.size === 0) return svg
  return svg
    .replace(ONE_TILE_GRADIENT, (whole: string, patternId: string) => replaced.get(patternId)?.fill ?? whole)
    .replace(/fill="url\(#([^)"]+)\)"/g, (whole: string, id: string) => {
      const r = replaced.get(id)
      return r ? `fill="url(#${r.gradientId})"` : whole
    })
}
