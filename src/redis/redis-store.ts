/**
 * @module
 * `redisStore`: refresh families and revocations in Redis, shared by every instance.
 * Rotation, reuse detection and family revocation run as Lua scripts, so of N concurrent
 * refreshes of one token (from any number of processes) exactly one wins.
 */
import { ConfigError } from '../errors/config-error.js'
import type { Redis } from 'ioredis'
import { toSeconds, type Duration } from '../lib/duration.js'
import type { IssuerStore, RefreshTokenRecord } from '../issuer/store.js'
import { evictionCheck } from './eviction.js'
import { scriptRunner } from './script-runner.js'
import { CREATE_FAMILY, IS_REVOKED, REVOKE_FAMILY, REVOKE_SUBJECT, ROTATE } from './scripts.js'

/** Options of `redisStore`. */
export interface RedisStoreOptions {
  /**
   * An ioredis client. For fast failure during outages create it with
   * `{ enableOfflineQueue: false, maxRetriesPerRequest: 1 }`.
   */
  readonly client: Redis
  /** Prefix of every key. Default `'tokengate:'`. */
  readonly prefix?: string
  /**
   * Longest wait for one store operation; beyond it the operation fails (503, or fail-open
   * for `isRevoked` when configured) instead of hanging the request. Default `'1s'`.
   */
  readonly timeout?: Duration
}

function invalid(option: string, message: string): never {
  throw new ConfigError('redisStore', option, message)
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/**
 * An `IssuerStore` on Redis (standalone, Sentinel or a primary with replicas; not Redis
 * Cluster: the scripts touch keys of several slots). The Redis must not evict keys: with a
 * `maxmemory` and a `maxmemory-policy` other than `noeviction`, every operation fails closed
 * (503 `store_unavailable`, a `store_error` event saying why).
 *
 * Import from `tokengate/redis`.
 *
 * @example
 * import Redis from 'ioredis'
 * const client = new Redis(process.env.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 })
 * const issuer = createIssuer({ issuer, audience, keys, store: redisStore({ client }) })
 */
export function redisStore(options: RedisStoreOptions): IssuerStore {
  if (typeof options !== 'object' || options === null) invalid('options', 'expected { client, prefix?, timeout? }')
  const { client, prefix = 'tokengate:', timeout = '1s' } = options
  if (typeof client?.evalsha !== 'function' || typeof client.hmget !== 'function') invalid('client', 'expected an ioredis client')
  if (typeof prefix !== 'string') invalid('prefix', 'expected a string')
  let timeoutMs: number
  try {
    timeoutMs = toSeconds(timeout) * 1000
  } catch {
    invalid('timeout', 'expected e.g. 0.5, "500ms", "1s"')
  }
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) invalid('timeout', 'must be positive')

  const createFamily = scriptRunner(client, CREATE_FAMILY)
  const rotate = scriptRunner(client, ROTATE)
  const revokeFamily = scriptRunner(client, REVOKE_FAMILY)
  const revokeSubject = scriptRunner(client, REVOKE_SUBJECT)
  const isRevoked = scriptRunner(client, IS_REVOKED)
  const k = {
    rt: (hash: string) => `${prefix}rt:${hash}`,
    fam: (id: string) => `${prefix}fam:${id}`,
    rvFam: (id: string) => `${prefix}rv:fam:${id}`,
    rvJti: (jti: string) => `${prefix}rv:jti:${jti}`,
    rvSub: (sub: string) => `${prefix}rv:sub:${sub}`,
  }
  const safe = evictionCheck(client)
  const run = <T>(call: () => Promise<T>): Promise<T> => withTimeout(safe().then(call), timeoutMs)
  const toRecord = (f: readonly string[]): RefreshTokenRecord => ({
    familyId: f[0]!,
    sub: f[1]!,
    scope: f[2]!,
    clientId: f[3] === '' ? undefined : f[3],
    claims: f[4] === '' ? undefined : f[4],
    issuedAt: Number(f[5]),
    expiresAt: Number(f[6]),
  })

  return {
    createFamily: (hash, r, familyExpiresAt, now) =>
      run(async () => {
        await createFamily([k.rt(hash), k.fam(r.familyId)], [r.familyId, r.sub, r.scope, r.clientId ?? '', r.claims ?? '', r.issuedAt, r.expiresAt, r.expiresAt - now, familyExpiresAt, familyExpiresAt - now])
      }),
    rotate: (hash, next, now) =>
      run(async () => {
        const reply = (await rotate([k.rt(hash), k.rt(next.hash)], [prefix, now, next.issuedAt, next.expiresAt, next.familyExpiresAt])) as string[]
        const [status, familyId, sub] = reply
        if (status === 'rotated') return { status, record: toRecord(reply.slice(1)) }
        if (status === 'reused' || status === 'revoked' || status === 'expired') return { status, familyId: familyId!, sub: sub! }
        return { status: 'invalid' }
      }),
    findRefreshToken: (hash, now) =>
      run(async () => {
        const f = await client.hmget(k.rt(hash), 'fam', 'sub', 'scope', 'cid', 'claims', 'iat', 'exp')
        if (f[0] === null || Number(f[6]) <= now) return undefined
        return toRecord(f.map((v) => v ?? ''))
      }),
    revokeFamily: (familyId, now) => run(async () => (await revokeFamily([k.fam(familyId), k.rvFam(familyId)], [now])) === 1),
    revokeToken: (jti, expiresAt, now) =>
      run(async () => {
        if (expiresAt > now) await client.set(k.rvJti(jti), String(expiresAt), 'EX', expiresAt - now)
      }),
    revokeSubject: (sub, cutoff, expiresAt, now) =>
      run(async () => {
        await revokeSubject([k.rvSub(sub)], [now, cutoff, expiresAt])
      }),
    isRevoked: (q, now) =>
      run(async () => {
        const keys = [q.jti === undefined ? '' : k.rvJti(q.jti), q.familyId === undefined ? '' : k.rvFam(q.familyId), q.sub === undefined ? '' : k.rvSub(q.sub)]
        return (await isRevoked(keys, [now, q.issuedAt ?? ''])) === 1
      }),
  }
}
