/**
 * @module
 * The remote key cache: one set per source, fresh for its lifetime, refreshed by one request
 * however many callers wait (single flight), refetched for unknown `kid`s at most once per
 * cooldown, and served stale up to a bound while refreshes fail. Once warm, a set is
 * refreshed ahead of its expiry, in the background, by the first request that sees it near
 * the end of its freshness (refresh-ahead): that request and every other keep verifying with
 * the current set, so none waits on the refresh. Time comes from the verifier's clock and is
 * compared on access: no timer drives expiry or the refresh. The only timers bound a wait on a
 * fetch in progress, and are cleared when it settles, so none outlives a request.
 */
import { BearerError } from '../errors/bearer-error.js'
import { freshnessLifetime } from './cache-control.js'
import { FetchFailure } from './fetch-json.js'
import { monotonicMs } from '../lib/clock.js'
import type { ResolvedCacheOptions } from './jwks-cache-options.js'
import type { KeySet } from './key-set.js'
import type { KeySourceContext } from './key-source.js'
import { parseSnapshot, type JwksSnapshot, type KeyStore } from './key-store.js'

/** One successful load: the validated set and what the response said about freshness. */
export interface LoadedJwks {
  readonly set: KeySet
  readonly uri: string
  readonly status: number
  readonly headers: Headers
  /** The document as fetched, for a key store (a set without one is not stored). */
  readonly document?: unknown
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

/** A key store as one cache uses it: where, under which key, and how a stored document becomes a set. */
export interface JwksStoreBinding {
  readonly store: KeyStore
  readonly key: string
  /** Validates a stored document as a fetched one would be; a string says why it is unusable. */
  restore(document: unknown): KeySet | string
}

/**
 * Grace past a load's own deadlines before a waiter gives up on it: those deadlines normally
 * answer first, with the precise failure.
 */
export const WAIT_GRACE_MS = 1000

/** The longest a cold start waits on the key store before fetching as if it were empty. */
export const STORE_READ_TIMEOUT_MS = 1000

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

/**
 * Refresh-ahead starts this share of a set's lifetime before it ends, or earlier when the key
 * server is slow: at least twice the last load's duration ahead, so a refresh that takes as
 * long as the last one still lands while the current set is fresh.
 */
export const REFRESH_AHEAD_SHARE = 0.2

/** When a set fetched at `t` and fresh for `lifetime` ms should start its background refresh. */
export function refreshAheadAt(t: number, lifetime: number, lastLoadMs: number): number {
  const lead = Math.min(lifetime, Math.max(lifetime * REFRESH_AHEAD_SHARE, 2 * lastLoadMs))
  return t + lifetime - lead
}

/** Builds the cache for one key source. */
export function createJwksCache(ctx: KeySourceContext, o: ResolvedCacheOptions, loader: JwksLoader, binding?: JwksStoreBinding): JwksCache {
  let set: KeySet | undefined
  let fetchedAt = -Infinity
  let freshUntil = -Infinity
  let staleUntil = -Infinity
  /** From here on, the first request that finds the set fresh starts a background refresh. */
  let refreshAt = Infinity
  /** Start of the fetch in flight, to time it. */
  let flightStarted = -Infinity
  /** The key store has been read (once, while there is no set), or is being read. */
  let storeRead = binding === undefined
  let restoring: Promise<void> | undefined
  /** Start of the last fetch attempt, successful or not: the cooldown counts from here. */
  let lastAttempt = -Infinity
  /** When the last attempt started on the monotonic clock, for `durationMs` in its event. */
  let attemptStarted = 0
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
    refreshAt = refreshAheadAt(t, lifetime, Math.max(0, t - flightStarted))
    lastFailure = undefined
    inFlight = undefined
    ctx.onEvent({ type: 'jwks_fetch', uri: loaded.uri, status: loaded.status, keys: loaded.set.keys.length, maxAge: seconds(lifetime), durationMs: monotonicMs() - attemptStarted })
    if (binding !== undefined && loaded.document !== undefined) persist(binding, loaded, t)
    return loaded.set
  }

  /** Writes a fetched set to the store, in the background; a failure is an event, never a request's. */
  function persist(b: JwksStoreBinding, loaded: LoadedJwks, t: number): void {
    const snapshot: JwksSnapshot = { v: 1, key: b.key, uri: loaded.uri, fetchedAt: t, freshUntil, jwks: loaded.document }
    const ttl = Math.max(1, Math.ceil((staleUntil - t) / 1000))
    Promise.resolve()
      .then(() => b.store.set(b.key, JSON.stringify(snapshot), ttl))
      .catch((err: unknown) => storeError('set', err))
  }

  function storeError(operation: 'get' | 'set', err: unknown): void {
    ctx.onEvent({ type: 'jwks_store_error', uri: loader.label(), operation, error: String((err as Error)?.message ?? err).slice(0, 200) })
  }

  /**
   * Cold start: the set another instance (or a deploy-time snapshot) stored, if any. Its
   * freshness is what its writer found, capped by this cache's own longest lifetime from its
   * fetch; past freshness it is only a stale fallback, within this cache's staleIfError.
   */
  function restore(): Promise<void> {
    restoring ??= (async () => {
      try {
        const raw = await binding!.store.get(binding!.key)
        if (raw !== undefined && raw !== null) adopt(raw)
      } catch (err) {
        storeError('get', err)
      } finally {
        storeRead = true
        restoring = undefined
      }
    })()
    // A store that does not answer in time is skipped (read as empty), not waited on.
    let timer: ReturnType<typeof setTimeout> | undefined
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        storeRead = true
        storeError('get', new Error(`no answer within ${STORE_READ_TIMEOUT_MS} ms`))
        resolve()
      }, STORE_READ_TIMEOUT_MS)
    })
    return Promise.race([restoring, bound]).finally(() => clearTimeout(timer))
  }

  function adopt(raw: string): void {
    const t = ctx.now()
    const snapshot = parseSnapshot(raw)
    const restored = snapshot?.key === binding!.key ? binding!.restore(snapshot.jwks) : 'not a key-set snapshot for this source'
    if (typeof restored === 'string') return storeError('get', new Error(`stored entry unusable: ${restored}`))
    if (set !== undefined || snapshot!.fetchedAt > t + 60_000) return
    const longest = Math.max(o.maxAgeMs, o.bounds?.maxMs ?? 0)
    const until = Math.min(snapshot!.freshUntil, snapshot!.fetchedAt + longest)
    if (t >= until + o.staleIfErrorMs) return
    set = restored
    fetchedAt = snapshot!.fetchedAt
    freshUntil = until
    staleUntil = until + o.staleIfErrorMs
    refreshAt = refreshAheadAt(fetchedAt, until - fetchedAt, 0)
    ctx.onEvent({ type: 'jwks_restored', uri: snapshot!.uri, age: seconds(t - fetchedAt), maxAge: seconds(until - fetchedAt) })
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
    ctx.onEvent({ type: 'jwks_error', uri: failure.url, code: failure.code, error: failure.message, durationMs: monotonicMs() - attemptStarted, ...(failure.status === undefined ? {} : { status: failure.status }) })
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
      lastAttempt = flightStarted = ctx.now()
      attemptStarted = monotonicMs()
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
    if (!storeRead && set === undefined) await restore()
    const usable = fresh()
    if (usable) return usable
    const t = ctx.now()
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

  /**
   * The set while fresh; near its end, also starts the background refresh (one at a time, and
   * never within the cooldown of the last attempt, as for any fetch). The refresh's outcome
   * reaches later requests only: a failure is recorded (events, cooldown) and the current set
   * serves until its freshness ends, then the usual rules (stale if error, 503) apply.
   */
  function fresh(): KeySet | undefined {
    if (set === undefined) return undefined
    const t = ctx.now()
    if (t >= freshUntil) return undefined
    if (t >= refreshAt && inFlight === undefined && t - lastAttempt >= o.cooldownMs) {
      ctx.onEvent({ type: 'jwks_refresh', uri: loader.label(), expiresIn: seconds(freshUntil - t) })
      refresh().catch(() => {
        // Recorded by the flight itself (jwks_error, cooldown); nobody waits on this one.
      })
    }
    return set
  }

  return {
    fresh,
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
      if (!storeRead && set === undefined) await restore()
      if (fresh()) return
      try {
        await refresh()
      } catch (err) {
        throw unavailable(err)
      }
    },
  }
}
