/**
 * @module
 * The embedded store: bounded lru-caches in this process. Rotation is atomic because each
 * operation runs to completion without awaiting. One process only: several instances need
 * `tokengate/redis`.
 */
import { ConfigError } from '../../errors/config-error.js'
import { LRUCache } from 'lru-cache'
import type { IssuerStore, RefreshTokenRecord, RevocationQuery, RotateResult, RotationNext } from '../store.js'

/** Options of `memoryStore`. */
export interface MemoryStoreOptions {
  /**
   * Most refresh tokens (and families) kept. Beyond it the least recently used are dropped:
   * their sessions must log in again (never a security loss). Default 100 000.
   */
  readonly maxRefreshTokens?: number
  /**
   * Most revocation entries kept. Revocations are never evicted (that would un-revoke a
   * token): when full of unexpired entries, revoking fails with `store_unavailable`.
   * Default 100 000.
   */
  readonly maxRevocations?: number
}

interface TokenEntry {
  readonly record: RefreshTokenRecord
  used: boolean
}

interface Revocation {
  /** The subject cutoff for `sub:` entries; unused otherwise. */
  readonly value: number
  readonly expiresAt: number
}

const ttlMs = (expiresAt: number, now: number): number => Math.max(1, Math.ceil((expiresAt - now) * 1000))

/**
 * An in-memory `IssuerStore`, the default of `createIssuer`.
 *
 * Import from `tokengate/issuer`.
 *
 * @example
 * createIssuer({ issuer, audience, store: memoryStore({ maxRefreshTokens: 10_000 }) })
 */
export function memoryStore(options: MemoryStoreOptions = {}): IssuerStore {
  const maxRefreshTokens = options.maxRefreshTokens ?? 100_000
  const maxRevocations = options.maxRevocations ?? 100_000
  if (!Number.isInteger(maxRefreshTokens) || maxRefreshTokens < 1) throw new ConfigError('memoryStore', 'maxRefreshTokens', 'expected a positive integer, e.g. 100_000')
  if (!Number.isInteger(maxRevocations) || maxRevocations < 1) throw new ConfigError('memoryStore', 'maxRevocations', 'expected a positive integer, e.g. 100_000')

  // lru-cache TTLs only free memory; expiry itself is judged on the issuer's clock (`now`).
  // ttlResolution 0: no 1 ms timer per TTL check, which a Workers request can end before,
  // freezing the cache's clock so entries never expire (test/edge/lru-cache.test.ts).
  const tokens = new LRUCache<string, TokenEntry>({ max: maxRefreshTokens, ttlResolution: 0 })
  const families = new LRUCache<string, number>({ max: maxRefreshTokens, ttlResolution: 0 })
  const revocations = new LRUCache<string, Revocation>({ max: maxRevocations, ttlResolution: 0 })

  const live = <T extends { expiresAt: number }>(entry: T | undefined, now: number): T | undefined =>
    entry !== undefined && entry.expiresAt > now ? entry : undefined

  function revoke(key: string, value: number, expiresAt: number, now: number): void {
    if (expiresAt <= now) return
    const current = live(revocations.get(key), now)
    if (current && current.value >= value && current.expiresAt >= expiresAt) return
    if (!current && revocations.size >= maxRevocations) {
      revocations.purgeStale()
      for (const [k, v] of revocations.entries()) if (v.expiresAt <= now) revocations.delete(k)
      if (revocations.size >= maxRevocations) throw new Error(`memoryStore: ${maxRevocations} unexpired revocations already (maxRevocations)`)
    }
    const entry = { value: Math.max(value, current?.value ?? value), expiresAt: Math.max(expiresAt, current?.expiresAt ?? 0) }
    revocations.set(key, entry, { ttl: ttlMs(entry.expiresAt, now) })
  }

  function familyExpiry(familyId: string, fallback: number): number {
    return Math.max(families.get(familyId) ?? 0, fallback)
  }

  function rotate(hash: string, next: RotationNext, now: number): RotateResult {
    const entry = tokens.get(hash)
    if (!entry || entry.record.expiresAt <= now) {
      return entry ? { status: 'expired', familyId: entry.record.familyId, sub: entry.record.sub } : { status: 'invalid' }
    }
    const { record } = entry
    const who = { familyId: record.familyId, sub: record.sub }
    if (entry.used) {
      revoke(`fam:${record.familyId}`, 1, familyExpiry(record.familyId, record.expiresAt), now)
      return { status: 'reused', ...who }
    }
    if (live(revocations.get(`fam:${record.familyId}`), now)) return { status: 'revoked', ...who }
    const cutoff = live(revocations.get(`sub:${record.sub}`), now)
    if (cutoff && record.issuedAt < cutoff.value) return { status: 'revoked', ...who }
    if (!families.has(record.familyId)) return { status: 'invalid' }
    entry.used = true
    tokens.set(next.hash, { record: { ...record, issuedAt: next.issuedAt, expiresAt: next.expiresAt }, used: false }, { ttl: ttlMs(next.expiresAt, now) })
    const familyExpiresAt = familyExpiry(record.familyId, next.familyExpiresAt)
    families.set(record.familyId, familyExpiresAt, { ttl: ttlMs(familyExpiresAt, now) })
    return { status: 'rotated', record }
  }

  return {
    async createFamily(hash, record, familyExpiresAt, now) {
      tokens.set(hash, { record, used: false }, { ttl: ttlMs(record.expiresAt, now) })
      families.set(record.familyId, familyExpiresAt, { ttl: ttlMs(familyExpiresAt, now) })
    },
    async rotate(hash, next, now) {
      return rotate(hash, next, now)
    },
    async findRefreshToken(hash, now) {
      const entry = tokens.get(hash)
      return entry && entry.record.expiresAt > now ? entry.record : undefined
    },
    async revokeFamily(familyId, now) {
      const expiresAt = families.get(familyId)
      if (expiresAt === undefined || expiresAt <= now) return false
      revoke(`fam:${familyId}`, 1, expiresAt, now)
      return true
    },
    async revokeToken(jti, expiresAt, now) {
      revoke(`jti:${jti}`, 1, expiresAt, now)
    },
    async revokeSubject(sub, cutoff, expiresAt, now) {
      revoke(`sub:${sub}`, cutoff, expiresAt, now)
    },
    async isRevoked(query: RevocationQuery, now) {
      if (query.jti !== undefined && live(revocations.get(`jti:${query.jti}`), now)) return true
      if (query.familyId !== undefined && live(revocations.get(`fam:${query.familyId}`), now)) return true
      if (query.sub === undefined) return false
      const cutoff = live(revocations.get(`sub:${query.sub}`), now)
      return cutoff !== undefined && (query.issuedAt === undefined || query.issuedAt < cutoff.value)
    },
  }
}
