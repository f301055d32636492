/**
 * The verified-token cache as a user sees it: a token seen before skips the signature, and
 * every answer is still the one the full pipeline would give at that moment.
 */
import { signatureBackend } from '#signature-backend'
import { describe, expect, it, vi } from 'vitest'
import { createVerifier, createVerifierOn } from './create-verifier.js'
import type { VerifierOptions } from './options.js'
import type { SignatureBackend } from '../signature/signature-backend.js'
import { encodeSegment } from '../testing/tokens.js'
import { AUDIENCE, bearer, claims, expectReject, fixture, NOW_S } from '../../test/helpers/setup.js'
import { localJwks } from '../keys/local-jwks.js'
import type { KeySource, KeySourceContext, KeySourceFactory } from '../keys/key-source.js'
import { createParsedHeaders } from '../lib/parsed-headers.js'

/** The runtime's backend, counting signature checks. */
function counting(): { backend: SignatureBackend; calls: () => number } {
  let calls = 0
  return {
    backend: { name: 'counting', verify: (key, alg, token) => (calls++, signatureBackend.verify(key, alg, token)) },
    calls: () => calls,
  }
}

async function setup(extra: Partial<VerifierOptions> = {}) {
  const f = await fixture('ES256')
  let clock = NOW_S * 1000
  const c = counting()
  const verify = createVerifierOn(c.backend, { ...f.options, now: () => clock, ...extra } as VerifierOptions)
  return { f, verify, calls: c.calls, setClock: (s: number) => (clock = s * 1000) }
}

describe('verified-token cache', () => {
  it('checks the signature of a token once and answers again from the cache', async () => {
    const { f, verify, calls } = await setup()
    const header = bearer(await f.sign({ scope: 'read' }))
    const first = await verify(header)
    const second = await verify(header)
    expect(calls()).toBe(1)
    expect(second).toBe(first)
    expect(second.scopes).toEqual(['read'])
  })

  it('answers only for the exact value: a forged payload under a cached signature is 401 signature_invalid', async () => {
    const { f, verify, calls } = await setup()
    const token = await f.sign({ sub: 'user-1' })
    await verify(bearer(token))
    const [h, , s] = token.split('.')
    const forged = `${h}.${encodeSegment(claims({ sub: 'admin' }))}.${s}`
    await expectReject(verify(bearer(forged)), 'signature_invalid')
    await expectReject(verify(bearer(forged)), 'signature_invalid')
    // The genuine entry is still there.
    await expect(verify(bearer(token))).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    expect(calls()).toBe(3)
  })

  it('answers a one-value header list (Fastify headersDistinct) from the cache; two values stay 400 header_malformed', async () => {
    const { f, verify, calls } = await setup()
    const header = bearer(await f.sign())
    await verify([header])
    await verify(header)
    await verify([header])
    expect(calls()).toBe(1)
    await expectReject(verify([header, header]), 'header_malformed', { status: 400 })
  })

  it('verifies every time with cache: false', async () => {
    const { f, verify, calls } = await setup({ cache: false })
    const header = bearer(await f.sign())
    await verify(header)
    await verify(header)
    expect(calls()).toBe(2)
  })

  it('rejects a cached token once the clock passes exp with 401 token_expired, and forgets it', async () => {
    const { f, verify, calls, setClock } = await setup()
    const header = bearer(await f.sign({ exp: NOW_S + 60 }))
    await verify(header)
    setClock(NOW_S + 65)
    await expectReject(verify(header), 'token_expired', { status: 401 })
    setClock(NOW_S)
    await verify(header)
    expect(calls()).toBe(2)
  })

  it('re-checks the required scopes on every hit: 403 insufficient_scope', async () => {
    const { f, verify, calls } = await setup()
    const header = bearer(await f.sign({ scope: 'read:users' }))
    await expect(verify(header, { scopes: ['read:users'] })).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    await expectReject(verify(header, { scopes: ['write:users'] }), 'insufficient_scope', { status: 403 })
    expect(calls()).toBe(1)
  })

  it('consults isRevoked on every hit: 401 token_revoked once it says so', async () => {
    let revoked = false
    const isRevoked = vi.fn(() => revoked)
    const { f, verify, calls } = await setup({ isRevoked })
    const header = bearer(await f.sign({ jti: 'j1' }))
    await verify(header)
    revoked = true
    await expectReject(verify(header), 'token_revoked')
    expect(isRevoked).toHaveBeenCalledTimes(2)
    expect(calls()).toBe(1)
  })

  it('keeps the order of checks on a hit: an expired token lacking a scope is 401 token_expired', async () => {
    const { f, verify, setClock } = await setup()
    const header = bearer(await f.sign({ exp: NOW_S + 60 }))
    await verify(header)
    setClock(NOW_S + 3600)
    await expectReject(verify(header, { scopes: ['admin'] }), 'token_expired')
  })

  it('looks the key up again on every hit: a withdrawn key is 401 kid_not_found, a reloaded one verifies afresh', async () => {
    const f = await fixture('ES256')
    const other = await fixture('ES256', 'other-kid')
    const load = (jwk: object) => localJwks({ keys: [jwk] })(ctx!)
    let ctx: KeySourceContext | undefined
    let source: KeySource | undefined
    const switchable: KeySourceFactory = (context) => {
      ctx = context
      source = load(f.key.publicJwk!)
      return { getKey: (header, alg) => source!.getKey(header, alg) }
    }
    const c = counting()
    const { jwks: _jwks, ...rest } = f.options as VerifierOptions & { jwks?: unknown }
    const verify = createVerifierOn(c.backend, { ...rest, keys: switchable } as VerifierOptions)
    const header = bearer(await f.sign())
    await verify(header)
    await verify(header)
    expect(c.calls()).toBe(1)
    source = load(other.key.publicJwk!) // the key set rotated: the token's kid is gone
    await expectReject(verify(header), 'kid_not_found', { status: 401 })
    source = load(f.key.publicJwk!) // the same key, reloaded: a new key object, so verified again
    await verify(header)
    expect(c.calls()).toBe(2)
  })

  it('never stores a failure: a forged or a not-yet-valid token is checked in full each time', async () => {
    const { f, verify, calls, setClock } = await setup()
    const [h, p, s] = (await f.sign()).split('.')
    const forged = bearer(`${h}.${p}.${(s![0] === 'A' ? 'B' : 'A') + s!.slice(1)}`)
    await expectReject(verify(forged), 'signature_invalid')
    await expectReject(verify(forged), 'signature_invalid')
    expect(calls()).toBe(2)
    const early = bearer(await f.sign({ nbf: NOW_S + 600 }))
    await expectReject(verify(early), 'token_not_yet_valid')
    setClock(NOW_S + 600)
    await expect(verify(early)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    expect(calls()).toBe(4)
  })

  it('is per verifier: a token another verifier accepted still meets this one’s audience check', async () => {
    const f = await fixture('ES256')
    const header = bearer(await f.sign())
    await expect(createVerifier(f.options)(header)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    await expectReject(createVerifier({ ...f.options, audience: 'https://other.example.com' })(header), 'audience_invalid')
    expect(AUDIENCE).not.toBe('https://other.example.com')
  })

  it('keeps at most max tokens, evicting the least recently used', async () => {
    const { f, verify, calls } = await setup({ cache: { max: 2 } })
    const [a, b, c] = await Promise.all([f.sign({ jti: 'a' }), f.sign({ jti: 'b' }), f.sign({ jti: 'c' })])
    for (const t of [a, b, c]) await verify(bearer(t))
    expect(calls()).toBe(3)
    await verify(bearer(c))
    await verify(bearer(b))
    expect(calls()).toBe(3)
    await verify(bearer(a))
    expect(calls()).toBe(4)
  })

  it('hands out deeply frozen results, so one request cannot change what the next one sees', async () => {
    const { f, verify } = await setup()
    const auth = await verify(bearer(await f.sign({ aud: [AUDIENCE], org: { id: 'o1' }, scope: 'a b' })))
    expect(Object.isFrozen(auth)).toBe(true)
    expect(Object.isFrozen(auth.claims)).toBe(true)
    expect(Object.isFrozen(auth.claims.aud)).toBe(true)
    expect(Object.isFrozen(auth.claims.org)).toBe(true)
    expect(Object.isFrozen(auth.scopes)).toBe(true)
    expect(Object.isFrozen(auth.header)).toBe(true)
  })

  it.each([
    [{ max: 0 }, 'cache'],
    [{ max: 1.5 }, 'cache'],
    [true, 'cache'],
    [{ ttl: 5 }, 'cache'],
  ])('refuses cache: %j at construction with a TypeError naming %s', async (cache, path) => {
    const f = await fixture('HS256')
    expect(() => createVerifier({ ...f.options, cache } as unknown as VerifierOptions)).toThrow(
      new RegExp(`invalid verifier option ${path.replace('.', '\\.')}\\b`),
    )
  })
})

describe('parsed-header cache', () => {
  it('starts over when full instead of growing', () => {
    const headers = createParsedHeaders(2)
    headers.set('a', { alg: 'A' })
    headers.set('b', { alg: 'B' })
    headers.set('c', { alg: 'C' })
    expect(headers.get('a')).toBeUndefined()
    expect(headers.get('b')).toBeUndefined()
    expect(headers.get('c')).toEqual({ alg: 'C' })
  })
})
