/**
 * Resource bounds of the embedded store at its defaults (test/issuer/memory-store.test.ts
 * checks small configured bounds): no flood of sessions or revocations grows it past them.
 * The Redis store is bounded by expiry (every key has a TTL: test/faults/redis-restart.test.ts)
 * and the JWKS cache holds one set per key source.
 */
import { describe, expect, it } from 'vitest'
import { memoryStore } from '../../src/issuer/index.js'
import type { RefreshTokenRecord } from '../../src/issuer/store.js'

const NOW = 1_767_225_600
const DEFAULT_MAX = 100_000

const record = (i: number): RefreshTokenRecord => ({ familyId: `f${i}`, sub: 'alice', scope: '', clientId: undefined, claims: undefined, issuedAt: NOW, expiresAt: NOW + 3600 })

describe('memoryStore() default bounds', () => {
  it(`keeps at most ${DEFAULT_MAX.toLocaleString('en')} refresh tokens, dropping the least recently used (that session logs in again)`, async () => {
    const store = memoryStore()
    for (let i = 0; i <= DEFAULT_MAX; i++) await store.createFamily(`h${i}`, record(i), NOW + 3600, NOW)
    expect(await store.findRefreshToken('h0', NOW)).toBeUndefined()
    expect(await store.findRefreshToken('h1', NOW)).toMatchObject({ familyId: 'f1' })
    expect(await store.findRefreshToken(`h${DEFAULT_MAX}`, NOW)).toMatchObject({ familyId: `f${DEFAULT_MAX}` })
  })

  it(`keeps at most ${DEFAULT_MAX.toLocaleString('en')} unexpired revocations and never evicts one: beyond, revoking throws (503 store_unavailable)`, async () => {
    const store = memoryStore()
    for (let i = 0; i < DEFAULT_MAX; i++) await store.revokeToken(`j${i}`, NOW + 60, NOW)
    await expect(store.revokeToken('one-more', NOW + 60, NOW)).rejects.toThrow('maxRevocations')
    expect(await store.isRevoked({ jti: 'j0' }, NOW)).toBe(true)
    expect(await store.isRevoked({ jti: 'one-more' }, NOW)).toBe(false)
    // Once they expire, they make room.
    await store.revokeToken('later', NOW + 120, NOW + 60)
    expect(await store.isRevoked({ jti: 'later' }, NOW + 60)).toBe(true)
    expect(await store.isRevoked({ jti: 'j0' }, NOW + 60)).toBe(false)
  })
})
