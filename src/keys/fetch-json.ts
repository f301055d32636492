/**
 * @module
 * One bounded exchange for a JSON document (a JWK Set or a discovery document by GET, an
 * introspection response by POST): a deadline that covers headers and body, a byte cap that
 * does not trust `Content-Length`, no redirects, and a stable `code` for every way it can fail.
 */

/** Why a key or discovery fetch failed: stable strings, reported in `jwks_error` events. */
export type FetchFailureCode =
  | 'timeout'
  | 'network'
  | 'http_status'
  | 'too_large'
  | 'not_json'
  | 'not_jwks'
  | 'no_usable_keys'
  | 'discovery_invalid'
  | 'issuer_mismatch'
  | 'introspection_invalid'

/**
 * A failed fetch of a key set or discovery document. Kept as the `cause` of `jwks_unavailable`:
 * `url` is the document asked for, `status` the HTTP status when the server answered with
 * anything but 200.
 */
export class FetchFailure extends Error {
  override readonly name = 'FetchFailure' as const
  /** The HTTP status, for `http_status` failures. */
  readonly status: number | undefined
  constructor(
    readonly code: FetchFailureCode,
    message: string,
    readonly url: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.status = options?.status
  }
}

export interface FetchJsonOptions {
  readonly fetch: typeof fetch
  /** Milliseconds for the whole exchange, body included (a slow drip is a timeout too). */
  readonly timeoutMs: number
  readonly maxBytes: number
  readonly accept: string
  /** `text`: the body is returned as UTF-8 text, not parsed (a PEM key). Default `json`. */
  readonly parse?: 'json' | 'text'
  /** `POST` with a form body (introspection); default `GET`. */
  readonly method?: 'GET' | 'POST'
  readonly body?: URLSearchParams
  /** More request headers (client authentication). */
  readonly headers?: Readonly<Record<string, string>>
}

/** A parsed JSON body with the response headers (for freshness). */
export interface FetchedJson {
  readonly body: unknown
  readonly headers: Headers
  readonly status: number
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Fetches `url` (GET, or POST with `body`) and parses its body as JSON, or throws a `FetchFailure`. */
export async function fetchJson(url: string, o: FetchJsonOptions): Promise<FetchedJson> {
  // Not AbortSignal.timeout: its timer cannot be cancelled, and where it is a plain setTimeout
  // (Vercel's edge-runtime) it runs on for the whole timeout after every fetch. This timer is
  // cleared when the exchange ends, so none outlives the request (test/edge/ checks it).
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(new DOMException(`no response within ${o.timeoutMs} ms`, 'TimeoutError')), o.timeoutMs)
  try {
    return await exchange(url, o, controller.signal)
  } finally {
    clearTimeout(timer)
  }
}

async function exchange(url: string, o: FetchJsonOptions, signal: AbortSignal): Promise<FetchedJson> {
  let response: Response
  try {
    // Redirects are not followed: a key URL that points elsewhere is a configuration matter.
    const init: RequestInit =
      o.method === 'POST' ? { method: 'POST', headers: { ...o.headers, accept: o.accept }, body: o.body ?? null, redirect: 'manual', signal } : { headers: { ...o.headers, accept: o.accept }, redirect: 'manual', signal }
    response = await beforeDeadline(o.fetch(url, init), signal)
  } catch (cause) {
    throw networkFailure(url, cause, signal, o.timeoutMs)
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => {})
    const what = response.status >= 300 && response.status < 400 ? ' (redirects are not followed)' : ''
    throw new FetchFailure('http_status', `HTTP ${response.status}${what}`, url, { status: response.status })
  }
  const declared = Number(response.headers.get('content-length'))
  if (declared > o.maxBytes) {
    await response.body?.cancel().catch(() => {})
    throw new FetchFailure('too_large', `Content-Length ${declared} exceeds ${o.maxBytes} bytes`, url)
  }
  const bytes = await readCapped(response, url, o, signal)
  let body: unknown
  try {
    const text = utf8.decode(bytes)
    body = o.parse === 'text' ? text : JSON.parse(text)
  } catch (err) {
    // No cause: JSON.parse quotes the text around the error, and a body may echo what was sent
    // (an introspection server quoting the token it was asked about). Only where it failed.
    const at = /position (\d+)/.exec(String((err as Error)?.message))?.[1]
    throw new FetchFailure('not_json', `body is not UTF-8${o.parse === 'text' ? '' : ' JSON'}${at === undefined ? '' : ` (at position ${at})`}`, url)
  }
  return { body, headers: response.headers, status: response.status }
}

/** Settles with `promise`, or rejects when `signal` aborts: an injected fetch may ignore the signal. */
function beforeDeadline<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  let onAbort!: () => void
  const deadline = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
  })
  return Promise.race([promise, deadline]).finally(() => signal.removeEventListener('abort', onAbort))
}

function networkFailure(url: string, cause: unknown, signal: AbortSignal, timeoutMs: number): FetchFailure {
  if (signal.aborted) return new FetchFailure('timeout', `no complete response within ${timeoutMs} ms`, url, { cause })
  const name = (cause as Error | undefined)?.name ?? 'Error'
  // Node's fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND host, a TLS
  // error) is its cause. Name it, so the operator sees why without a debugger.
  const inner = (cause as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause
  const why = typeof inner?.code === 'string' ? inner.code : typeof inner?.message === 'string' ? inner.message.slice(0, 160) : undefined
  return new FetchFailure('network', `fetch failed (${name}${why ? `: ${why}` : ''})`, url, { cause })
}

/** Reads the body, failing as soon as it passes `maxBytes` or the deadline passes. */
async function readCapped(response: Response, url: string, o: FetchJsonOptions, signal: AbortSignal): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(0)
  const reader = response.body.getReader()
  // An injected fetch may ignore `signal` for the body: cancel the reader ourselves.
  const onAbort = (): void => void reader.cancel().catch(() => {})
  signal.addEventListener('abort', onAbort, { once: true })
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (signal.aborted) throw new FetchFailure('timeout', `no complete response within ${o.timeoutMs} ms`, url)
      if (done) break
      total += value.byteLength
      if (total > o.maxBytes) {
        await reader.cancel().catch(() => {})
        throw new FetchFailure('too_large', `body exceeds ${o.maxBytes} bytes`, url)
      }
      chunks.push(value)
    }
  } catch (cause) {
    if (cause instanceof FetchFailure) throw cause
    throw networkFailure(url, cause, signal, o.timeoutMs)
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
  const body = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    body.set(chunk, offset)
    offset += chunk.byteLength
  }
  return body
}
