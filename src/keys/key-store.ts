/**
 * @module
 * The key-set store seam (`keyStore`): where remote key sets live beyond one process, so a
 * cold start (a new Lambda, a new Worker isolate, a restarted container) verifies with keys
 * another instance fetched instead of waiting on the key server. The JWKS cache reads the
 * store once, when it has no set, and writes every set it fetches; freshness and stale rules
 * are the same as for a set it fetched itself (the reader's own bounds cap a stored lifetime).
 *
 * A store holds strings: the entry is JSON (`JwksSnapshot`), so Redis, Workers KV, the Workers
 * Cache API, a file or a Map all fit. Whoever can write to the store can hand the verifier
 * keys: give it the trust you give the key server (stored sets are validated key by key
 * again, as fetched ones are).
 */

/**
 * A place to keep key sets: `get` and `set` of strings, each may be synchronous or return a
 * promise. Implementations: `memoryKeyStore`, `kvKeyStore`, `cacheKeyStore` (`tokengate`),
 * `redisKeyStore` (`tokengate/redis`), `fileKeyStore` (`tokengate/fs`).
 *
 * Import from `tokengate`.
 *
 * @example
 * const keyStore: KeyStore = { get: (key) => map.get(key), set: (key, value) => void map.set(key, value) }
 * createVerifier({ issuer, audience, jwksUri, keyStore })
 */
export interface KeyStore {
  /** The value stored under `key`, or `undefined` (`null` is taken as absent too). */
  get(key: string): string | undefined | null | Promise<string | undefined | null>
  /** Stores `value` under `key`; it is of no use after `ttlSeconds`, so a store may drop it then. */
  set(key: string, value: string, ttlSeconds: number): void | Promise<unknown>
}

/**
 * One stored key set, as `tokengate jwks snapshot` writes it and a `KeyStore` holds it (as JSON).
 * Times are milliseconds since the epoch.
 */
export interface JwksSnapshot {
  readonly v: 1
  /** The store key of the key source it belongs to: `jwks:<JWKS URL>` or `jwks:<discovery URL>`. */
  readonly key: string
  /** Where the set was fetched from. */
  readonly uri: string
  readonly fetchedAt: number
  /** Fresh until then (the server's `Cache-Control` within the writer's bounds, or its `maxAge`). */
  readonly freshUntil: number
  /** The JWK Set document as fetched. */
  readonly jwks: unknown
}

/** The store key of a remote key source: its JWKS URL, or the discovery document's URL. */
export const storeKey = (label: string): string => `jwks:${label}`

/** True for anything with `get` and `set` functions. */
export function isKeyStore(value: unknown): value is KeyStore {
  return typeof value === 'object' && value !== null && typeof (value as KeyStore).get === 'function' && typeof (value as KeyStore).set === 'function'
}

/** Reads a stored entry; `undefined` when it is not a v1 snapshot (a store is never trusted to be well-formed). */
export function parseSnapshot(raw: unknown): JwksSnapshot | undefined {
  let value: unknown = raw
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw)
    } catch {
      return undefined
    }
  }
  if (typeof value !== 'object' || value === null) return undefined
  const s = value as Partial<JwksSnapshot>
  const time = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n)
  if (s.v !== 1 || typeof s.key !== 'string' || typeof s.uri !== 'string' || !time(s.fetchedAt) || !time(s.freshUntil) || s.freshUntil < s.fetchedAt) return undefined
  return s as JwksSnapshot
}

/**
 * An in-process store, optionally seeded with snapshots (`tokengate jwks snapshot`, bundled
 * at deploy time): every verifier given the same store shares what any of them fetched, and
 * a new isolate starts with the snapshot's keys. Entries expire after their `ttlSeconds`.
 *
 * Import from `tokengate`.
 *
 * @example
 * import snapshot from './jwks.snapshot.json' // tokengate jwks snapshot https://idp.example.com/.well-known/jwks.json
 * const keyStore = memoryKeyStore({ snapshots: [snapshot] })
 * createVerifier({ issuer, audience, jwksUri, keyStore })
 */
export function memoryKeyStore(options: { readonly snapshots?: readonly JwksSnapshot[]; readonly now?: () => number } = {}): KeyStore {
  const now = options.now ?? Date.now
  const entries = new Map<string, { value: string; until: number }>()
  for (const snapshot of options.snapshots ?? []) {
    const parsed = parseSnapshot(snapshot)
    if (parsed) entries.set(parsed.key, { value: JSON.stringify(parsed), until: Infinity })
  }
  return {
    get(key) {
      const entry = entries.get(key)
      if (entry === undefined) return undefined
      if (now() < entry.until) return entry.value
      entries.delete(key)
      return undefined
    },
    set(key, value, ttlSeconds) {
      entries.set(key, { value, until: now() + ttlSeconds * 1000 })
    },
  }
}

/** The part of a Workers KV namespace binding `kvKeyStore` uses. */
export interface KvNamespaceLike {
  /** The value under `key` as text, or `null`. */
  get(key: string): Promise<string | null>
  /** Stores `value` under `key`, expiring after `expirationTtl` seconds (at least 60). */
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<unknown>
}

/**
 * A store over a Workers KV namespace: every isolate in every location shares fetched sets
 * (KV is eventually consistent: another location may see a set up to a minute late, which
 * the freshness rules allow for).
 *
 * Import from `tokengate`.
 *
 * @example
 * createVerifier({ issuer, audience, jwksUri, keyStore: kvKeyStore(env.JWKS) })
 */
export function kvKeyStore(namespace: KvNamespaceLike, options: { readonly prefix?: string } = {}): KeyStore {
  const prefix = options.prefix ?? 'tokengate:'
  return {
    get: (key) => namespace.get(prefix + key),
    // KV refuses an expiration under 60 s.
    set: (key, value, ttlSeconds) => namespace.put(prefix + key, value, { expirationTtl: Math.max(60, Math.ceil(ttlSeconds)) }),
  }
}

/** The part of the Cache API (`caches.default`, `await caches.open(name)`) `cacheKeyStore` uses. */
export interface CacheLike {
  /** The response stored for `request`, if any. */
  match(request: Request): Promise<Response | undefined>
  /** Stores `response` for `request`, kept as its `Cache-Control: max-age` says. */
  put(request: Request, response: Response): Promise<void>
}

/**
 * A store over the Cache API (on Workers, `caches.default`: shared by the isolates of one
 * location, free, no binding to configure). Entries are kept under a synthetic URL on
 * `origin` (default `https://tokengate.invalid`), which no request can reach.
 *
 * Import from `tokengate`.
 *
 * @example
 * createVerifier({ issuer, audience, jwksUri, keyStore: cacheKeyStore(caches.default) })
 */
export function cacheKeyStore(cache: CacheLike, options: { readonly origin?: string } = {}): KeyStore {
  const origin = options.origin ?? 'https://tokengate.invalid'
  const request = (key: string): Request => new Request(`${origin}/${encodeURIComponent(key)}`)
  return {
    async get(key) {
      const response = await cache.match(request(key))
      return response === undefined ? undefined : response.text()
    },
    set: (key, value, ttlSeconds) =>
      cache.put(request(key), new Response(value, { headers: { 'content-type': 'application/json', 'cache-control': `max-age=${Math.max(1, Math.ceil(ttlSeconds))}` } })),
  }
}
