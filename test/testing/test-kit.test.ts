/**
 * Every factory's token through the real pipeline (createVerifier with kit.verifierOptions):
 * each must produce exactly the outcome it documents.
 */
import { describe, expect, it } from 'vitest'
import { createVerifier, type Algorithm } from '../../src/index.js'
import { createTestKit, EXPECTED_OUTCOMES, type TestKit, type TokenCase } from '../../src/testing/index.js'
import { expectReject } from '../helpers/setup.js'

const NOW_S = 1_767_225_600
const now = () => NOW_S * 1000

/** The documented outcomes, written out here so the table in src cannot drift silently. */
const DOCUMENTED: readonly [TokenCase, number, string | null][] = [
  ['valid', 200, null],
  ['expired', 401, 'token_expired'],
  ['notYetValid', 401, 'token_not_yet_valid'],
  ['wrongIssuer', 401, 'issuer_invalid'],
  ['wrongAudience', 401, 'audience_invalid'],
  ['missingScope', 403, 'insufficient_scope'],
  ['badSignature', 401, 'signature_invalid'],
  ['truncated', 401, 'token_malformed'],
  ['algNone', 401, 'alg_not_allowed'],
  ['hsWithPublicKey', 401, 'alg_not_allowed'],
  ['untrustedKey', 401, 'signature_invalid'],
  ['malformedHeader', 401, 'token_malformed'],
]

function mint(kit: TestKit, name: TokenCase): Promise<string> {
  return name === 'missingScope' ? kit.missingScope('write') : kit[name]()
}

it('EXPECTED_OUTCOMES documents exactly these outcomes', () => {
  expect(Object.entries(EXPECTED_OUTCOMES).map(([name, o]) => [name, o.status, o.reason])).toEqual(DOCUMENTED)
})

describe.each(['RS256', 'ES256', 'EdDSA', 'HS256'] as Algorithm[])('a %s test kit', (alg) => {
  const cases = DOCUMENTED.filter(([name]) => !(alg === 'HS256' && name === 'hsWithPublicKey'))

  it.each(cases)('%s: the real pipeline answers %i %s', async (name, status, reason) => {
    const kit = await createTestKit({ alg, scope: 'read write', now })
    const verify = createVerifier(kit.verifierOptions)
    const request = name === 'missingScope' ? { scopes: ['write'] } : { scopes: ['read'] }
    const pending = verify(`Bearer ${await mint(kit, name)}`, request)
    if (reason === null) await expect(pending).resolves.toMatchObject({ claims: { iss: kit.issuer, aud: kit.audience, sub: 'test-user' } })
    else await expectReject(pending, reason, { status })
  })
})

describe('test kit tokens', () => {
  it('carry the documented WWW-Authenticate challenges', async () => {
    const kit = await createTestKit({ alg: 'ES256', scope: 'read', now })
    const verify = createVerifier(kit.verifierOptions)
    await expectReject(verify(`Bearer ${await kit.expired()}`), 'token_expired', {
      wwwAuthenticate: 'Bearer realm="api", error="invalid_token", error_description="The token has expired"',
    })
    await expectReject(verify(`Bearer ${await kit.missingScope('admin')}`, { scopes: ['admin'] }), 'insufficient_scope', {
      status: 403,
      wwwAuthenticate: 'Bearer realm="api", error="insufficient_scope", error_description="The token lacks a required scope", scope="admin"',
    })
  })

  it('hsWithPublicKey claims the kit key id and HS256 (what the attack needs)', async () => {
    const kit = await createTestKit({ alg: 'RS256', now })
    const header = JSON.parse(Buffer.from((await kit.hsWithPublicKey()).split('.')[0]!, 'base64url').toString())
    expect(header).toMatchObject({ alg: 'HS256', kid: kit.kid })
  })

  it('refuses hsWithPublicKey for an HS* kit with a TypeError: there is no public key', async () => {
    const kit = await createTestKit({ alg: 'HS256' })
    await expect(kit.hsWithPublicKey()).rejects.toThrow(TypeError)
  })

  it('expired and notYetValid stay wrong under a generous clock tolerance', async () => {
    const kit = await createTestKit({ alg: 'ES256', now })
    const verify = createVerifier({ ...kit.verifierOptions, clockTolerance: '5m' }) // the most allowed
    await expectReject(verify(`Bearer ${await kit.expired()}`), 'token_expired')
    await expectReject(verify(`Bearer ${await kit.notYetValid()}`), 'token_not_yet_valid')
  })

  it('merges extra claims, and undefined removes one: no exp gives 401 claim_missing', async () => {
    const kit = await createTestKit({ alg: 'ES256', now })
    const verify = createVerifier(kit.verifierOptions)
    await expect(verify(`Bearer ${await kit.valid({ sub: 'alice', tenant: 't1' })}`)).resolves.toMatchObject({ claims: { sub: 'alice', tenant: 't1' } })
    await expectReject(verify(`Bearer ${await kit.valid({ exp: undefined })}`), 'claim_missing')
  })

  it('tokens use the kit clock, and verifierOptions carries it', async () => {
    const kit = await createTestKit({ alg: 'ES256', now, ttl: '10m' })
    expect(kit.verifierOptions.now).toBe(now)
    expect(kit.claims()).toMatchObject({ iat: NOW_S, exp: NOW_S + 600 })
  })

  it('signs at+jwt by default, so a verifier requiring typ at+jwt accepts; typ: null leaves it out', async () => {
    const kit = await createTestKit({ alg: 'ES256', now })
    await expect(createVerifier({ ...kit.verifierOptions, typ: 'at+jwt' })(`Bearer ${await kit.valid()}`)).resolves.toMatchObject({ claims: { sub: 'test-user' } })
    const bare = await createTestKit({ alg: 'ES256', now, typ: null })
    await expectReject(createVerifier({ ...bare.verifierOptions, typ: 'at+jwt' })(`Bearer ${await bare.valid()}`), 'typ_invalid')
  })

  it('gives the same keys for the same seed', async () => {
    const a = await createTestKit({ alg: 'ES256', seed: 'orders' })
    const b = await createTestKit({ alg: 'ES256', seed: 'orders' })
    const c = await createTestKit({ alg: 'ES256', seed: 'billing' })
    expect(b.jwks).toEqual(a.jwks)
    expect(c.kid).not.toBe(a.kid)
    // A token from one kit verifies with the other's options: fixtures survive a restart.
    await expect(createVerifier(b.verifierOptions)(`Bearer ${await a.valid()}`)).resolves.toMatchObject({ claims: { sub: 'test-user' } })
  })

  it('rotate() signs with the next key, keeps the previous one published, and drops older ones', async () => {
    const kit = await createTestKit({ alg: 'ES256', now })
    const first = await kit.valid()
    const firstKid = kit.kid
    await kit.rotate()
    expect(kit.kid).not.toBe(firstKid)
    expect(kit.jwks.keys.map((k) => (k as { kid: string }).kid)).toEqual([kit.kid, firstKid])
    await expect(createVerifier(kit.verifierOptions)(`Bearer ${first}`)).resolves.toMatchObject({ claims: { sub: 'test-user' } })
    await expect(createVerifier(kit.verifierOptions)(`Bearer ${await kit.valid()}`)).resolves.toMatchObject({ claims: { sub: 'test-user' } })
    await kit.rotate()
    await expectReject(createVerifier(kit.verifierOptions)(`Bearer ${first}`), 'kid_not_found')
  })
})
