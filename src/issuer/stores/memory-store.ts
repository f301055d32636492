/**
 * @module
 * The embedded store: bounded maps in this process. Rotation is atomic because each
 * operation runs to completion without awaiting. One process only: several instances need
 * `tokengate/redis`.
 *
 * Reuse detection never turns off silently. A spent refresh token is kept for as long as its
 * family (session) lives, so presenting it again is recognised whenever the chain it started
 * could still be refreshed. When the store is full it forgets whole sessions, least recently
 * active first, and never a spent token alone: a forgotten session can no longer refresh.
 * A detected reuse always revokes its family, even when the revocation table is full.
 */
import { ConfigError } from '../../errors/config-error.js'
import { LRUCache } from 'lru-cache'
import type { IssuerStore, RefreshTokenRecord, RevocationQuery, RotateResult, RotationNext } from '../store.js'

/** Options of `memoryStore`. */
export interface MemoryStoreOptions {
  /**
   * Most refresh tokens kept, spent ones included: a spent token is kept while its session
   * lives, to recognise its reuse. Beyond it, whole sessions are forgotten, least recently
   * active first: they must log in again (their refresh tokens answer
   * `refresh_token_invalid`; access tokens already issued run to their `exp`). Size it for
   * sessions × refreshes per session within `refreshTtl`. Default 100 000.
   */
  readonly maxRefreshTokens?: number
  /**
   * Most revocation entries made by `revoke()`, `revokeFamily()` and `revokeSubject()`.
   * Revocations are never evicted (that would un-revoke a token): when full of unexpired
   * entries, revoking fails with `store_unavailable`. A revocation caused by a detected
   * reuse is never refused: it may go beyond this bound, one entry per reused session, each
   * dropped when that session would have expired. Default 100 000.
   */
  readonly maxRevocations?: number
}

interface TokenEntry {
  readonly record: RefreshTokenRecord
  used: boolean
}

interface Family {
  /** NumericDate the family's last token (refresh or access) expires. */
  expiresAt: number
  /** Every refresh token of the family, spent ones included: forgotten together. */
  readonly hashes: string[]
}

interface Revocation {
  /** The subject cutoff for `sub:` entries; unused otherwise. */
  readonly value: number
  readonly expiresAt: number
}

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

  // Every time is judged on the issuer's clock (`now`), never the process's.
  const tokens = new Map<string, TokenEntry>()
  // Families by recency of activity (issue, rotation): the least recently active is also the
  // one that expires first, since each activity sets its expiry to now + a fixed lifetime.
  const families = new LRUCache<string, Family>({
    ttlResolution: 0,
    // No TTLs here: expiry is judged on the issuer's clock. ttlResolution 0 all the same, so that
    // no lru-cache timer can ever be scheduled, as on every cache tokengate builds; see
    // test/edge/lru-cache.test.ts.
    max: maxRefreshTokens,
    // Forgetting a family forgets all its tokens, spent ones included, at once: a spent token
    // is never forgotten while its family can still refresh.
    dispose: (family, _id, reason) => {
      if (reason !== 'set') for (const hash of family.hashes) tokens.delete(hash)
    },
  })
  const revocations = new Map<string, Revocation>()

  const live = <T extends { expiresAt: number }>(entry: T | undefined, now: number): T | undefined =>
    entry !== undefined && entry.expiresAt > now ? entry : undefined

  function revocation(key: string, now: number): Revocation | undefined {
    const entry = revocations.get(key)
    if (entry !== undefined && entry.expiresAt <= now) revocations.delete(key)
    return live(entry, now)
  }

  /**
   * Records a revocation until `expiresAt`. Refused when the table is full of unexpired
   * entries, unless `always` (a detected reuse: leaving that family alive is never an option).
   */
  function revoke(key: string, value: number, expiresAt: number, now: number, always = false): void {
    if (expiresAt <= now) return
    const current = revocation(key, now)
    if (current && current.value >= value && current.expiresAt >= expiresAt) return
    if (!current && revocations.size >= maxRevocations && !always) {
      for (const [k, v] of revocations) if (v.expiresAt <= now) revocations.delete(k)
      if (revocations.size >= maxRevocations) throw new Error(`memoryStore: ${maxRevocations} unexpired revocations already (maxRevocations)`)
    }
    revocations.set(key, { value: Math.max(value, current?.value ?? value), expiresAt: Math.max(expiresAt, current?.expiresAt ?? 0) })
  }

  /**
   * Room for one more token: forgets whole families, least recently active (and so first to
   * expire) first, never `keep`. False when only `keep` is left to forget.
   */
  function makeRoom(keep: string | undefined): boolean {
    while (tokens.size >= maxRefreshTokens) {
      const oldest = families.rkeys().next()
      if (oldest.done || oldest.value === keep) return false
      families.delete(oldest.value)
    }
    return true
  }

  function rotate(hash: string, next: RotationNext, now: number): RotateResult {
    const entry = tokens.get(hash)
    if (!entry) return { status: 'invalid' }
    const { record } = entry
    const who = { familyId: record.familyId, sub: record.sub }
    const family = families.get(record.familyId)
    const familyAlive = family !== undefined && family.expiresAt > now
    if (entry.used) {
      // A spent token presented again is reuse for as long as its family lives, whether or not
      // its own lifetime is over: the chain it started may still be refreshing.
      const until = Math.max(family?.expiresAt ?? 0, record.expiresAt)
      if (until <= now) return { status: 'expired', ...who }
      revoke(`fam:${record.familyId}`, 1, until, now, true)
      return { status: 'reused', ...who }
    }
    if (record.expiresAt <= now) return { status: 'expired', ...who }
    if (revocation(`fam:${record.familyId}`, now)) return { status: 'revoked', ...who }
    const cutoff = revocation(`sub:${record.sub}`, now)
    if (cutoff && record.issuedAt < cutoff.value) return { status: 'revoked', ...who }
    if (!familyAlive) return { status: 'invalid' }
    if (!makeRoom(record.familyId)) {
      // This session alone fills the store: it is forgotten (and must log in again).
      families.delete(record.familyId)
      return { status: 'invalid' }
    }
    entry.used = true
    tokens.set(next.hash, { record: { ...record, issuedAt: next.issuedAt, expiresAt: next.expiresAt }, used: false })
    family.hashes.push(next.hash)
    family.expiresAt = Math.max(family.expiresAt, next.familyExpiresAt)
    return { status: 'rotated', record }
  }

  return {
    async createFamily(hash, record, familyExpiresAt) {
      makeRoom(undefined)
      families.set(record.familyId, { expiresAt: familyExpiresAt, hashes: [hash] })
      tokens.set(hash, { record, used: false })
    },
    async rotate(hash, next, now) {
      return rotate(hash, next, now)
    },
    async findRefreshToken(hash, now) {
      const entry = tokens.get(hash)
      return entry && entry.record.expiresAt > now ? entry.record : undefined
    },
    async revokeFamily(familyId, now) {
      const family = families.peek(familyId)
      if (family === undefined || family.expiresAt <= now) return false
      revoke(`fam:${familyId}`, 1, family.expiresAt, now)
      return true
    },
    async revokeToken(jti, expiresAt, now) {
      revoke(`jti:${jti}`, 1, expiresAt, now)
    },
    async revokeSubject(sub, cutoff, expiresAt, now) {
      revoke(`sub:${sub}`, cutoff, expiresAt, now)
    },
    async isRevoked(query: RevocationQuery, now) {
      if (query.jti !== undefined && revocation(`jti:${query.jti}`, now)) return true
      if (query.familyId !== undefined && revocation(`fam:${query.familyId}`, now)) return true
      if (query.sub === undefined) return false
      const cutoff = revocation(`sub:${query.sub}`, now)
      return cutoff !== undefined && (query.issuedAt === undefined || query.issuedAt < cutoff.value)
    },
  }
}
