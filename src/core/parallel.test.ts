/**
 * `parallel: true`: asymmetric signatures verified off the main thread where the backend can
 * (node:crypto's callback `verify`, on libuv's pool), with the same answers as the default.
 */
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../errors/config-error.js'
import { parseToken } from '../lib/token.js'
import { buildKeySet } from '../keys/key-set.js'
import { nodeParallelSignatureBackend, nodeSignatureBackend } from '../signature/node.js'
import { webSignatureBackend } from '../signature/web.js'
import type { Algorithm } from '../keys/algorithms.js'
import type { VerificationKey } from '../keys/verification-key.js'
import { bearer, createVerifier, expectReject, fixture, MATRIX, type FixtureOptions } from '../../test/helpers/setup.js'
import { createVerifierOn } from './create-verifier.js'

describe.each(MATRIX)('parallel: true, %s', (alg) => {
  it('accepts 64 distinct tokens in flight with their own claims, and rejects a flipped signature with 401 signature_invalid', async () => {
    const f = await fixture(alg)
    const verify = createVerifier({ ...f.options, parallel: true, cache: false })
    const tokens = await Promise.all(Array.from({ length: 64 }, (_, i) => f.sign({ sub: `user-${i}` })))
    const results = await Promise.all(tokens.map((t) => verify(bearer(t))))
    expect(results.map((r) => r.claims.sub)).toEqual(tokens.map((_, i) => `user-${i}`))
    const [h, p, s] = tokens[0]!.split('.')
    await expectReject(verify(bearer(`${h}.${p}.${(s![0] === 'A' ? 'B' : 'A') + s!.slice(1)}`)), 'signature_invalid', { status: 401 })
  })
})

function keyOf(options: FixtureOptions, alg: Algorithm): VerificationKey {
  if ('secret' in options) return { kid: undefined, jwk: { kty: 'oct' }, algorithms: new Set([alg]), secret: options.secret }
  const set = buildKeySet(options.jwks, new Set([alg]))
  if (typeof set === 'string') throw new Error(set)
  return set.keys[0]!
}

describe('the parallel backend', () => {
  it('is the node backend’s variant; WebCrypto has none (already asynchronous)', () => {
    expect(nodeSignatureBackend.parallel).toBe(nodeParallelSignatureBackend)
    expect(webSignatureBackend.parallel).toBeUndefined()
  })

  it('answers asymmetric algorithms asynchronously (the thread pool) and HMAC inline', async () => {
    for (const alg of ['RS256', 'ES256', 'EdDSA', 'HS256'] as const) {
      const f = await fixture(alg)
      const token = parseToken(await f.sign())
      const k = keyOf(f.options, alg)
      const answer = nodeParallelSignatureBackend.verify(k, alg, token)
      expect([alg, typeof answer]).toEqual([alg, alg === 'HS256' ? 'boolean' : 'object'])
      expect(await answer).toBe(true)
      expect(nodeSignatureBackend.verify(k, alg, token)).toBe(true)
    }
  })

  it('is what createVerifier uses with parallel: true (a valid token verifies through it)', async () => {
    const f = await fixture('RS256')
    const verify = createVerifierOn(nodeSignatureBackend, { ...f.options, parallel: true, cache: false })
    await expect(verify(bearer(await f.sign({ sub: 'p' })))).resolves.toMatchObject({ claims: { sub: 'p' } })
  })

  it('refuses a parallel option that is not a boolean, naming it', () => {
    expect(() => createVerifier({ issuer: 'x', audience: 'y', secret: 'a'.repeat(32), parallel: 'yes' as never })).toThrow(ConfigError)
    expect(() => createVerifier({ issuer: 'x', audience: 'y', secret: 'a'.repeat(32), parallel: 'yes' as never })).toThrow(/parallel/)
  })
})
