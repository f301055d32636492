/**
 * @module
 * The remote key cache: one set per source, fresh for its lifetime, refreshed by one request
 * however many callers wait (single flight), refetched for unknown `kid`s at most once per
 * cooldown, and served stale up to a bound while refreshes fail. Time comes from the
 * verifier's clock and is compared on access: no timer drives expiry. The only timers bound a
 * wait on a fetch in progress, and are cleared when it settles, so none outlives a request.
 */
import { BearerError } from '../errors/bearer-error.js'
import { freshnessLifetime } from './cache-control.js'
import { FetchFailure } from './fetch-json.js'
import type { ResolvedCacheOptions } from './jwks-cache-options.js'
import type { KeySet } from './key-set.js'
import type { KeySourceContext } from './key-source.js'

/** One successful load: the validated set and what the response said about freshness. */
export interface LoadedJwks {
  readonly set: KeySet
  readonly uri: string
  readonly status: number
  readonly headers: Headers
}

/** Where the cache gets its sets from. */
export interface JwksLoader {
  /** The URL to name in events (the JWKS URL, or the discovery URL before discovery). */
  label(): string
  /** Fetches and validates a set, or throws a `FetchFailure`. */
  load(): Promise<LoadedJwks>
  /** The longest a `load()` starting now may take by its own deadlines, in milliseconds. */
  maxDurationMs(): number
}

/**
 * Grace past a load's own deadlines before a waiter gives up on it: those deadlines normally
 * answer first, with the precise failure.
 */
export const WAIT_GRACE_MS = 1000

export interface JwksCache {
  /** The set while it is fresh: the synchronous fast path. */
  fresh(): KeySet | undefined
  /** A usable set: fresh, refreshed, or stale within the bound. Rejects with 503 `jwks_unavailable`. */
  current(): Promise<KeySet>
  /** After an unknown `kid`: a refetched set, or `undefined` during the cooldown. */
  kidMiss(kid: string): Promise<KeySet> | undefined
  /** Loads now unless the set is fresh, whatever the cooldown. */
  warm(): Promise<void>
}

const seconds = (ms: number): number => Math.max(0, Math.round(ms / 1000))

/** Builds the cache for one key source. */
export function createJwksCache(ctx: KeySourceContext, o: ResolvedCacheOptions, loader: JwksLoader): JwksCache {
  let set: KeySet | undefined
  let fetchedAt = -Infinity
  let freshUntil = -Infinity
  let staleUntil = -Infinity
  /** Start of the last fetch attempt, successful or not: the cooldown counts from here. */
  let lastAttempt = -Infinity
  let lastFailure: FetchFailure | undefined
  let inFlight: Promise<KeySet> | undefined

  const unavailable = (cause: unknown): BearerError => new BearerError('jwks_unavailable', { cause })

  function lifetimeMs(headers: Headers, t: number): number {
    if (!o.bounds) return o.maxAgeMs
    const advertised = freshnessLifetime(headers, t)
    if (advertised === undefined) return o.maxAgeMs
    return Math.min(o.bounds.maxMs, Math.max(o.bounds.minMs, advertised * 1000))
  }

  function succeeded(loaded: LoadedJwks): KeySet {
    const t = ctx.now()
    const lifetime = lifetimeMs(loaded.headers, t)
    set = loaded.set
    fetchedAt = t
    freshUntil = t + lifetime
    staleUntil = freshUntil + o.staleIfErrorMs
    lastFailure = undefined
    inFlight = undefined
    ctx.onEvent({ type: 'jwks_fetch', uri: loaded.uri, status: loaded.status, keys: loaded.set.keys.length, maxAge: seconds(lifetime) })
    return loaded.set
  }

  function failed(err: unknown, flight: Promise<KeySet>): never {
    const failure = err instanceof FetchFailure ? err : new FetchFailure('network', `key source failed: ${String(err)}`, loader.label(), { cause: err })
    if (inFlight === flight) record(failure)
    throw failure
  }

  /** A failed attempt: cooldown from its start, stale set if any, and the events saying so. */
  function record(failure: FetchFailure): void {
    inFlight = undefined
    lastFailure = failure
    ctx.onEvent({ type: 'jwks_error', uri: failure.url, code: failure.code, error: failure.message, ...(failure.status === undefined ? {} : { status: failure.status }) })
    const t = ctx.now()
    // Stale only once past its freshness (a failed kid-miss refetch leaves a fresh set fresh).
    if (set && t >= freshUntil && t < staleUntil) ctx.onEvent({ type: 'jwks_stale', uri: loader.label(), age: seconds(t - fetchedAt), remaining: seconds(staleUntil - t) })
  }

  /**
   * Single flight: every caller while a fetch runs shares it, each waiting at most the fetch's
   * own deadlines plus a grace, on a timer of its own. On Cloudflare Workers a fetch belongs
   * to the request that started it: if that request is cancelled (client gone), the fetch and
   * its deadline timer are cancelled too and the shared promise never settles. Without this
   * bound every request waiting on it would hang, and so would every later cold request
   * (panva/jose#355, #509; jose stops sharing fetches on Workers, so N cold requests make N
   * fetches). A waiter past its bound abandons the fetch: the next caller starts a new one.
   */
  function refresh(): Promise<KeySet> {
    let flight = inFlight
    if (!flight) {
      lastAttempt = ctx.now()
      const started: Promise<KeySet> = loader.load().then(
        (loaded) => (inFlight === started ? succeeded(loaded) : loaded.set),
        (err: unknown) => failed(err, started),
      )
      flight = inFlight = started
    }
    return waitFor(flight, loader.maxDurationMs() + WAIT_GRACE_MS)
  }

  function waitFor(flight: Promise<KeySet>, ms: number): Promise<KeySet> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const bound = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        const failure = new FetchFailure('timeout', `the key fetch in progress did not settle within ${ms} ms`, loader.label())
        if (inFlight === flight) record(failure)
        reject(failure)
      }, ms)
    })
    // The timer is cleared as soon as the fetch settles: none outlives the request.
    return Promise.race([flight, bound]).finally(() => clearTimeout(timer))
  }

  async function current(): Promise<KeySet> {
    const t = ctx.now()
    if (set && t < freshUntil) return set
    if (!inFlight && t - lastAttempt < o.cooldownMs) {
      // A fetch was attempted moments ago: answer from what we have rather than ask again.
      if (set && (lastFailure === undefined || t < staleUntil)) return set
      ctx.onEvent({ type: 'jwks_cooldown', uri: loader.label(), retryIn: seconds(lastAttempt + o.cooldownMs - t) })
      throw unavailable(lastFailure)
    }
    try {
      return await refresh()
    } catch (err) {
      // Stale if error: the last good keys keep verifying up to the bound; then 503, never 401.
      if (set && ctx.now() < staleUntil) return set
      throw unavailable(err)
    }
  }

  return {
    fresh: () => (set && ctx.now() < freshUntil ? set : undefined),
    current,
    kidMiss(kid) {
      const refetch = inFlight !== undefined || ctx.now() - lastAttempt >= o.cooldownMs
      // The kid is the caller's text: cap what goes to logs.
      ctx.onEvent({ type: 'kid_miss', uri: loader.label(), kid: kid.length > 128 ? `${kid.slice(0, 128)}…` : kid, refetch })
      if (!refetch) return undefined
      // The kid may be a new key we cannot see: a failed refetch is an outage (503), not a 401.
      return refresh().catch((err: unknown) => {
        throw unavailable(err)
      })
    },
    async warm() {
      if (set && ctx.now() < freshUntil) return
      try {
        await refresh()
      } catch (err) {
        throw unavailable(err)
      }
    },
  }
}
