import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { Algorithm } from '../index.js'
import { loadJwk } from '../keys/verification-key.js'
import { ALGORITHMS } from '../keys/algorithms.js'
import { DEFAULT_SEED, deriveSigningKey } from './seeded-keys.js'

const ASYMMETRIC: readonly Algorithm[] = ['RS256', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA']

describe('deriveSigningKey', () => {
  it.each(ASYMMETRIC)('derives the same %s key from the same seed, and a different one from another seed', async (alg) => {
    const a = await deriveSigningKey(alg, { seed: 'seed-a' })
    const again = await deriveSigningKey(alg, { seed: new TextEncoder().encode('seed-a') })
    const b = await deriveSigningKey(alg, { seed: 'seed-b' })
    expect(again.publicJwk).toEqual(a.publicJwk)
    expect(b.publicJwk).not.toEqual(a.publicJwk)
    expect(b.kid).not.toBe(a.kid)
  })

  it.each(ASYMMETRIC)('publishes a %s key the core key loader accepts, with no private members', async (alg) => {
    const key = await deriveSigningKey(alg, { seed: 'loader' })
    expect(Object.keys(key.publicJwk!).filter((m) => ['d', 'p', 'q', 'dp', 'dq', 'qi'].includes(m))).toEqual([])
    expect(loadJwk(key.publicJwk, new Set(ALGORITHMS))).toHaveProperty('key')
    expect(key.publicJwk).toMatchObject({ alg, use: 'sig', kid: key.kid })
  })

  it('derives 2048-bit RSA keys with e = 65537 by default', async () => {
    const key = await deriveSigningKey('RS256', { seed: 'loader' })
    expect(Buffer.from(key.publicJwk!.n!, 'base64url')).toHaveLength(256)
    expect(key.publicJwk!.e).toBe('AQAB')
  })

  it('separates purposes and rotation indexes of one seed', async () => {
    const signing = await deriveSigningKey('ES256', { seed: 's' })
    const untrusted = await deriveSigningKey('ES256', { seed: 's', purpose: 'untrusted' })
    const next = await deriveSigningKey('ES256', { seed: 's', index: 1 })
    expect(new Set([signing.kid, untrusted.kid, next.kid]).size).toBe(3)
  })

  it.each([
    ['HS256', 32],
    ['HS384', 48],
    ['HS512', 64],
  ] as const)('derives a %s secret of %i bytes, stable per seed', async (alg, bytes) => {
    const key = await deriveSigningKey(alg, { seed: 'hmac' })
    expect(key.secret).toHaveLength(bytes)
    expect((await deriveSigningKey(alg, { seed: 'hmac' })).secret).toEqual(key.secret)
    expect((await deriveSigningKey(alg, { seed: 'other' })).secret).not.toEqual(key.secret)
  })

  // Users check fixture files and kids into their repositories: a change here breaks them.
  // Only change these values together with a major version.
  it('keeps the default seed stable across versions and machines (pinned kids)', async () => {
    const kids = Object.fromEntries(await Promise.all((['RS256', 'ES256', 'EdDSA'] as const).map(async (alg) => [alg, (await deriveSigningKey(alg)).kid])))
    expect(kids).toEqual({ RS256: '9D2iJRngL-5L3vQ_', ES256: 'lB6s6DACqAhq5YRT', EdDSA: 'A_GcW6XEJ7aFTUTb' })
    const secret = (await deriveSigningKey('HS256', { seed: DEFAULT_SEED })).secret!
    expect(createHash('sha256').update(secret).digest('hex').slice(0, 16)).toBe('cd04d387a1384405')
  })

  it('rejects an unknown algorithm with a TypeError', () => {
    expect(() => deriveSigningKey('none' as Algorithm)).toThrow(TypeError)
  })
})
