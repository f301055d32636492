/**
 * DPoP (RFC 9449) through the core verifier, one requirement per test, labelled by section.
 * Runs on both signature backends (vitest projects `node` and `web`).
 */
import { signatureBackend } from '#signature-backend'
import { describe, expect, it } from 'vitest'
import { createVerifierOn, verifierInternals } from '../core/create-verifier.js'
import type { VerifierOptions } from '../core/options.js'
import { BearerError } from '../errors/bearer-error.js'
import type { VerifyRequestOptions } from '../lib/result.js'
import type { SignatureBackend } from '../signature/signature-backend.js'
import { DPOP_PROOF_OUTCOMES, generateDpopKey, type DpopProofCase } from '../testing/dpop.js'
import { createTestKit, type TestKit } from '../testing/test-kit.js'
import { expectReject } from '../../test/helpers/setup.js'
import { memoryReplayStore, type ReplayStore } from './replay-store.js'

const NOW_S = 1_767_225_600
const URL_ = 'https://api.example.com/orders'
const ALGS = 'ES256 RS256 RS384 RS512 PS256 PS384 PS512 ES384 ES512 EdDSA Ed25519'
const BARE_BOTH = `Bearer realm="api", DPoP realm="api", algs="${ALGS}"`

const kit: TestKit = await createTestKit({ alg: 'ES256', now: () => clock * 1000 })
let clock = NOW_S

function setup(extra: Partial<VerifierOptions> = {}) {
  clock = NOW_S
  let calls = 0
  const backend: SignatureBackend = { ...signatureBackend, name: 'counting', verify: (key, alg, token) => (calls++, signatureBackend.verify(key, alg, token)) }
  const verify = createVerifierOn(backend, { ...kit.verifierOptions, dpop: true, ...extra } as VerifierOptions)
  return { verify, calls: () => calls }
}

/** A DPoP request: the Authorization value and the request parts. */
async function dpopRequest(token: string, proof?: string | string[] | null, overrides: { method?: string; url?: string } = {}) {
  const p = proof === undefined ? await kit.dpopProof({ url: URL_, accessToken: token }) : proof
  const request: VerifyRequestOptions = { dpop: { proof: p, method: overrides.method ?? 'GET', url: overrides.url ?? URL_ } }
  return [`DPoP ${token}`, request] as const
}

const dpopChallenge = (error: string, description: string) =>
  `Bearer realm="api", DPoP realm="api", error="${error}", error_description="${description}", algs="${ALGS}"`

describe('RFC 9449 §7.1: a DPoP-bound token with its proof', () => {
  it('passes, with auth.scheme DPoP and the cnf claim', async () => {
    const { verify } = setup()
    const token = await kit.dpopBound({ scope: 'read' })
    const auth = await verify(...(await dpopRequest(token)))
    expect(auth.scheme).toBe('DPoP')
    expect(auth.claims.cnf).toEqual({ jkt: kit.dpopKey.jkt })
    expect(auth.scopes).toEqual(['read'])
  })

  it('accepts the scheme name in any case (RFC 9110 §11.1)', async () => {
    const { verify } = setup()
    const token = await kit.dpopBound()
    const [, request] = await dpopRequest(token)
    expect((await verify(`dpop ${token}`, request)).scheme).toBe('DPoP')
  })

  it.each(['ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'PS256', 'RS256'] as const)('verifies proofs signed with %s (§4.3 (5, 6))', async (alg) => {
    const { verify } = setup()
    const key = await generateDpopKey(alg)
    const token = await kit.valid({ cnf: { jkt: key.jkt } })
    const proof = await kit.dpopProof({ url: URL_, accessToken: token, key })
    expect((await verify(...(await dpopRequest(token, proof)))).claims.sub).toBe('test-user')
  })

  it('refuses Authorization: DPoP without a DPoP header: 401 invalid_dpop_proof', async () => {
    const { verify } = setup()
    const token = await kit.dpopBound()
    for (const proof of [undefined, null, '', []] as const) {
      await expectReject(verify(`DPoP ${token}`, { dpop: { proof: proof as string | undefined, method: 'GET', url: URL_ } }), 'dpop_proof_missing', {
        status: 401,
        wwwAuthenticate: dpopChallenge('invalid_dpop_proof', 'The DPoP proof is missing'),
      })
    }
    await expectReject(verify(`DPoP ${token}`), 'dpop_proof_missing')
  })

  it('refuses a token that is not DPoP-bound under the DPoP scheme: 401 invalid_token', async () => {
    const { verify } = setup()
    const token = await kit.valid()
    await expectReject(verify(...(await dpopRequest(token))), 'dpop_token_unbound', {
      wwwAuthenticate: dpopChallenge('invalid_token', 'The token is not bound to a DPoP key'),
    })
  })

  it('refuses Authorization: DPoP with no token (400, on the DPoP challenge)', async () => {
    const { verify } = setup()
    await expectReject(verify('DPoP', { dpop: { proof: 'x', method: 'GET', url: URL_ } }), 'header_malformed', {
      status: 400,
      wwwAuthenticate: `Bearer realm="api", DPoP realm="api", error="invalid_request", error_description="No token after DPoP", algs="${ALGS}"`,
    })
  })

  it('treats DPoP as an unknown scheme on a verifier without dpop (401, bare Bearer challenge)', async () => {
    const { verify } = setup({ dpop: false })
    const token = await kit.dpopBound()
    await expectReject(verify(...(await dpopRequest(token))), 'token_missing', { wwwAuthenticate: 'Bearer realm="api"' })
  })
})

describe('RFC 9449 §4.3: checking the proof', () => {
  it('(1) refuses several DPoP header fields', async () => {
    const { verify } = setup()
    const token = await kit.dpopBound()
    const proof = await kit.dpopProof({ url: URL_, accessToken: token })
    await expectReject(verify(...(await dpopRequest(token, [proof, proof]))), 'dpop_proof_invalid', {
      wwwAuthenticate: dpopChallenge('invalid_dpop_proof', 'Several DPoP headers were sent'),
    })
    // Several fields joined by a Fetch Headers object: not one JWT.
    await expectReject(verify(...(await dpopRequest(token, `${proof}, ${proof}`))), 'dpop_proof_invalid')
  })

  it('(2) refuses a proof that is not one well-formed JWT', async () => {
    const { verify } = setup()
    const token = await kit.dpopBound()
    for (const proof of ['abc', 'a.b.c', `${token}.x.y`]) await expectReject(verify(...(await dpopRequest(token, proof))), 'dpop_proof_invalid')
  })

  it('(2) refuses a proof over the size limit before decoding it', async () => {
    const { verify } = setup({ dpop: { maxProofSize: 300 } })
    const token = await kit.dpopBound()
    const err = await expectReject(verify(...(await dpopRequest(token, 'x'.repeat(301)))), 'dpop_proof_invalid')
    expect(err.message).toBe('The DPoP proof exceeds the size limit')
  })

  it.each(['jti', 'htm', 'htu', 'iat'])('(3) refuses a proof without %s', async (claim) => {
    const { verify } = setup()
    const token = await kit.dpopBound()
    const proof = await kit.dpopProof({ url: URL_, accessToken: token, claims: { [claim]: undefined } })
    const err = await expectReject(verify(...(await dpopRequest(token, proof))), 'dpop_proof_invalid')
    expect(err.message).toBe(`The DPoP proof has no ${claim}`)
  })

  it.each(Object.keys(DPOP_PROOF_OUTCOMES) as DpopProofCase[])('answers the forged proof %s as DPOP_PROOF_OUTCOMES says', async (kind) => {
    const { verify } = setup()
    const token = await kit.dpopBound()
    const proof = await kit.forgedDpopProof(kind, { url: URL_, accessToken: token })
    const expected = DPOP_PROOF_OUTCOMES[kind]
    const err = await expectReject(verify(...(await dpopRequest(token, proof))), expected.reason, { status: expected.status })
    expect(err.code).toBe(expected.code)
    expect(err.wwwAuthenticate).toContain(`DPoP realm="api", error="${expected.code}"`)
  })

  it('(4) accepts typ as a media type (application/dpop+jwt, any case)', async () => {
    const { verify } = setup()
    const token = await kit.dpopBound()
    const proof = await kit.dpopProof({ url: URL_, accessToken: token, header: { typ: 'application/DPoP+JWT' } })
    expect((await verify(...(await dpopRequest(token, proof)))).scheme).toBe('DPoP')
  })

  it('(5) refuses an algorithm outside dpop.algorithms and offers the configured ones', async () => {
    const { verify } = setup({ dpop: { algorithms: ['EdDSA'] } })
    const token = await kit.dpopBound()
    await expectReject(verify(...(await dpopRequest(token))), 'dpop_proof_invalid', {
      wwwAuthenticate: 'Bearer realm="api", DPoP realm="api", error="invalid_dpop_proof", error_description="The DPoP proof algorithm is not allowed", algs="EdDSA"',
    })
  })

  it('(5, 6) refuses a jwk that cannot verify the algorithm (a P-384 key under ES256)', async () => {
    const { verify } = setup()
    const key = await generateDpopKey('ES384')
    const token = await kit.valid({ cnf: { jkt: key.jkt } })
    const proof = await kit.dpopProof({ url: URL_, accessToken: token, key, header: { alg: 'ES256' } })
    await expectReject(verify(...(await dpopRequest(token, proof))), 'dpop_proof_invalid')
  })

  it('(8) compares htm with the method exactly', async () => {
    const { verify } = setup()
    const token = await kit.dpopBound()
    const proof = await kit.dpopProof({ url: URL_, accessToken: token, method: 'get' })
    await expectReject(verify(...(await dpopRequest(token, proof))), 'dpop_request_mismatch')
    const post = await kit.dpopProof({ url: URL_, accessToken: token, method: 'POST' })
    expect((await verify(...(await dpopRequest(token, post, { method: 'POST' })))).scheme).toBe('DPoP')
  })

  it.each([
    ['the query and fragment of the request are ignored', URL_, `${URL_}?limit=5#top`],
    ['the query of the htu is ignored too', `${URL_}?x=1`, URL_],
    ['scheme and host case (RFC 3986 §6.2.2.1)', 'HTTPS://API.Example.COM/orders', URL_],
    ['the default port (§6.2.3)', 'https://api.example.com:443/orders', URL_],
    ['percent-encoded unreserved characters (§6.2.2.2)', 'https://api.example.com/%6Frders', URL_],
    ['percent-encoding case (§6.2.2.1)', 'https://api.example.com/a%2fb', 'https://api.example.com/a%2Fb'],
    ['dot segments (§6.2.2.3)', 'https://api.example.com/x/../orders', URL_],
    ['an empty path is "/" (§6.2.3)', 'https://api.example.com', 'https://api.example.com/'],
  ])('(9) matches htu after normalisation: %s', async (_name, htu, requestUrl) => {
    const { verify } = setup()
    const token = await kit.dpopBound()
    const proof = await kit.dpopProof({ url: URL_, accessToken: token, claims: { htu } })
    expect((await verify(...(await dpopRequest(token, proof, { url: requestUrl })))).scheme).toBe('DPoP')
  })

  it.each([
    ['another path', 'https://api.example.com/orders/1'],
    ['a trailing slash', 'https://api.example.com/orders/'],
    ['another scheme', 'http://api.example.com/orders'],
    ['another port', 'https://api.example.com:8443/orders'],
    ['another host', 'https://evil.example.com/orders'],
    ['an encoded slash for a slash', 'https://api.example.com%2Forders'],
    ['not a URL', 'orders'],
    ['another protocol', 'ftp://api.example.com/orders'],
  ])('(9) refuses an htu naming %s', async (_name, htu) => {
    const { verify } = setup()
    const token = await kit.dpopBound()
    const proof = await kit.dpopProof({ url: URL_, accessToken: token, claims: { htu } })
    await expectReject(verify(...(await dpopRequest(token, proof))), 'dpop_request_mismatch', {
      wwwAuthenticate: dpopChallenge('invalid_dpop_proof', 'The DPoP proof htu is not the request URL'),
    })
  })

  it('(11) accepts iat within maxAge plus tolerance, refuses beyond (past and future)', async () => {
    const { verify } = setup({ dpop: { maxAge: 60 }, clockTolerance: 5 })
    const token = await kit.dpopBound()
    for (const [iat, ok] of [
      [NOW_S - 65, true],
      [NOW_S - 66, false],
      [NOW_S + 5, true],
      [NOW_S + 6, false],
    ] as const) {
      const proof = await kit.dpopProof({ url: URL_, accessToken: token, iat })
      const result = verify(...(await dpopRequest(token, proof)))
      if (ok) expect((await result).scheme).toBe('DPoP')
      else await expectReject(result, 'dpop_proof_expired')
    }
  })

  it('(12) refuses a proof for another access token (ath)', async () => {
    const { verify } = setup()
    const token = await kit.dpopBound()
    const other = await kit.dpopBound({ scope: 'other' })
    const proof = await kit.dpopProof({ url: URL_, accessToken: other })
    await expectReject(verify(...(await dpopRequest(token, proof))), 'dpop_ath_mismatch', {
      wwwAuthenticate: dpopChallenge('invalid_dpop_proof', 'The DPoP proof was made for another access token'),
    })
  })

  it('(12) refuses a proof signed by another key than cnf.jkt names: 401 invalid_token (Figure 16)', async () => {
    const { verify } = setup()
    const token = await kit.dpopBound()
    const proof = await kit.dpopProof({ url: URL_, accessToken: token, key: await generateDpopKey() })
    await expectReject(verify(...(await dpopRequest(token, proof))), 'dpop_key_mismatch', {
      wwwAuthenticate: dpopChallenge('invalid_token', 'The DPoP proof key does not match the token binding'),
    })
  })

  it('refuses an unreasonably long jti (§11.1)', async () => {
    const { verify } = setup()
    const token = await kit.dpopBound()
    const proof = await kit.dpopProof({ url: URL_, accessToken: token, jti: 'j'.repeat(257) })
    await expectReject(verify(...(await dpopRequest(token, proof))), 'dpop_proof_invalid')
  })
})

describe('RFC 9449 §11.1: replayed proofs', () => {
  it('refuses a proof used before, also when the token is answered from the cache', async () => {
    const { verify, calls } = setup()
    const token = await kit.dpopBound()
    const request = await dpopRequest(token)
    await verify(...request)
    await expectReject(verify(request[0], { dpop: { ...request[1].dpop!, proof: kit.replayDpopProof() } }), 'dpop_proof_replayed', {
      wwwAuthenticate: dpopChallenge('invalid_dpop_proof', 'The DPoP proof has already been used'),
    })
    // The token came from the cache the second time: one token check, two proof checks.
    expect(calls()).toBe(3)
  })

  it('lets exactly one of many concurrent requests with one proof through', async () => {
    const { verify } = setup()
    const token = await kit.dpopBound()
    const request = await dpopRequest(token)
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => verify(...request)))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    for (const r of results) if (r.status === 'rejected') expect((r.reason as BearerError).reason).toBe('dpop_proof_replayed')
  })

  it('does not spend a proof that failed another check', async () => {
    const { verify } = setup()
    const token = await kit.dpopBound()
    const proof = await kit.dpopProof({ url: URL_, accessToken: token })
    await expectReject(verify(...(await dpopRequest(token, proof, { url: 'https://api.example.com/other' }))), 'dpop_request_mismatch')
    expect((await verify(...(await dpopRequest(token, proof)))).scheme).toBe('DPoP')
  })

  it('keeps a jti for the proof acceptance window, in a store of its own', async () => {
    const added: [string, number][] = []
    const store: ReplayStore = { add: (jti, ttl) => (added.push([jti, ttl]), true) }
    const { verify } = setup({ dpop: { replayStore: store, maxAge: 60 }, clockTolerance: 5 })
    const token = await kit.dpopBound()
    await verify(...(await dpopRequest(token, await kit.dpopProof({ url: URL_, accessToken: token, jti: 'jti-1', iat: NOW_S - 10 }))))
    expect(added).toEqual([['jti-1', 55]])
  })

  it('answers 503 replay_store_unavailable, with no challenge, when the store fails (fail closed)', async () => {
    const store: ReplayStore = { add: () => Promise.reject(new Error('redis down')) }
    const { verify } = setup({ dpop: { replayStore: store } })
    const token = await kit.dpopBound()
    const err = await expectReject(verify(...(await dpopRequest(token))), 'replay_store_unavailable', { status: 503, wwwAuthenticate: undefined })
    expect((err.cause as Error).message).toBe('redis down')
  })

  it('bounds the memory store: the oldest proofs are forgotten first', () => {
    const store = memoryReplayStore({ max: 2 })
    expect([store.add('a', 60), store.add('b', 60), store.add('a', 60), store.add('c', 60), store.add('a', 60)]).toEqual([true, true, false, true, true])
    expect(() => memoryReplayStore({ max: 0 })).toThrow(/invalid memoryReplayStore option max/)
  })
})

describe('the verified-token cache never skips the proof', () => {
  it('checks the proof of a cached token on every request: one extra signature check each', async () => {
    const { verify, calls } = setup()
    const token = await kit.dpopBound()
    await verify(...(await dpopRequest(token)))
    expect(calls()).toBe(2)
    await verify(...(await dpopRequest(token)))
    expect(calls()).toBe(3)
    await expectReject(verify(`DPoP ${token}`, { dpop: { proof: undefined, method: 'GET', url: URL_ } }), 'dpop_proof_missing')
    await expectReject(verify(...(await dpopRequest(token, await kit.forgedDpopProof('badSignature', { url: URL_, accessToken: token })))), 'dpop_proof_invalid')
    await expectReject(verify(...(await dpopRequest(token, await kit.forgedDpopProof('otherKey', { url: URL_, accessToken: token })))), 'dpop_key_mismatch')
  })

  it('keeps a Bearer presentation of the token out of the DPoP entry (token_bound), before and after', async () => {
    const { verify } = setup()
    const token = await kit.dpopBound()
    await expectReject(verify(`Bearer ${token}`), 'token_bound')
    await verify(...(await dpopRequest(token)))
    await expectReject(verify(`Bearer ${token}`), 'token_bound', {
      wwwAuthenticate: `Bearer realm="api", error="invalid_token", error_description="The token is bound to a key and cannot be used as a plain bearer token", DPoP realm="api", algs="${ALGS}"`,
    })
  })
})

describe('RFC 9449 §7.2: serving Bearer and DPoP side by side', () => {
  it('serves a plain Bearer token', async () => {
    const { verify } = setup()
    const auth = await verify(`Bearer ${await kit.valid()}`)
    expect(auth.scheme).toBe('Bearer')
  })

  it('answers a request without credentials with both bare challenges (Figure 17)', async () => {
    const { verify } = setup()
    await expectReject(verify(undefined), 'token_missing', { status: 401, wwwAuthenticate: BARE_BOTH })
  })

  it('puts a Bearer failure on the Bearer challenge and leaves DPoP bare (Figure 18)', async () => {
    const { verify } = setup()
    await expectReject(verify(`Bearer ${await kit.expired()}`), 'token_expired', {
      wwwAuthenticate: `Bearer realm="api", error="invalid_token", error_description="The token has expired", DPoP realm="api", algs="${ALGS}"`,
    })
  })

  it('puts an ambiguous failure (several Authorization fields) on both challenges (Figure 19)', async () => {
    const { verify } = setup()
    const token = await kit.dpopBound()
    const d = 'Several Authorization headers were sent'
    await expectReject(verify([`Bearer ${token}`, `DPoP ${token}`]), 'header_malformed', {
      status: 400,
      wwwAuthenticate: `Bearer realm="api", error="invalid_request", error_description="${d}", DPoP realm="api", error="invalid_request", error_description="${d}", algs="${ALGS}"`,
    })
  })

  it('with dpop.required, refuses Bearer (dpop_required) and offers only DPoP', async () => {
    const { verify } = setup({ dpop: { required: true } })
    await expectReject(verify(undefined), 'token_missing', { wwwAuthenticate: `DPoP realm="api", algs="${ALGS}"` })
    await expectReject(verify(`Bearer ${await kit.valid()}`), 'dpop_required', {
      status: 401,
      wwwAuthenticate: `DPoP realm="api", error="invalid_token", error_description="Only DPoP-bound tokens are accepted here (Authorization: DPoP)", algs="${ALGS}"`,
    })
    const token = await kit.dpopBound()
    expect((await verify(...(await dpopRequest(token)))).scheme).toBe('DPoP')
  })

  it('scopes a DPoP request: 403 on the DPoP challenge', async () => {
    const { verify } = setup()
    const token = await kit.dpopBound()
    const [authorization, request] = await dpopRequest(token)
    await expectReject(verify(authorization, { ...request, scopes: ['admin'] }), 'insufficient_scope', {
      status: 403,
      wwwAuthenticate: `Bearer realm="api", DPoP realm="api", error="insufficient_scope", error_description="The token lacks a required scope", scope="admin", algs="${ALGS}"`,
    })
  })
})

describe('RFC 9449 §9: resource-server nonces', () => {
  const SECRET = 'n'.repeat(32)

  it('asks for a nonce (use_dpop_nonce + DPoP-Nonce), then accepts the proof that carries it', async () => {
    const { verify } = setup({ dpop: { nonce: { secret: SECRET } } })
    const token = await kit.dpopBound()
    const err = await expectReject(verify(...(await dpopRequest(token))), 'dpop_nonce_required', {
      status: 401,
      wwwAuthenticate: dpopChallenge('use_dpop_nonce', 'The DPoP proof must carry the nonce the resource server provided'),
    })
    const nonce = err.headers['DPoP-Nonce']!
    expect(nonce).toMatch(/^[\x21\x23-\x5b\x5d-\x7e]+$/) // RFC 9449 §8.1 NQCHAR
    expect(err.dpopNonce).toBe(nonce)
    const proof = await kit.dpopProof({ url: URL_, accessToken: token, nonce })
    expect((await verify(...(await dpopRequest(token, proof)))).scheme).toBe('DPoP')
  })

  it('sends the current nonce with every 401 of the verifier, and none with a 403 or a 503', async () => {
    const { verify } = setup({ dpop: { nonce: true } })
    const missing = await expectReject(verify(undefined), 'token_missing')
    expect(missing.headers['DPoP-Nonce']).toMatch(/\./)
    const token = await kit.dpopBound()
    const nonce = missing.headers['DPoP-Nonce']!
    const proof = await kit.dpopProof({ url: URL_, accessToken: token, nonce })
    const [authorization, request] = await dpopRequest(token, proof)
    const forbidden = await expectReject(verify(authorization, { ...request, scopes: ['admin'] }), 'insufficient_scope')
    expect(forbidden.headers['DPoP-Nonce']).toBeUndefined()
  })

  it('rotates: a nonce lives one to two lifetimes, then the proof is asked for the new one', async () => {
    const { verify } = setup({ dpop: { nonce: { secret: SECRET, lifetime: 60 }, maxAge: 600 } })
    const nonceOf = verifierInternals(verify).dpopNonce!
    clock = NOW_S - (NOW_S % 60) // the start of a window
    const first = await nonceOf()
    clock += 60
    const second = await nonceOf()
    expect(second).not.toBe(first)
    const token = await kit.dpopBound({ exp: NOW_S + 3600 })
    // The previous window's nonce still passes...
    expect((await verify(...(await dpopRequest(token, await kit.dpopProof({ url: URL_, accessToken: token, nonce: first })))) ).scheme).toBe('DPoP')
    clock += 60
    // ...and two windows later it is refused, with the current nonce in DPoP-Nonce.
    const err = await expectReject(verify(...(await dpopRequest(token, await kit.dpopProof({ url: URL_, accessToken: token, nonce: first })))), 'dpop_nonce_required')
    expect(err.headers['DPoP-Nonce']).toBe(await nonceOf())
    expect(err.headers['DPoP-Nonce']).not.toBe(second)
  })

  it('accepts one instance\'s nonce on another sharing the secret, and refuses a forged one', async () => {
    const a = setup({ dpop: { nonce: { secret: SECRET } } })
    const b = setup({ dpop: { nonce: { secret: SECRET } } })
    const c = setup({ dpop: { nonce: { secret: 'x'.repeat(32) } } })
    const nonce = await verifierInternals(a.verify).dpopNonce!()
    const token = await kit.dpopBound()
    const proof = () => kit.dpopProof({ url: URL_, accessToken: token, nonce })
    expect((await b.verify(...(await dpopRequest(token, await proof())))).scheme).toBe('DPoP')
    await expectReject(c.verify(...(await dpopRequest(token, await proof()))), 'dpop_nonce_required')
    const forged = `${nonce.slice(0, -1)}${nonce.endsWith('A') ? 'B' : 'A'}`
    await expectReject(b.verify(...(await dpopRequest(token, await kit.dpopProof({ url: URL_, accessToken: token, nonce: forged })))), 'dpop_nonce_required')
  })

  it('refuses a nonce secret shorter than 32 bytes at construction', () => {
    expect(() => setup({ dpop: { nonce: { secret: 'short' } } })).toThrow(/invalid verifier option dpop\.nonce\.secret: expected at least 32 bytes/)
  })
})

describe('dpop options', () => {
  it.each([
    ['an HMAC proof algorithm', { algorithms: ['HS256'] }, /dpop\.algorithms\.0: expected asymmetric algorithms/],
    ['a zero maxAge', { maxAge: 0 }, /dpop\.maxAge/],
    ['a replay store without add', { replayStore: {} }, /dpop\.replayStore: expected a replay store/],
    ['a misspelt option', { requried: true }, /dpop\.requried: not an option here; did you mean required\?/],
  ])('refuses %s', (_name, dpop, message) => {
    expect(() => setup({ dpop } as unknown as Partial<VerifierOptions>)).toThrow(message)
  })
})

describe('RFC 9728 §5.1: resource_metadata on every challenge', () => {
  it('is added to each scheme of 401 and 403 challenges', async () => {
    const { verify } = setup({ resourceMetadata: 'https://api.example.com/.well-known/oauth-protected-resource' })
    const rm = 'resource_metadata="https://api.example.com/.well-known/oauth-protected-resource"'
    await expectReject(verify(undefined), 'token_missing', { wwwAuthenticate: `Bearer realm="api", ${rm}, DPoP realm="api", algs="${ALGS}", ${rm}` })
    const token = await kit.valid()
    await expectReject(verify(`Bearer ${token}`, { scopes: ['admin'] }), 'insufficient_scope', {
      wwwAuthenticate: `Bearer realm="api", error="insufficient_scope", error_description="The token lacks a required scope", scope="admin", ${rm}, DPoP realm="api", algs="${ALGS}", ${rm}`,
    })
  })

  it('is added to a Bearer-only verifier too', async () => {
    const { verify } = setup({ dpop: false, resourceMetadata: 'https://api.example.com/.well-known/oauth-protected-resource/v1' })
    await expectReject(verify(undefined), 'token_missing', {
      wwwAuthenticate: 'Bearer realm="api", resource_metadata="https://api.example.com/.well-known/oauth-protected-resource/v1"',
    })
  })
})

describe('a polluted Object.prototype lends no token or proof its binding members', () => {
  it('cnf, typ, ath and jti count only when the token or the proof carries them itself', async () => {
    const { verify } = setup({ cache: false })
    const token = await kit.dpopBound()
    const plain = await kit.valid()
    // Signed before the pollution (jose reads headers through the prototype too).
    const noTyp = await kit.dpopProof({ url: URL_, accessToken: token, header: { typ: undefined } })
    const noAth = await kit.dpopProof({ url: URL_, accessToken: token, claims: { ath: undefined } })
    const noJti = await kit.dpopProof({ url: URL_, accessToken: token, claims: { jti: undefined } })
    const ath = (await kit.dpopProof({ url: URL_, accessToken: token })).split('.')[1]!
    const proto = Object.prototype as Record<string, unknown>
    const pollution: Record<string, unknown> = {
      cnf: { jkt: kit.dpopKey.jkt },
      typ: 'dpop+jwt',
      ath: (JSON.parse(Buffer.from(ath, 'base64url').toString()) as { ath: string }).ath,
      jti: 'from-the-prototype',
    }
    try {
      for (const [name, value] of Object.entries(pollution)) Object.defineProperty(proto, name, { value, configurable: true, writable: true, enumerable: false })
      // A token without cnf is not bound, whatever the prototype says: served as Bearer.
      expect((await verify(`Bearer ${plain}`)).claims.sub).toBe('test-user')
      // A proof misses each member it does not carry itself.
      expect((await expectReject(verify(...(await dpopRequest(token, noTyp))), 'dpop_proof_invalid')).message).toBe('The DPoP proof typ is not dpop+jwt')
      expect((await expectReject(verify(...(await dpopRequest(token, noAth))), 'dpop_proof_invalid')).message).toBe('The DPoP proof has no ath')
      expect((await expectReject(verify(...(await dpopRequest(token, noJti))), 'dpop_proof_invalid')).message).toBe('The DPoP proof has no jti')
    } finally {
      for (const name of Object.keys(pollution)) delete proto[name]
    }
  })
})
