/**
 * @module
 * `redisApiKeyStore`: API key records and rate-limit windows in Redis, so a key created on one
 * instance verifies, counts and revokes on every other. Keys (under the store's prefix):
 *   key:<id>                hash: hash name owner scopes createdAt expiresAt lastUsedAt revokedAt rotatedTo rateLimit claims
 *   all                     set of every id (for `list()`)
 *   owner:<owner>           set of the owner's ids
 *   rl:<id>:<windowStart>   request count of one rate-limit window, expiring with it
 * Inserts and updates are Lua scripts (an id is never overwritten; an update never creates a
 * record); a window count is one INCR, so every instance shares it atomically.
 */
import type { Redis } from 'ioredis'
import type { ApiKeyChanges, ApiKeyStore, StoredApiKey } from '../apikeys/store.js'
import { ConfigError } from '../errors/config-error.js'
import { toSeconds, type Duration } from '../lib/duration.js'
import { scriptRunner } from './script-runner.js'

/** Options of `redisApiKeyStore`. */
export interface RedisApiKeyStoreOptions {
  /**
   * An ioredis client. For fast failure during outages create it with
   * `{ enableOfflineQueue: false, maxRetriesPerRequest: 1 }`.
   */
  readonly client: Redis
  /** Prefix of every Redis key. Default `'tokengate:apikeys:'`. */
  readonly prefix?: string
  /** Longest wait for one store operation; beyond it verification answers 503. Default `'1s'`. */
  readonly timeout?: Duration
}

/** KEYS: record, all, owner set ('' for none). ARGV: id, field, value, ... Returns 1, or 0 when the id exists. */
const INSERT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('SADD', KEYS[2], ARGV[1])
if KEYS[3] ~= '' then redis.call('SADD', KEYS[3], ARGV[1]) end
return 1
`

/** KEYS: record. ARGV: field, value, ... Returns 1, or 0 when there is no such record. */
const UPDATE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
`

/** KEYS: window counter. ARGV: window length (ms). Returns the count, this request included. */
const HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count
`

const NUMBERS = ['createdAt', 'expiresAt', 'lastUsedAt', 'revokedAt'] as const

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** A record as hash fields (optional ones left out). */
function fields(r: Partial<StoredApiKey>): string[] {
  const out: string[] = []
  const put = (name: string, value: string | number | undefined): void => {
    if (value !== undefined) out.push(name, String(value))
  }
  put('hash', r.hash)
  put('name', r.name)
  put('owner', r.owner)
  if (r.scopes !== undefined) put('scopes', r.scopes.join(' '))
  for (const n of NUMBERS) put(n, r[n])
  put('rotatedTo', r.rotatedTo)
  if (r.rateLimit !== undefined) put('rateLimit', JSON.stringify(r.rateLimit))
  if (r.claims !== undefined) put('claims', JSON.stringify(r.claims))
  return out
}

/** A hash back into a record, or `undefined` for an empty (missing) hash. */
function record(id: string, h: Record<string, string>): StoredApiKey | undefined {
  if (h.hash === undefined) return undefined
  const r: Record<string, unknown> = { id, hash: h.hash, name: h.name ?? '', scopes: h.scopes ? h.scopes.split(' ') : [] }
  if (h.owner !== undefined) r.owner = h.owner
  for (const n of NUMBERS) if (h[n] !== undefined) r[n] = Number(h[n])
  if (h.rotatedTo !== undefined) r.rotatedTo = h.rotatedTo
  if (h.rateLimit !== undefined) r.rateLimit = JSON.parse(h.rateLimit)
  if (h.claims !== undefined) r.claims = JSON.parse(h.claims)
  return r as unknown as StoredApiKey
}

/**
 * An `ApiKeyStore` on Redis (standalone, Sentinel or a primary with replicas; not Redis
 * Cluster: an insert touches keys of several slots). Every instance given the same Redis and
 * prefix shares keys, revocations and rate-limit windows.
 *
 * Import from `tokengate/redis`.
 *
 * @example
 * import Redis from 'ioredis'
 * const client = new Redis(process.env.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 })
 * const apiKeys = createApiKeys({ prefix: 'acme', store: redisApiKeyStore({ client }), rateLimit: { points: 100, duration: '1m' } })
 */
export function redisApiKeyStore(options: RedisApiKeyStoreOptions): ApiKeyStore {
  const invalid = (option: string, message: string): never => {
    throw new ConfigError('redisApiKeyStore', option, message)
  }
  if (typeof options !== 'object' || options === null) invalid('options', 'expected { client, prefix?, timeout? }')
  const { client, prefix = 'tokengate:apikeys:', timeout = '1s' } = options
  if (typeof client?.evalsha !== 'function' || typeof client.hgetall !== 'function') invalid('client', 'expected an ioredis client')
  if (typeof prefix !== 'string') invalid('prefix', 'expected a string')
  let timeoutMs = NaN
  try {
    timeoutMs = toSeconds(timeout) * 1000
  } catch {
    invalid('timeout', 'expected e.g. 0.5, "500ms", "1s"')
  }
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) invalid('timeout', 'must be positive')

  const insert = scriptRunner(client, INSERT)
  const update = scriptRunner(client, UPDATE)
  const hit = scriptRunner(client, HIT)
  const k = {
    key: (id: string) => `${prefix}key:${id}`,
    all: `${prefix}all`,
    owner: (owner: string) => `${prefix}owner:${owner}`,
    window: (id: string, start: number) => `${prefix}rl:${id}:${start}`,
  }
  const run = <T>(call: () => Promise<T>): Promise<T> => withTimeout(call(), timeoutMs)

  return {
    insert: (r) =>
      run(async () => {
        const done = await insert([k.key(r.id), k.all, r.owner === undefined ? '' : k.owner(r.owner)], [r.id, ...fields(r)])
        if (done !== 1) throw new Error(`an API key with id ${r.id} exists`)
      }),
    get: (id) => run(async () => record(id, await client.hgetall(k.key(id)))),
    update: (id, changes: ApiKeyChanges) =>
      run(async () => {
        const f = fields(changes)
        return f.length === 0 ? (await client.exists(k.key(id))) === 1 : (await update([k.key(id)], f)) === 1
      }),
    list: (owner) =>
      run(async () => {
        const ids = await client.smembers(owner === undefined ? k.all : k.owner(owner))
        if (ids.length === 0) return []
        const pipeline = client.pipeline()
        for (const id of ids) pipeline.hgetall(k.key(id))
        const replies = (await pipeline.exec()) ?? []
        return ids.flatMap((id, i) => {
          const [err, h] = replies[i] ?? [new Error('no reply'), undefined]
          if (err) throw err
          const r = record(id, h as Record<string, string>)
          return r === undefined ? [] : [r]
        })
      }),
    hit: (id, windowStart, windowMs) => run(async () => Number(await hit([k.window(id, windowStart)], [Math.ceil(windowMs)]))),
  }
}
