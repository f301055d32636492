/**
 * Outcome events: exactly one `verified` or `rejected` event per verification, on every path
 * (fresh, cache hit, a cached token verified again after its key changed, a failure in each
 * step), with what the token says and nothing secret; listeners that throw, reject or never
 * settle change nothing.
 */
import { describe, expect, it } from 'vitest'
import { createVerifier } from './create-verifier.js'
import { verifierEvents } from './events.js'
import type { VerifierEvent, VerifierOptions } from './options.js'
import type { VerificationEvent } from './outcome.js'
import { localJwks } from '../keys/local-jwks.js'
import type { KeySource, KeySourceContext, KeySourceFactory } from '../keys/key-source.js'
import { encodeSegment } from '../testing/tokens.js'
import { bearer, claims, expectReject, fixture, NOW_S } from '../../test/helpers/setup.js'

const outcomes = (events: VerifierEvent[]): VerificationEvent[] =>
  events.filter((e): e is VerificationEvent => e.type === 'verified' || e.type === 'rejected')

/** The fields that do not depend on timing. */
const fields = (e: VerificationEvent) => {
  const { durationMs, ...rest } = e
  expect(durationMs).toBeGreaterThanOrEqual(0)
  expect(Number.isFinite(durationMs)).toBe(true)
  return rest
}

async function setup(extra: Partial<VerifierOptions> = {}) {
  const f = await fixture('ES256')
  const events: VerifierEvent[] = []
  let clock = NOW_S * 1000
  const verify = createVerifier({ ...f.options, now: () => clock, onEvent: (e) => void events.push(e), ...extra } as VerifierOptions)
  return { f, verify, events, setClock: (s: number) => (clock = s * 1000) }
}

describe('outcome events', () => {
  it('reports a fresh verification, then a cache hit, one verified event each', async () => {
    const { f, verify, events } = await setup()
    const header = bearer(await f.sign({ scope: 'read' }))
    await verify(header, { route: '/orders/:id' })
    await verify(header)
    expect(outcomes(events).map(fields)).toEqual([
      { type: 'verified', iss: 'https://idp.example.com/', kid: 'es256-1', alg: 'ES256', sub: 'user-1', cached: false, route: '/orders/:id' },
      { type: 'verified', iss: 'https://idp.example.com/', kid: 'es256-1', alg: 'ES256', sub: 'user-1', cached: true, route: undefined },
    ])
  })

  it('reports one rejected event per failure, with what the token says and sub only once its signature verified', async () => {
    const { f, verify, events, setClock } = await setup({ isRevoked: (c) => c.jti === 'revoked' })
    const good = await f.sign({ exp: NOW_S + 60 })
    const [h, , s] = good.split('.')
    const forged = `${h}.${encodeSegment(claims({ sub: 'admin' }))}.${s}`
    await expectReject(verify(undefined), 'token_missing')
    await expectReject(verify('Bearer a b'), 'header_malformed')
    await expectReject(verify(bearer('abc.def')), 'token_malformed')
    await expectReject(verify(bearer(forged)), 'signature_invalid')
    await expectReject(verify(bearer(await f.sign({ kid: 'x' }, { kid: 'nope' }))), 'kid_not_found')
    await expectReject(verify(bearer(await f.sign({ aud: 'other' }))), 'audience_invalid')
    await expectReject(verify(bearer(await f.sign({ jti: 'revoked' }))), 'token_revoked')
    await verify(bearer(good))
    await expectReject(verify(bearer(good), { scopes: ['admin'] }), 'insufficient_scope')
    setClock(NOW_S + 3600)
    await expectReject(verify(bearer(good)), 'token_expired')
    const none = { iss: undefined, kid: undefined, alg: undefined, sub: undefined, cached: false, route: undefined }
    const token = { iss: 'https://idp.example.com/', kid: 'es256-1', alg: 'ES256', route: undefined }
    expect(outcomes(events).map(fields)).toEqual([
      { type: 'rejected', reason: 'token_missing', status: 401, ...none },
      { type: 'rejected', reason: 'header_malformed', status: 400, ...none },
      { type: 'rejected', reason: 'token_malformed', status: 401, ...none },
      // A forged token: what it claims, but never its sub ("admin").
      { type: 'rejected', reason: 'signature_invalid', status: 401, ...token, sub: undefined, cached: false },
      { type: 'rejected', reason: 'kid_not_found', status: 401, ...token, kid: 'nope', sub: undefined, cached: false },
      { type: 'rejected', reason: 'audience_invalid', status: 401, ...token, sub: 'user-1', cached: false },
      { type: 'rejected', reason: 'token_revoked', status: 401, ...token, sub: 'user-1', cached: false },
      { type: 'verified', ...token, sub: 'user-1', cached: false },
      { type: 'rejected', reason: 'insufficient_scope', status: 403, ...token, sub: 'user-1', cached: true },
      { type: 'rejected', reason: 'token_expired', status: 401, ...token, sub: 'user-1', cached: true },
    ])
  })

  it('reports a cached token verified again after its key changed once, as not cached', async () => {
    const f = await fixture('ES256')
    let ctx: KeySourceContext | undefined
    let source: KeySource | undefined
    const load = () => localJwks({ keys: [f.key.publicJwk!] })(ctx!)
    const switchable: KeySourceFactory = (context) => {
      ctx = context
      source = load()
      return { getKey: (header, alg) => source!.getKey(header, alg) }
    }
    const events: VerifierEvent[] = []
    const { jwks: _jwks, ...rest } = f.options as VerifierOptions & { jwks?: unknown }
    const verify = createVerifier({ ...rest, keys: switchable, onEvent: (e) => void events.push(e) } as VerifierOptions)
    const header = bearer(await f.sign())
    await verify(header)
    await verify(header)
    source = load() // a new key object: the cached token goes through every step again
    await verify(header)
    expect(outcomes(events).map((e) => [e.type, e.cached])).toEqual([
      ['verified', false],
      ['verified', true],
      ['verified', false],
    ])
  })

  it('reports a failure that is not a BearerError as internal_error, 500', async () => {
    const f = await fixture('ES256')
    const events: VerifierEvent[] = []
    const { jwks: _jwks, ...rest } = f.options as VerifierOptions & { jwks?: unknown }
    const broken: KeySourceFactory = () => ({ getKey: () => { throw new TypeError('bug in a custom key source') } })
    const verify = createVerifier({ ...rest, keys: broken, onEvent: (e) => void events.push(e) } as VerifierOptions)
    await expect(verify(bearer(await f.sign()))).rejects.toThrow('bug in a custom key source')
    expect(outcomes(events).map(fields)).toEqual([
      { type: 'rejected', reason: 'internal_error', status: 500, iss: 'https://idp.example.com/', kid: 'es256-1', alg: 'ES256', sub: undefined, cached: false, route: undefined },
    ])
  })

  it('never carries the token or its signature, and bounds what a token may put in it', async () => {
    const { f, verify, events } = await setup()
    const good = await f.sign()
    const huge = await f.sign({ iss: 'i'.repeat(2000) }, { kid: 'k'.repeat(2000) })
    await verify(bearer(good))
    await expectReject(verify(bearer(huge)), 'kid_not_found')
    const text = JSON.stringify(events)
    for (const part of [good, ...good.split('.'), huge.split('.')[2]!]) expect(text).not.toContain(part)
    const rejected = outcomes(events)[1]!
    expect([rejected.iss!.length, rejected.kid!.length]).toEqual([257, 257])
  })

  it('is not built without a listener; a subscriber added later gets events until it unsubscribes', async () => {
    const f = await fixture('HS256')
    const verify = createVerifier(f.options)
    const hub = verifierEvents<VerifierEvent>(verify)!
    expect(hub.active).toBe(false)
    const header = bearer(await f.sign())
    await verify(header)
    const seen: string[] = []
    const stop = hub.subscribe((e) => void seen.push(e.type))
    expect(hub.active).toBe(true)
    await verify(header)
    stop()
    stop()
    expect(hub.active).toBe(false)
    await verify(header)
    expect(seen).toEqual(['verified'])
    expect(verifierEvents(() => undefined)).toBeUndefined()
  })
})

describe('listeners cannot break or slow verification', () => {
  it.each([
    ['throws', () => { throw new Error('listener bug') }],
    ['returns a rejected promise (no unhandled rejection)', () => Promise.reject(new Error('async listener bug'))],
    ['returns a promise that never settles', () => new Promise(() => {})],
  ])('a listener that %s: the same answers, every event still delivered to the next listener', async (_name, listener) => {
    const f = await fixture('ES256')
    const seen: string[] = []
    const verify = createVerifier({ ...f.options, onEvent: listener as (e: VerifierEvent) => void })
    verifierEvents<VerifierEvent>(verify)!.subscribe((e) => void seen.push(e.type))
    const good = bearer(await f.sign({ sub: 'alice' }))
    await expect(verify(good)).resolves.toMatchObject({ claims: { sub: 'alice' } })
    await expect(verify(good)).resolves.toMatchObject({ claims: { sub: 'alice' } })
    await expectReject(verify(bearer(await f.sign({ aud: 'other' }))), 'audience_invalid')
    // The audience mismatch also tells the operator what to check (firsthour's operator hints).
    expect(seen).toEqual(['verified', 'verified', 'operator_hint', 'rejected'])
  })
})
