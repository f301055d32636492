/**
 * @module
 * `createApiKeys`: mint, verify, rotate, revoke and list API keys. The key is returned once, by
 * `create` (and `rotate`); stores keep its SHA-256 only. Verification refuses a malformed or
 * mistyped key without a lookup, finds the record by the key's public id and compares hashes in
 * constant time, then checks revocation, expiry and the key's rate limit.
 */
import { BearerError } from '../errors/bearer-error.js'
import { ConfigError } from '../errors/config-error.js'
import { toSeconds } from '../lib/duration.js'
import type { ApiKeyInfo } from '../lib/result.js'
import { failClosedClock } from '../lib/clock.js'
import { describe, duration, fn, nonEmptyString, options, parseOptions, positiveInt, v } from '../lib/schema.js'
import { isApiKeyId, newApiKey, parseApiKey, PREFIX_PATTERN } from './format.js'
import { hashApiKey, NO_HASH, sameHash } from './hash.js'
import { memoryApiKeyStore } from './memory-store.js'
import type { ApiKeyChanges, ApiKeyStore, StoredApiKey } from './store.js'
import type { ApiKeys, ApiKeysOptions, CreateApiKeyInput, CreatedApiKey, RotateApiKeyOptions } from './types.js'

export type { ApiKeyRateLimit, ApiKeys, ApiKeysOptions, CreateApiKeyInput, CreatedApiKey, RotateApiKeyOptions } from './types.js'

/** `lastUsedAt` is written at most this often per key (seconds): a write per request would be a write per request. */
const LAST_USED_PRECISION = 60
const RESERVED_CLAIMS = ['sub', 'jti', 'iat', 'exp', 'scope']
// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/

const positiveDuration = (example: string) => v.pipe(duration(), v.check((d) => toSeconds(d) > 0, `must be more than 0, e.g. "${example}"`))
const rateLimitSchema = options({ points: positiveInt('a positive integer, e.g. 100'), duration: positiveDuration('1m') }, 'a rate limit { points, duration }, e.g. { points: 100, duration: "1m" }')
const optionsSchema = options(
  {
    prefix: v.pipe(
      nonEmptyString("a prefix such as 'acme'"),
      v.check((p) => PREFIX_PATTERN.test(p) && p.length >= 2 && p.length <= 32, "expected 2 to 32 lower-case letters and digits in _-separated words, starting with a letter, e.g. 'acme' or 'acme_live'"),
    ),
    store: v.optional(v.custom<ApiKeyStore>((s) => typeof s === 'object' && s !== null && ['insert', 'get', 'update', 'list', 'hit'].every((m) => typeof (s as Record<string, unknown>)[m] === 'function'), 'expected an ApiKeyStore, e.g. memoryApiKeyStore() or redisApiKeyStore({ client })')),
    rateLimit: v.optional(rateLimitSchema),
    now: v.optional(fn<() => number>('a clock in milliseconds, like Date.now')),
  },
  "API key options: { prefix, store?, rateLimit?, now? }",
)
const createSchema = options(
  {
    name: v.pipe(nonEmptyString("a label such as 'billing export'"), v.check((n) => n.length <= 200, 'at most 200 characters')),
    scopes: v.optional(v.array(v.pipe(v.string('expected a scope'), v.check((s) => SCOPE_TOKEN.test(s), 'expected a scope token (RFC 6749 §3.3: no spaces, quotes or backslashes)')), 'expected a list of scopes')),
    expiresIn: v.optional(positiveDuration('90d')),
    owner: v.optional(v.pipe(nonEmptyString('the id of who the key acts for'), v.check((o) => o.length <= 200, 'at most 200 characters'))),
    claims: v.optional(
      v.pipe(
        v.custom<Record<string, unknown>>((c) => typeof c === 'object' && c !== null && !Array.isArray(c), 'expected an object of claims'),
        v.check((c) => !RESERVED_CLAIMS.some((k) => k in c), `must not set ${RESERVED_CLAIMS.join(', ')}: they come from owner, the id, the times and scopes`),
        v.check((c) => isJson(c), 'expected JSON values only'),
      ),
    ),
    rateLimit: v.optional(rateLimitSchema),
  },
  "create() input: { name, scopes?, expiresIn?, owner?, claims?, rateLimit? }",
)
const rotateSchema = options({ overlap: v.optional(duration()), expiresIn: v.optional(positiveDuration('90d')) }, 'rotate() options: { overlap?, expiresIn? }')

/** Plain JSON: what every store can keep and give back unchanged (no Date, Map, class instance, NaN, cycle). */
function isJson(value: unknown, depth = 0): boolean {
  if (depth > 32) return false
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true
  if (typeof value === 'number') return Number.isFinite(value)
  if (Array.isArray(value)) return value.every((v) => isJson(v, depth + 1))
  if (typeof value !== 'object') return false
  const proto = Object.getPrototypeOf(value)
  return (proto === Object.prototype || proto === null) && Object.values(value as object).every((v) => isJson(v, depth + 1))
}

/** The record without its hash: what callers may see. */
function info(r: StoredApiKey): ApiKeyInfo {
  return Object.freeze({
    id: r.id,
    name: r.name,
    owner: r.owner,
    scopes: Object.freeze([...r.scopes]),
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    lastUsedAt: r.lastUsedAt,
    revokedAt: r.revokedAt,
    rotatedTo: r.rotatedTo,
    rateLimit: r.rateLimit && Object.freeze({ ...r.rateLimit }),
    claims: r.claims && Object.freeze({ ...r.claims }),
  })
}

/**
 * The store failed: 503. The cause is kept for operators (it names the store's error, never the
 * key: the store only ever saw the id and the hash).
 */
const storeDown = (cause: unknown): BearerError => new BearerError('api_key_store_unavailable', { cause })

/**
 * Creates an API key manager. Keys look like `acme_` + 40 base62 characters (docs/apikeys.md);
 * records live in `store` (memory by default; `redisApiKeyStore` from `tokengate/redis` to share
 * them between instances).
 *
 * Import from `tokengate/apikeys`.
 *
 * @example
 * const apiKeys = createApiKeys({ prefix: 'acme', store: redisApiKeyStore({ client }), rateLimit: { points: 100, duration: '1m' } })
 * const { id, key } = await apiKeys.create({ name: 'billing export', owner: 'team-billing', scopes: ['read:invoices'], expiresIn: '90d' })
 * const verifyBearer = createVerifier({ issuer, audience, jwksUri, apiKeys }) // accepts JWTs and keys
 */
export function createApiKeys(input: ApiKeysOptions): ApiKeys {
  const o = parseOptions('apiKeys', optionsSchema, input)
  const prefix = o.prefix
  const store = o.store ?? memoryApiKeyStore()
  // A broken clock fails closed: verify answers 503 verifier_misconfigured (an expiry or a
  // revocation compared with NaN would never be reached), create/rotate/revoke throw.
  const now = failClosedClock(o.now ?? Date.now, 'apiKeys')
  const defaultLimit = o.rateLimit && { points: o.rateLimit.points, duration: toSeconds(o.rateLimit.duration) }
  const nowSeconds = (): number => Math.floor(now() / 1000)

  async function mint(fields: Omit<StoredApiKey, 'id' | 'hash'>): Promise<CreatedApiKey> {
    const { id, key } = newApiKey(prefix)
    const record: StoredApiKey = { ...fields, id, hash: await hashApiKey(key) }
    await store.insert(record)
    return Object.freeze({ ...info(record), key })
  }

  async function find(id: string, call: string): Promise<StoredApiKey | undefined> {
    if (!isApiKeyId(id)) throw new ConfigError('apiKeys', `${call}.id`, 'expected a key id (12 letters and digits), as create() and list() return it')
    return store.get(id)
  }

  async function limit(record: StoredApiKey): Promise<void> {
    const rule = record.rateLimit ?? defaultLimit
    if (!rule) return
    const windowMs = rule.duration * 1000
    const t = now()
    const start = t - (t % windowMs)
    let count: number
    try {
      count = await store.hit(record.id, start, windowMs)
    } catch (err) {
      throw storeDown(err)
    }
    if (count > rule.points) throw new BearerError('api_key_rate_limited', { retryAfter: (start + windowMs - t) / 1000 })
  }

  const apiKeys: ApiKeys = {
    prefix,

    async create(raw) {
      const c = parseOptions('apiKeys', createSchema, raw, ['create()'])
      const createdAt = nowSeconds()
      return mint({
        name: c.name,
        owner: c.owner,
        scopes: [...new Set(c.scopes ?? [])],
        createdAt,
        expiresAt: c.expiresIn === undefined ? undefined : createdAt + Math.ceil(toSeconds(c.expiresIn)),
        rateLimit: c.rateLimit && { points: c.rateLimit.points, duration: toSeconds(c.rateLimit.duration) },
        claims: c.claims,
      })
    },

    async verify(key) {
      const id = typeof key === 'string' ? parseApiKey(prefix, key) : undefined
      // A typo, another prefix or a random string: refused without a lookup.
      if (id === undefined) throw new BearerError('api_key_invalid')
      const hash = await hashApiKey(key)
      let record: StoredApiKey | undefined
      try {
        record = await store.get(id)
      } catch (err) {
        throw storeDown(err)
      }
      // Found by its public id; the secret is judged by a constant-time comparison of hashes,
      // against a stand-in when the id is unknown, so both paths take the same time.
      if (!sameHash(record?.hash ?? NO_HASH, hash) || record === undefined) throw new BearerError('api_key_invalid')
      const t = nowSeconds()
      if (record.revokedAt !== undefined && record.revokedAt <= t) throw new BearerError('api_key_revoked')
      if (record.expiresAt !== undefined && record.expiresAt <= t) throw new BearerError('api_key_expired')
      await limit(record)
      if (record.lastUsedAt === undefined || t - record.lastUsedAt >= LAST_USED_PRECISION) {
        // Bookkeeping: a failure to write it must not fail the request.
        await store.update(id, { lastUsedAt: t }).catch(() => false)
        record = { ...record, lastUsedAt: t }
      }
      return info(record)
    },

    async rotate(id, raw = {}) {
      const r = parseOptions('apiKeys', rotateSchema, raw, ['rotate()'])
      const old = await find(id, 'rotate()')
      const t = nowSeconds()
      if (!old) throw new ConfigError('apiKeys', 'rotate().id', 'no key has this id')
      if (old.revokedAt !== undefined && old.revokedAt <= t) throw new ConfigError('apiKeys', 'rotate().id', 'this key is revoked; create a new one')
      if (old.expiresAt !== undefined && old.expiresAt <= t) throw new ConfigError('apiKeys', 'rotate().id', 'this key has expired; create a new one')
      const lifetime = r.expiresIn !== undefined ? Math.ceil(toSeconds(r.expiresIn)) : old.expiresAt === undefined ? undefined : old.expiresAt - old.createdAt
      const created = await mint({
        name: old.name,
        owner: old.owner,
        scopes: old.scopes,
        createdAt: t,
        expiresAt: lifetime === undefined ? undefined : t + lifetime,
        rateLimit: old.rateLimit,
        claims: old.claims,
      })
      const overlap = r.overlap === undefined ? 0 : Math.ceil(toSeconds(r.overlap))
      const changes: ApiKeyChanges =
        overlap > 0 ? { rotatedTo: created.id, expiresAt: Math.min(old.expiresAt ?? Infinity, t + overlap) } : { rotatedTo: created.id, revokedAt: t }
      await store.update(id, changes)
      return created
    },

    async revoke(id) {
      const record = await find(id, 'revoke()')
      if (!record) return false
      if (record.revokedAt === undefined) await store.update(id, { revokedAt: nowSeconds() })
      return true
    },

    async get(id) {
      const record = await find(id, 'get()')
      return record && info(record)
    },

    async list(owner) {
      if (owner !== undefined && (typeof owner !== 'string' || owner === '')) throw new ConfigError('apiKeys', 'list().owner', `expected an owner id, got ${describe(owner)}`)
      return (await store.list(owner)).sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id)).map(info)
    },
  }
  return Object.freeze(apiKeys)
}
