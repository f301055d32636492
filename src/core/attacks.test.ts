/**
 * The classic attacks on JWT validators, each reproduced as a test that fails on the
 * vulnerable behaviour.
 */
import { describe, expect, it, vi } from 'vitest'
import { exportSPKI } from 'jose'
import { encodeBase64url } from '../lib/base64url.js'
import { generateSigningKey, type TestSigningKey } from '../testing/keys.js'
import { encodeSegment, signToken, signTokenRaw, unsignedToken } from '../testing/tokens.js'
import { bearer, claims, createVerifier, expectReject, fixture, MATRIX, now } from '../../test/helpers/setup.js'

describe.each(MATRIX)('alg none against a %s verifier', (alg) => {
  it.each(['none', 'None', 'NONE', 'nOnE'])('rejects alg %s with 401 alg_not_allowed', async (none) => {
    const f = await fixture(alg)
    const verify = createVerifier(f.options)
    for (const signature of ['', 'c2ln']) {
      const token = unsignedToken({ alg: none, ...(f.key.kid ? { kid: f.key.kid } : {}) }, claims(), signature)
      await expectReject(verify(bearer(token)), 'alg_not_allowed', { status: 401 })
    }
  })
})

describe('algorithm confusion', () => {
  it('rejects HS256 signed with the RSA public key (PEM and JWK text) as the secret: 401 alg_not_allowed', async () => {
    const f = await fixture('RS256')
    const verify = createVerifier(f.options)
    const { importJWK } = await import('jose')
    const pem = await exportSPKI((await importJWK(f.key.publicJwk!, 'RS256', { extractable: true })) as CryptoKey)
    for (const secretText of [pem, JSON.stringify(f.key.publicJwk), f.key.publicJwk!.n!]) {
      const confused: TestSigningKey = { ...f.key, alg: 'HS256', signingKey: new TextEncoder().encode(secretText), publicJwk: undefined }
      // signTokenRaw: the kit's signToken refuses key material as an HMAC key, as the verifier does.
      const token = await signTokenRaw(confused, { alg: 'HS256', kid: f.key.kid }, claims())
      await expectReject(verify(bearer(token)), 'alg_not_allowed')
    }
  })

  it('refuses HS* on the allow-list of a key-set verifier at construction', async () => {
    const f = await fixture('RS256')
    expect(() => createVerifier({ ...f.options, algorithms: ['RS256', 'HS256'] })).toThrow(/HS256 needs a shared secret/)
  })

  it('rejects RS256 (and every asymmetric alg) against a secret verifier', async () => {
    const f = await fixture('HS256')
    const rsa = await generateSigningKey('RS256')
    await expectReject(createVerifier(f.options)(bearer(await signToken(rsa, claims()))), 'alg_not_allowed')
  })

  it('rejects an algorithm the key type cannot use (ES256 token, RSA key with that kid)', async () => {
    const f = await fixture('RS256')
    const ec = await generateSigningKey('ES256', { kid: f.key.kid! })
    await expectReject(createVerifier(f.options)(bearer(await signToken(ec, claims()))), 'alg_not_allowed')
  })

  it("pins the algorithm to the JWK's own alg (RFC 8725 §3.1): PS256 with an RS256 key is rejected", async () => {
    // One RSA key pair; the published JWK says RS256, the token is a valid PS256 signature by it.
    const pss = await generateSigningKey('PS256', { kid: 'rsa' })
    const verify = createVerifier({ issuer: null, audience: null, now, jwks: { keys: [{ ...pss.publicJwk!, alg: 'RS256' }] } })
    await expectReject(verify(bearer(await signToken(pss, claims()))), 'alg_not_allowed')
    // The same key without an alg member may verify PS256.
    const open = createVerifier({ issuer: null, audience: null, now, jwks: { keys: [{ ...pss.publicJwk!, alg: undefined }] } })
    await expect(open(bearer(await signToken(pss, claims())))).resolves.toMatchObject({ claims: { sub: 'user-1' } })
  })

  it('rejects an algorithm left off the allow-list', async () => {
    const ec = await generateSigningKey('ES256', { kid: 'ec' })
    const rsa = await generateSigningKey('RS256', { kid: 'rsa' })
    const verify = createVerifier({ issuer: null, audience: null, now, algorithms: ['RS256'], jwks: { keys: [ec.publicJwk!, rsa.publicJwk!] } })
    await expectReject(verify(bearer(await signToken(ec, claims()))), 'alg_not_allowed')
    await expect(verify(bearer(await signToken(rsa, claims())))).resolves.toMatchObject({ claims: { sub: 'user-1' } })
  })

  it('refuses an allow-list that leaves no usable key, at construction', async () => {
    const f = await fixture('ES256')
    expect(() => createVerifier({ ...f.options, algorithms: ['RS256'] })).toThrow(TypeError)
  })
})

describe('header-supplied keys are never trusted', () => {
  it.each(['jwk', 'jku', 'x5u', 'x5c'])('ignores an attacker-supplied %s header: 401 signature_invalid, no fetch', async (member) => {
    const f = await fixture('ES256')
    const attacker = await generateSigningKey('ES256', { kid: f.key.kid! })
    const fetchSpy = vi.fn(async () => new Response('{}'))
    const verify = createVerifier({ ...f.options, fetch: fetchSpy })
    const values: Record<string, unknown> = {
      jwk: attacker.publicJwk,
      jku: 'http://127.0.0.1:1/jwks.json',
      x5u: 'http://127.0.0.1:1/cert.pem',
      x5c: ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'],
    }
    const token = await signToken(attacker, claims(), { [member]: values[member] })
    await expectReject(verify(bearer(token)), 'signature_invalid')
    expect(fetchSpy).not.toHaveBeenCalled()
  })

  it('rejects an embedded jwk token without a kid against a one-key set: 401 signature_invalid', async () => {
    const f = await fixture('ES256')
    const attacker = await generateSigningKey('ES256')
    const token = await signToken(attacker, claims(), { jwk: attacker.publicJwk })
    await expectReject(createVerifier(f.options)(bearer(token)), 'signature_invalid')
  })
})

describe('key selection', () => {
  it('rejects an unknown kid with 401 kid_not_found', async () => {
    const f = await fixture('ES256')
    const other = await generateSigningKey('ES256', { kid: 'unknown' })
    await expectReject(createVerifier(f.options)(bearer(await signToken(other, claims()))), 'kid_not_found', {
      wwwAuthenticate: 'Bearer realm="api", error="invalid_token", error_description="The token key (kid) is not known"',
    })
  })

  it('requires a kid when several keys fit: 401 kid_missing', async () => {
    const a = await generateSigningKey('ES256', { kid: 'a' })
    const b = await generateSigningKey('ES256', { kid: 'b' })
    const verify = createVerifier({ issuer: null, audience: null, now, jwks: { keys: [a.publicJwk!, b.publicJwk!] } })
    const noKid: TestSigningKey = { ...a, kid: undefined }
    await expectReject(verify(bearer(await signToken(noKid, claims()))), 'kid_missing')
    await expect(verify(bearer(await signToken(b, claims())))).resolves.toMatchObject({ claims: { sub: 'user-1' } })
  })

  it('uses the only key when the token names none', async () => {
    const a = await generateSigningKey('ES256', { kid: 'a' })
    const verify = createVerifier({ issuer: null, audience: null, now, jwks: { keys: [a.publicJwk!] } })
    await expect(verify(bearer(await signToken({ ...a, kid: undefined }, claims())))).resolves.toMatchObject({ claims: { sub: 'user-1' } })
  })

  it('rejects a non-string kid with 401 token_malformed', async () => {
    const f = await fixture('ES256')
    await expectReject(createVerifier(f.options)(bearer(await f.sign({}, { kid: 7 }))), 'token_malformed')
  })
})

describe('crit and JWE', () => {
  it('rejects any crit extension with 401 crit_unsupported (RFC 7515 §4.1.11)', async () => {
    const f = await fixture('ES256')
    const verify = createVerifier(f.options)
    const header = { alg: 'ES256', kid: f.key.kid }
    await expectReject(verify(bearer(await signTokenRaw(f.key, { ...header, crit: ['exp'], exp: 1 }, claims()))), 'crit_unsupported')
    await expectReject(verify(bearer(await signTokenRaw(f.key, { ...header, crit: ['b64'], b64: true }, claims()))), 'crit_unsupported')
    await expectReject(verify(bearer(await signTokenRaw(f.key, { ...header, crit: [] }, claims()))), 'crit_unsupported')
    // The raw signer itself produces tokens the verifier accepts.
    await expect(verify(bearer(await signTokenRaw(f.key, header, claims())))).resolves.toMatchObject({ claims: { sub: 'user-1' } })
  })

  it('rejects a five-segment JWE with 401 token_encrypted', async () => {
    const f = await fixture('ES256')
    const jwe = [encodeSegment({ alg: 'dir', enc: 'A256GCM' }), '', 'aXY', 'Y2lwaGVy', 'dGFn'].join('.')
    await expectReject(createVerifier(f.options)(bearer(jwe)), 'token_encrypted', {
      wwwAuthenticate: 'Bearer realm="api", error="invalid_token", error_description="Encrypted tokens (JWE) are not accepted"',
    })
  })
})

describe('malformed tokens', () => {
  const rest = (g: string) => g.split('.').slice(1).join('.')
  const cases: [string, string, (good: string) => string][] = [
    ['one segment', 'token_malformed', () => 'abc'],
    ['two segments', 'token_malformed', (g) => g.split('.').slice(0, 2).join('.')],
    ['four segments', 'token_malformed', (g) => `${g}.x`],
    ['an empty header', 'token_malformed', (g) => `.${rest(g)}`],
    ['an empty payload', 'token_malformed', (g) => { const [h, , s] = g.split('.'); return `${h}..${s}` }],
    // Padding and "+" are token68 characters, so they pass the header step and fail strict base64url.
    ['padding after the signature', 'token_malformed', (g) => `${g}==`],
    ['a + in the header', 'token_malformed', (g) => `+${g.slice(1)}`],
    // ES256 signatures are 64 bytes: 86 characters whose last one carries 4 unused bits.
    ['a non-canonical signature tail', 'token_malformed', (g) => g.slice(0, -1) + String.fromCharCode(g.charCodeAt(g.length - 1) + 1)],
    ['a header that is not JSON', 'token_malformed', (g) => `${encodeBase64url(new TextEncoder().encode('{alg:ES256'))}.${rest(g)}`],
    ['a header that is an array', 'token_malformed', (g) => `${encodeSegment([{ alg: 'ES256' }])}.${rest(g)}`],
    ['a header without alg', 'token_malformed', (g) => `${encodeSegment({ typ: 'JWT' })}.${rest(g)}`],
    ['a header with a numeric alg', 'token_malformed', (g) => `${encodeSegment({ alg: 256 })}.${rest(g)}`],
    ['a header with a UTF-8 BOM', 'token_malformed', (g) => `${encodeBase64url(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('{"alg":"ES256"}')]))}.${rest(g)}`],
    ['a header with invalid UTF-8', 'token_malformed', (g) => `${encodeBase64url(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]))}.${rest(g)}`],
    // "/" is token68 but "%" and "," are not: those are a malformed header, 400.
    ['a % in the payload', 'header_malformed', (g) => g.replace('.', '.%')],
  ]
  it.each(cases)('rejects %s with %s', async (_name, reason, mutate) => {
    const f = await fixture('ES256')
    const bad = mutate(await f.sign())
    await expectReject(createVerifier(f.options)(bearer(bad)), reason, { status: reason === 'header_malformed' ? 400 : 401 })
  })

  it.each([
    ['an array', [1, 2]],
    ['a number', 42],
    ['a string', 'hello'],
    ['null', null],
  ])('rejects a signed payload that is %s', async (_name, payload) => {
    const f = await fixture('ES256')
    const token = await signToken(f.key, JSON.stringify(payload))
    await expectReject(createVerifier(f.options)(bearer(token)), 'token_malformed', {
      wwwAuthenticate: 'Bearer realm="api", error="invalid_token", error_description="The token payload is not a JSON object"',
    })
  })

  it('rejects a payload that is not JSON', async () => {
    const f = await fixture('ES256')
    await expectReject(createVerifier(f.options)(bearer(await signToken(f.key, 'not json'))), 'token_malformed')
  })

  it('never puts the token in a message or header', async () => {
    const f = await fixture('ES256')
    const verify = createVerifier(f.options)
    const token = await f.sign({ exp: 1 })
    const err = await expectReject(verify(bearer(token)), 'token_expired')
    for (const text of [err.message, err.wwwAuthenticate!, JSON.stringify(err.toProblem()), String(err)]) {
      expect(text).not.toContain(token.split('.')[1]!)
      expect(text).not.toContain(token.split('.')[2]!)
    }
  })
})
