/**
 * The exact `error_description` of each failure: clients and their logs see these words in the
 * `WWW-Authenticate` challenge and the problem body, so they are part of what a release keeps.
 */
import { describe, expect, it } from 'vitest'
import { signTokenRaw } from '../testing/tokens.js'
import { bearer, claims, expectReject, fixture } from '../../test/helpers/setup.js'
import { createVerifier } from './create-verifier.js'

const f = await fixture('ES256')
const verify = createVerifier(f.options)
const challenge = (description: string) => `Bearer realm="api", error="invalid_token", error_description="${description}"`
const malformed = (description: string) => `Bearer realm="api", error="invalid_request", error_description="${description}"`

describe('what each failure tells the client', () => {
  it.each<[string, string | string[], string, string]>([
    ['two tokens after Bearer', 'Bearer a.b.c d.e.f', 'header_malformed', malformed('The Authorization header must hold exactly one token after Bearer')],
    ['several Authorization fields', ['Bearer a.b.c', 'Bearer d.e.f'], 'header_malformed', malformed('Several Authorization headers were sent')],
    ['Bearer and nothing else', 'Bearer', 'header_malformed', malformed('No token after Bearer')],
    ['two segments', 'Bearer a.b', 'token_malformed', challenge('The token does not have three segments')],
    ['an empty header segment', 'Bearer .e30.AAAA', 'token_malformed', challenge('The token has an empty header')],
  ])('%s: %s', async (_name, header, reason, wwwAuthenticate) => {
    await expectReject(verify(header), reason as never, { wwwAuthenticate })
  })

  it.each(['none', 'NONE', 'None'])('alg %s: the token is unsigned, whatever the case', async (alg) => {
    const token = `${Buffer.from(JSON.stringify({ alg })).toString('base64url')}.${Buffer.from(JSON.stringify(claims())).toString('base64url')}.`
    await expectReject(verify(bearer(token)), 'alg_not_allowed', { wwwAuthenticate: challenge('Unsigned tokens (alg none) are never accepted') })
  })

  it('a kid that is not a string', async () => {
    const token = await signTokenRaw(f.key, { alg: 'ES256', kid: 7 }, claims())
    await expectReject(verify(bearer(token)), 'token_malformed', { wwwAuthenticate: challenge('The token header kid is not a string') })
  })

  it('no typ where one is required', async () => {
    await expectReject(createVerifier({ ...f.options, typ: 'at+jwt' })(bearer(await f.sign())), 'typ_invalid', {
      wwwAuthenticate: challenge('The token has no typ header'),
    })
  })

  it('a scope claim that holds no scopes', async () => {
    await expectReject(verify(bearer(await f.sign({ scope: 7 }))), 'claim_invalid', { wwwAuthenticate: challenge('The scope claim does not hold scopes') })
  })

  it('a token with no exp, and one with no iss', async () => {
    await expectReject(verify(bearer(await f.sign({ exp: undefined }))), 'claim_missing', { wwwAuthenticate: challenge('The token has no exp claim') })
    await expectReject(verify(bearer(await f.sign({ iss: undefined }))), 'issuer_invalid', { wwwAuthenticate: challenge('The token has no iss claim') })
  })
})

describe('the verified-token cache with a far-future exp', () => {
  it('answers a token whose remaining life is beyond any timer again from the cache', async () => {
    const v = createVerifier(f.options)
    const header = bearer(await f.sign({ exp: 1e20, sub: 'forever' }))
    const first = await v(header)
    expect(first.claims.sub).toBe('forever')
    expect(await v(header)).toBe(first)
  })
})
