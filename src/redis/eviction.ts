/**
 * @module
 * The check both Redis stores run before they trust Redis to keep what they write.
 */
import type { Redis } from 'ioredis'

/** How long a good answer of the eviction check holds before the next operation asks again. */
const EVICTION_RECHECK_MS = 60_000

/**
 * Refuses a Redis that may evict tokengate's keys: with a `maxmemory` set and any policy but
 * `noeviction`, Redis drops keys under memory pressure (every tokengate key has a TTL, so the
 * `volatile-*` policies evict them too). A dropped revocation un-revokes its tokens, a dropped
 * spent refresh token turns reuse detection off, a dropped DPoP `jti` lets its proof be
 * replayed: silently. The returned function resolves when the store may be used, and rejects
 * (the operation fails closed) otherwise. Asked with `INFO memory` at
 * the first operation and again at most once a minute after a good answer; a bad or failed
 * answer is not remembered, so fixing the setting takes effect at the next operation. A
 * server whose `INFO` does not report the policy is not refused.
 */
export function evictionCheck(client: Pick<Redis, 'info'>): () => Promise<void> {
  let goodUntil = 0
  let pending: Promise<void> | undefined
  const ask = async (): Promise<void> => {
    const info = await client.info('memory')
    const field = (name: string): string | undefined => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim()
    const policy = field('maxmemory_policy')
    const maxmemory = Number(field('maxmemory') ?? 0)
    if (policy !== undefined && policy !== 'noeviction' && maxmemory > 0) {
      throw new Error(
        `Redis may evict tokengate's keys (maxmemory-policy ${policy} with a maxmemory): an evicted revocation, spent refresh token or DPoP proof jti would let revoked tokens back in, turn reuse detection off or let a proof be replayed. Give tokengate a Redis (or database) that does not evict: set maxmemory-policy noeviction`,
      )
    }
    goodUntil = Date.now() + EVICTION_RECHECK_MS
  }
  return () => {
    if (Date.now() < goodUntil) return Promise.resolve()
    pending ??= ask().finally(() => {
      pending = undefined
    })
    return pending
  }
}
