/**
 * @module
 * A key source over a JWKS URL (`jwksUri` option): fetched with `fetch`, validated key by
 * key, and cached by `jwks-cache.ts` (single flight, cooldown, freshness, stale if error).
 */
import { ConfigError } from '../errors/config-error.js'
import { own } from '../lib/own.js'
import type { Algorithm } from './algorithms.js'
import { fetchJson, FetchFailure } from './fetch-json.js'
import { createJwksCache, type JwksLoader, type JwksStoreBinding, type LoadedJwks } from './jwks-cache.js'
import { resolveCacheOptions, type RemoteJwksOptions, type ResolvedCacheOptions } from './jwks-cache-options.js'
import { buildKeySet, keyOrThrow, selectKey, type KeySet } from './key-set.js'
import type { KeySource, KeySourceContext, KeySourceFactory } from './key-source.js'
import { isKeyStore, storeKey, type KeyStore } from './key-store.js'
import type { VerificationKey } from './verification-key.js'

export type { RemoteJwksOptions } from './jwks-cache-options.js'

/** `remoteJwks` options: the cache settings, and where fetched sets are kept beyond this process. */
export interface RemoteKeySourceOptions extends RemoteJwksOptions {
  /** Keeps fetched key sets (and reads them on a cold start). Default: none, this process only. */
  readonly keyStore?: KeyStore
}

/** Where a remote set lives: a fixed URL, or one found later (discovery). */
export interface JwksLocation {
  /** The URL to name in events before the JWKS URL is known. */
  label(): string
  /** The JWKS URL; may fetch (discovery) and throw a `FetchFailure`. */
  resolve(): string | Promise<string>
  /** Fetches `resolve()` may still make, one after another, before the URL is known. Default 0. */
  pendingFetches?(): number
}

/** A kind of remote key document: how to ask for it and how to read it into a key set. */
export interface KeyDocumentFormat {
  /** The `Accept` header of the request. */
  readonly accept: string
  /** The key set of a parsed document, or a string saying why it is not one. */
  build(document: unknown, allowed: ReadonlySet<Algorithm>): KeySet | string
}

/** A JWK Set (RFC 7517 §5): what `jwksUri` and discovery fetch. */
export const JWKS_FORMAT: KeyDocumentFormat = Object.freeze({ accept: 'application/jwk-set+json, application/json;q=0.9', build: buildKeySet })

/** Fetches and validates one set: a document that is not a key set, or has no usable key, is a failure. */
async function loadSet(ctx: KeySourceContext, o: ResolvedCacheOptions, uri: string, format: KeyDocumentFormat): Promise<LoadedJwks> {
  const response = await fetchJson(uri, { fetch: ctx.fetch, timeoutMs: o.timeoutMs, maxBytes: o.maxBytes, accept: format.accept })
  const set = format.build(response.body, ctx.algorithms)
  if (typeof set === 'string') throw new FetchFailure('not_jwks', set, uri)
  for (const s of set.skipped) ctx.onEvent({ type: 'key_skipped', source: uri, kid: s.kid, reason: s.reason })
  // A set with nothing we can use is a broken deploy at the IdP: keep the last good keys.
  if (set.keys.length === 0) throw new FetchFailure('no_usable_keys', `none of ${set.skipped.length} keys is usable`, uri)
  // Only a JWK Set is kept in a key store (the store's snapshots are JWK Sets).
  return { set, uri, status: response.status, headers: response.headers, ...(format === JWKS_FORMAT ? { document: publicDocument(response.body) } : {}) }
}

/** JWK members that are secret (RFC 7518 §6.2.2, §6.3.2, §6.4.1): never kept in a store. */
const PRIVATE_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'])

/** The set as a store keeps it: the `keys` array only, each key without private members. */
function publicDocument(document: unknown): { keys: unknown[] } {
  const keys = (document as { keys: unknown[] }).keys
  return {
    keys: keys.map((key) =>
      typeof key === 'object' && key !== null && !Array.isArray(key) ? Object.fromEntries(Object.entries(key).filter(([member]) => !PRIVATE_MEMBERS.has(member))) : key,
    ),
  }
}

/** A stored document, validated as a fetched one (without the per-key events). */
function restoreSet(ctx: KeySourceContext, document: unknown): KeySet | string {
  const set = buildKeySet(document, ctx.algorithms)
  if (typeof set !== 'string' && set.keys.length === 0) return `none of ${set.skipped.length} keys is usable`
  return set
}

/** The key source over a cached remote set; shared by `remoteJwks`, discovery and `x509Keys`. */
export function remoteKeySource(
  location: (ctx: KeySourceContext, o: ResolvedCacheOptions) => JwksLocation,
  options: RemoteKeySourceOptions = {},
  format: KeyDocumentFormat = JWKS_FORMAT,
): KeySourceFactory {
  const { keyStore, ...cacheOptions } = options
  if (keyStore !== undefined && !isKeyStore(keyStore)) throw new ConfigError('verifier', 'keyStore', 'expected a key store: { get(key), set(key, value, ttlSeconds) }')
  const o = resolveCacheOptions(cacheOptions)
  return (ctx): KeySource => {
    const where = location(ctx, o)
    const loader: JwksLoader = {
      label: () => where.label(),
      load: async () => loadSet(ctx, o, await where.resolve(), format),
      maxDurationMs: () => o.timeoutMs * (1 + (where.pendingFetches?.() ?? 0)),
    }
    // Keyed by the URL the source is configured with (for discovery, the metadata URL).
    const binding: JwksStoreBinding | undefined = keyStore && { store: keyStore, key: storeKey(where.label()), restore: (doc) => restoreSet(ctx, doc) }
    const cache = createJwksCache(ctx, o, loader, binding)

    function pick(set: KeySet, kid: string | undefined, alg: Algorithm): VerificationKey | Promise<VerificationKey> {
      const selection = selectKey(set, kid, alg)
      if (selection !== 'kid_not_found' || kid === undefined) return keyOrThrow(selection)
      const refetched = cache.kidMiss(kid)
      if (!refetched) return keyOrThrow('kid_not_found')
      return refetched.then((next) => keyOrThrow(selectKey(next, kid, alg)))
    }

    return {
      getKey(header, alg) {
        // Fresh set: answer synchronously, no await on the hot path.
        const set = cache.fresh()
        const kid = own(header, 'kid') as string | undefined
        if (set) return pick(set, kid, alg)
        return cache.current().then((current) => pick(current, kid, alg))
      },
      warm: () => cache.warm(),
    }
  }
}

/**
 * A key source over a remote JWK Set (what `jwksUri` builds). Throws a `ConfigError` (a `TypeError`) for a
 * URL that is not http(s) or settings out of range.
 *
 * Import from `tokengate`.
 *
 * @example
 * createVerifier({ issuer, audience, keys: remoteJwks('https://idp.example.com/.well-known/jwks.json', { cooldown: '1m' }) })
 */
export function remoteJwks(uri: string | URL, options: RemoteKeySourceOptions = {}): KeySourceFactory {
  const url = new URL(uri)
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('verifier', 'jwksUri', `expected an http(s) URL, got a ${url.protocol} URL`)
  const href = url.href
  return remoteKeySource(() => ({ label: () => href, resolve: () => href }), options)
}
