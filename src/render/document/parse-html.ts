/**
 * The HTML parse (parse5, htmlparser2 tree), with the one fact about the source that the tree
 * cannot tell: whether `<html>`, `<head>` or `<body>` were written out (a whole page, laid out
 * at the viewport) or implied by the parser (a snippet, cropped to its content). The parser's
 * own start-tag tokens answer it, so markup inside comments, `<script>`, attribute values or
 * `&lt;body&gt;` text never counts, as a regex over the raw string would.
 * Source locations would answer it too, but cost the tokenizer ~1.7× on large pages (measured).
 */
import { Parser, html as HTML } from 'parse5'
import { adapter, type Htmlparser2TreeAdapterMap } from 'parse5-htmlparser2-tree-adapter'
import type { Document } from 'domhandler'

const DOCUMENT_TAGS = new Set<number>([HTML.TAG_ID.HTML, HTML.TAG_ID.HEAD, HTML.TAG_ID.BODY])

class DocumentParser extends Parser<Htmlparser2TreeAdapterMap> {
  wroteDocumentTag = false

  override onStartTag(token: Parameters<Parser<Htmlparser2TreeAdapterMap>['onStartTag']>[0]): void {
    if (DOCUMENT_TAGS.has(token.tagID)) this.wroteDocumentTag = true
    super.onStartTag(token)
  }
}

export interface ParsedHtml {
  doc: Document
  /** True when the source wrote `<html>`, `<head>` or `<body>` itself. */
  isFullDocument: boolean
}

export function parseHtml(html: string): ParsedHtml {
  const parser = new DocumentParser({ treeAdapter: adapter })
  parser.tokenizer.write(html, true)
  return { doc: parser.document as unknown as Document, isFullDocument: parser.wroteDocumentTag }
}

/** Whether `html` is a whole page (same answer as the render's parse; used by test tooling). */
export function isFullDocument(html: string): boolean {
  return parseHtml(html).isFullDocument
}
