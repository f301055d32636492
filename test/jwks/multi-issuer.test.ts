import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createVerifier } from '../../src/index.js'
import { expectReject } from '../helpers/setup.js'
import { AUDIENCE, jwks, recorder, signer, testClock, type Signer } from './harness.js'
import { json, startKeyServer, type KeyServer } from './jwks-server.js'

let server: KeyServer
let a: Signer
let b: Signer
let issuerA: string
let issuerB: string

beforeAll(async () => {
  server = await startKeyServer()
  ;[a, b] = await Promise.all([signer('a-1'), signer('b-1', 'RS256')])
  issuerA = `${server.origin}/tenant-a`
  issuerB = `${server.origin}/tenant-b`
  server.route('/tenant-a/jwks.json', json(jwks(a)))
  server.route('/tenant-b/.well-known/openid-configuration', json({ issuer: issuerB, jwks_uri: server.url('/tenant-b/keys') }))
  server.route('/tenant-b/keys', json(jwks(b)))
})
afterAll(() => server.close())

function multi() {
  const events = recorder()
  const verify = createVerifier({
    audience: AUDIENCE,
    issuers: [
      { issuer: issuerA, jwksUri: server.url('/tenant-a/jwks.json') },
      { issuer: issuerB, discovery: true, audience: 'https://tenant-b.api' },
    ],
    now: testClock().now,
    onEvent: events.onEvent,
  })
  return { verify, events }
}

describe('multi-issuer', () => {
  it('rejects an unknown issuer with 401 issuer_invalid before any request', async () => {
    const { verify, events } = multi()
    const before = server.count()
    const tokens = await Promise.all([
      a.token({ iss: 'https://evil.example.com/' }),
      // An issuer that would resolve on this very server: still never fetched.
      a.token({ iss: `${server.origin}/tenant-c` }),
      a.token({ iss: `${issuerA}/` }),
      a.token({ iss: undefined }),
      a.token({ iss: ['x'] }),
    ])
    for (const token of tokens) {
      await expectReject(verify(token), 'issuer_invalid', {
        status: 401,
        wwwAuthenticate: 'Bearer realm="api", error="invalid_token", error_description="The token issuer is not accepted"',
      })
    }
    expect(server.count()).toBe(before)
    // No key-source event (nothing was fetched); the operator is told which issuers are configured.
    expect(events.types()).toEqual(['operator_hint'])
  })

  it('verifies each tenant with its own keys and audience (jwksUri and discovery)', async () => {
    const { verify } = multi()
    await expect(verify(await a.token({ iss: issuerA }))).resolves.toMatchObject({ claims: { iss: issuerA } })
    await expect(verify(await b.token({ iss: issuerB, aud: 'https://tenant-b.api' }))).resolves.toMatchObject({ claims: { iss: issuerB } })
    await expectReject(verify(await b.token({ iss: issuerB })), 'audience_invalid')
  })

  it("never verifies one tenant's token with another tenant's keys", async () => {
    const { verify } = multi()
    // Signed by tenant B's key but claiming tenant A: A's set has no such kid.
    await expectReject(verify(await b.token({ iss: issuerA })), 'kid_not_found', { status: 401 })
    // A's key naming B's kid, claiming B.
    await expectReject(verify(await a.token({ iss: issuerB, aud: 'https://tenant-b.api' }, { kid: 'b-1' })), 'alg_not_allowed')
  })

  it('fetches only the keys of the tenant a token names', async () => {
    const { verify } = multi()
    const before = { a: server.count('/tenant-a/jwks.json'), b: server.count('/tenant-b/keys') }
    await verify(await a.token({ iss: issuerA }))
    expect(server.count('/tenant-a/jwks.json')).toBe(before.a + 1)
    expect(server.count('/tenant-b/keys')).toBe(before.b)
  })

  it('warm() preloads every tenant', async () => {
    const { verify, events } = multi()
    await verify.warm()
    expect(events.of('jwks_fetch').map((e) => e.uri).sort()).toEqual([server.url('/tenant-a/jwks.json'), server.url('/tenant-b/keys')])
  })

  it('needs no top-level audience when every entry names its own (the DESIGN.md shape; a TypeError before)', async () => {
    const verify = createVerifier({
      issuers: [
        { issuer: issuerA, audience: 'https://a.api', jwks: jwks(a) },
        { issuer: issuerB, audience: ['https://b.api', 'https://b2.api'], jwks: jwks(b) },
      ],
      now: testClock().now,
    })
    await expect(verify(await a.token({ iss: issuerA, aud: 'https://a.api' }))).resolves.toMatchObject({ claims: { iss: issuerA } })
    await expect(verify(await b.token({ iss: issuerB, aud: 'https://b2.api' }))).resolves.toMatchObject({ claims: { iss: issuerB } })
    // Each entry's audience is its own: tenant A's token for tenant B's API is refused.
    await expectReject(verify(await a.token({ iss: issuerA, aud: 'https://b.api' })), 'audience_invalid')
    await expectReject(verify(await a.token({ iss: issuerA, aud: AUDIENCE })), 'audience_invalid')
    // An entry without one, and no top-level audience to fall back on: a ConfigError naming it.
    expect(() => createVerifier({ issuers: [{ issuer: issuerA, audience: 'https://a.api', jwks: jwks(a) }, { issuer: issuerB, jwks: jwks(b) }] })).toThrow(
      'tokengate: invalid verifier option issuers.1.audience: required (a string, a list, or null to skip the check), here or at the top level',
    )
  })
})
