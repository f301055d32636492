/**
 * @module
 * The introspection client of one verifier: one call per token in flight however many
 * requests carry it, answers cached under a keyed digest of the token (never the token), an
 * active answer never reused past the token's `exp` nor the configured `ttl`, a refusal for a
 * few seconds, and every failure of the server a 503 — never a 401 that logs users out, never
 * a 200. Time comes from the verifier's clock.
 */
import { LRUCache } from 'lru-cache'
import { own } from '../lib/own.js'
import { BearerError } from '../errors/bearer-error.js'
import { fetchJson, FetchFailure, type FetchFailureCode } from '../keys/fetch-json.js'
import type { ResolvedIntrospection } from './options.js'
import { readIntrospectionResponse } from './response.js'
import { createTokenDigest } from './token-digest.js'
import type { EndpointResolver } from './endpoint.js'

/**
 * Events an introspecting verifier reports through `onEvent` (never the token, never the
 * client secret): one per call to the server.
 */
export type IntrospectionEvent =
  /** The server answered; `active` is what it said, `durationMs` how long it took. */
  | { readonly type: 'introspection'; readonly endpoint: string; readonly active: boolean; readonly durationMs: number }
  /** The call (or the metadata lookup for the endpoint) failed; the request got 503 `introspection_unavailable`. */
  | { readonly type: 'introspection_error'; readonly endpoint: string; readonly code: FetchFailureCode; readonly error: string }

/** What an active token comes to after the verifier's checks; cached and shared by every request bearing it. */
export interface CheckedToken {
  readonly claims: Readonly<Record<string, unknown>>
  readonly scopes: readonly string[]
  /** Read from the response itself, as a JWT's are from its payload (not from the claims schema's output). */
  readonly roles: readonly string[]
  readonly permissions: readonly string[]
}

export interface IntrospectorContext {
  readonly fetch: typeof fetch
  readonly now: () => number
  readonly onEvent: (event: IntrospectionEvent) => void
  readonly endpoint: EndpointResolver
  /**
   * The verifier's checks of an active response (claims, schema, scopes): throws a
   * `BearerError` to refuse the token. `nowS` is the time of the answer, in seconds.
   */
  readonly check: (response: Record<string, unknown>, nowS: number) => CheckedToken | Promise<CheckedToken>
  /** Seconds of clock tolerance: an active answer is kept until `exp` plus this at the latest. */
  readonly clockTolerance: number
}

/** Asks the server about a token: resolves with the checked token or rejects with a `BearerError`. */
export type Introspector = (token: string) => Promise<CheckedToken>

type Entry = { readonly ok: true; readonly value: CheckedToken; readonly until: number } | { readonly ok: false; readonly error: BearerError; readonly until: number }

/**
 * Grace past the call's own deadline before a waiter gives up on a shared call: on Workers a
 * fetch belongs to the request that started it and dies with it, so a waiter must not rely on it
 * settling (the same bound the key cache keeps; panva/jose#355).
 */
const WAIT_GRACE_MS = 1000

/** Builds the introspector of one verifier. */
export function createIntrospector(r: ResolvedIntrospection, ctx: IntrospectorContext): Introspector {
  const digest = createTokenDigest()
  // ttlResolution 0: no 1 ms timer per TTL check (see verified-token-cache.ts); validity is
  // judged by `until` on the verifier's clock, the LRU ttl only frees memory sooner.
  // Active answers and refusals are kept apart: anyone can send a flood of made-up tokens, and
  // their refusals must not evict the active answers that spare the server (and the users) a call.
  const lru = (): LRUCache<string, Entry> | undefined => (r.cache ? new LRUCache<string, Entry>({ max: r.cache.max, ttlResolution: 0 }) : undefined)
  const active = lru()
  const refused = lru()
  const inFlight = new Map<string, Promise<CheckedToken>>()
  const basic = `Basic ${btoa(`${formEncode(r.clientId)}:${formEncode(r.clientSecret)}`)}`

  function remember(name: string, entry: Entry, now: number): void {
    const ms = Math.ceil(entry.until - now)
    if (!(ms > 0)) return
    const [into, other] = entry.ok ? [active, refused] : [refused, active]
    into?.set(name, entry, { ttl: ms })
    other?.delete(name) // the newer verdict replaces the older one
  }

  function cached(name: string): Entry | undefined {
    if (!active) return undefined
    const now = ctx.now()
    for (const cache of [active, refused!]) {
      const hit = cache.get(name)
      if (hit !== undefined && now < hit.until) return hit
    }
    return undefined
  }

  function unavailable(failure: FetchFailure): BearerError {
    ctx.onEvent({ type: 'introspection_error', endpoint: failure.url, code: failure.code, error: failure.message })
    return new BearerError('introspection_unavailable', { cause: failure })
  }

  async function call(token: string, name: string): Promise<CheckedToken> {
    let endpoint: string
    let body: unknown
    const started = ctx.now()
    try {
      const found = ctx.endpoint()
      endpoint = typeof found === 'string' ? found : await found
    } catch (err) {
      throw unavailable(err instanceof FetchFailure ? err : new FetchFailure('network', String(err), 'introspection_endpoint', { cause: err }))
    }
    // RFC 7662 §2.1: the token, a hint, and the client's authentication.
    const form = new URLSearchParams({ token, token_type_hint: 'access_token' })
    if (r.clientAuth === 'client_secret_post') {
      form.set('client_id', r.clientId)
      form.set('client_secret', r.clientSecret)
    }
    try {
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' }
      if (r.clientAuth === 'client_secret_basic') headers.authorization = basic
      body = (await fetchJson(endpoint, { fetch: ctx.fetch, timeoutMs: r.timeoutMs, maxBytes: r.maxBytes, accept: 'application/json', method: 'POST', body: form, headers })).body
    } catch (err) {
      throw unavailable(err instanceof FetchFailure ? err : new FetchFailure('network', String(err), endpoint, { cause: err }))
    }
    let answer
    try {
      answer = readIntrospectionResponse(body, endpoint)
    } catch (err) {
      throw unavailable(err as FetchFailure)
    }
    const now = ctx.now()
    ctx.onEvent({ type: 'introspection', endpoint, active: answer.active, durationMs: now - started })
    const refusedUntil = now + (r.cache?.negativeTtlMs ?? 0)
    if (!answer.active) {
      const error = new BearerError('token_inactive')
      remember(name, { ok: false, error, until: refusedUntil }, now)
      throw error
    }
    let value: CheckedToken
    try {
      const checked = ctx.check(answer.response, now / 1000)
      value = typeof (checked as Promise<CheckedToken>).then === 'function' ? await checked : (checked as CheckedToken)
    } catch (err) {
      // A refusal of the token itself is as stable as `active: false`: remembered as briefly.
      if (BearerError.is(err) && err.status !== 503) remember(name, { ok: false, error: err, until: refusedUntil }, now)
      throw err
    }
    // RFC 7662 §4: never reuse an answer past the token's exp.
    const exp = own(answer.response, 'exp') as number | undefined
    const until = Math.min(now + (r.cache?.ttlMs ?? 0), exp === undefined ? Infinity : (exp + ctx.clockTolerance) * 1000)
    remember(name, { ok: true, value, until }, now)
    return value
  }

  function waitFor(name: string, flight: Promise<CheckedToken>): Promise<CheckedToken> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const ms = r.timeoutMs + WAIT_GRACE_MS
    const bound = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        // Abandon the call: the next request for this token starts a new one.
        if (inFlight.get(name) === flight) inFlight.delete(name)
        reject(unavailable(new FetchFailure('timeout', `the introspection call in progress did not settle within ${ms} ms`, r.endpoint ?? 'introspection_endpoint')))
      }, ms)
    })
    // The timer is cleared as soon as the call settles: none outlives the request.
    return Promise.race([flight, bound]).finally(() => clearTimeout(timer))
  }

  return async (token) => {
    const name = await digest(token)
    const hit = cached(name)
    if (hit !== undefined) {
      if (hit.ok) return hit.value
      throw hit.error
    }
    let flight = inFlight.get(name)
    if (flight === undefined) {
      const started = call(token, name)
      const settled = (): void => {
        if (inFlight.get(name) === started) inFlight.delete(name)
      }
      started.then(settled, settled)
      inFlight.set(name, started)
      flight = started
    }
    return waitFor(name, flight)
  }
}

/** RFC 6749 §2.3.1: the client id and secret are form-encoded before they go into Basic. */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2)
}
