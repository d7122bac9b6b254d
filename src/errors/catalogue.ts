/**
 * Every failure the service knows about, in one place: a stable code, the HTTP status, the
 * short title the hosted API uses in `error`, the message a client sees and, for a fixed
 * message about one request field, that field. Anything not in here reaches the client as a
 * bare 500 with no detail (the cause is only logged).
 */

export interface ValidationIssue {
  path: string
  message: string
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  410: 'Gone',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

export function titleFor(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Internal Server Error' : 'Bad Request')
}

export const catalogue = {
  VALIDATION: { status: 400 },
  HTML_REQUIRED: { status: 400, message: 'HTML is Required', field: 'html' },
  URL_NOT_SUPPORTED: {
    status: 400,
    field: 'url',
    message: 'This server renders HTML only: "url" (page screenshots) is not supported. Send "html" (and "css") instead.',
  },
  TEMPLATE_NOT_FOUND: { status: 404, field: 'template_id', message: 'Template not found' },
  INVALID_TOKEN: { status: 401, message: 'Invalid token' },
  INVALID_JSON: { status: 400 },
  UNAUTHORIZED: { status: 401, message: 'Bad username or password' },
  NOT_FOUND: { status: 404, message: 'Not Found' },
  IMAGE_NOT_FOUND: { status: 404, message: 'Image not found' },
  IMAGE_DELETED: { status: 410, message: 'This image has been deleted' },
  BODY_TOO_LARGE: { status: 413 },
  UNSUPPORTED_MEDIA_TYPE: { status: 415 },
  RENDER_TOO_LARGE: { status: 422 },
  RENDER_OVER_BUDGET: { status: 422 },
  RENDER_TOO_COMPLEX: { status: 422 },
  RENDER_TIMEOUT: { status: 422 },
  RENDER_FAILED: { status: 422 },
  IMAGE_TOO_LARGE: { status: 422 },
  FORMAT_SIZE_EXCEEDED: { status: 422 },
  PLAN_LIMIT: { status: 429, error: 'Plan limit exceeded' },
  QUEUE_FULL: { status: 503, message: 'The render queue is full. Retry shortly.' },
  STORAGE_UNAVAILABLE: { status: 503, message: 'Image storage is unavailable. Retry shortly.' },
  RENDER_CRASHED: { status: 422 },
  INTERNAL: { status: 500, message: 'Internal Server Error' },
} as const satisfies Record<string, { status: number; message?: string; error?: string; field?: string }>

export type ErrorCode = keyof typeof catalogue

export class AppError extends Error {
  readonly status: number
  readonly title: string
  readonly issues: ValidationIssue[] | undefined
  readonly headers: Record<string, string> | undefined

  constructor(
    readonly code: ErrorCode,
    message?: string,
    options: { issues?: ValidationIssue[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    const entry: { status: number; message?: string; error?: string } = catalogue[code]
    super(message ?? entry.message ?? titleFor(entry.status), { cause: options.cause })
    this.name = 'AppError'
    this.status = entry.status
    this.title = entry.error ?? titleFor(entry.status)
    this.issues = options.issues
    this.headers = options.headers
  }

  /** The body in the hosted API's shape; `validation_errors` for the TS/Python clients, `validationErrors` as observed. */
  toBody(): Record<string, unknown> {
    const body: Record<string, unknown> = { statusCode: this.status, error: this.title, message: this.message }
    if (this.code === 'UNAUTHORIZED') body.attributes = { error: this.message }
    if (this.issues?.length) {
      body.validation_errors = this.issues
      body.validationErrors = this.issues
    }
    return body
  }
}

/** One line for all issues; each names its path unless its message already starts with it. */
function issuesMessage(issues: ValidationIssue[]): string {
  return issues.map((i) => (i.path && !i.message.startsWith(i.path) ? `${i.path}: ${i.message}` : i.message)).join('; ')
}

export function validationError(issues: ValidationIssue[]): AppError {
  return new AppError('VALIDATION', issuesMessage(issues), { issues })
}

/**
 * The same error about one part of a batch (`variations[3]`, `default_options`): its message and
 * every issue path start with that scope, so a client knows which part to fix. A message that
 * starts with its field's name keeps reading as a sentence (`variations[3].html is 600000
 * bytes…`); any other gets the path in front (`variations[3].html: HTML is Required`).
 */
export function scopeError(err: AppError, prefix: string): AppError {
  const entry: { status: number; field?: string } = catalogue[err.code]
  const issues = err.issues ?? (entry.field ? [{ path: entry.field, message: err.message }] : undefined)
  if (!issues) return new AppError(err.code, `${prefix}: ${err.message}`, { headers: err.headers, cause: err })
  const scoped = issues.map((i) => ({
    path: `${prefix}.${i.path}`,
    message: i.message.startsWith(`${i.path} `) ? `${prefix}.${i.message}` : i.message,
  }))
  return new AppError(err.code, issuesMessage(scoped), { issues: scoped, headers: err.headers, cause: err })
}
