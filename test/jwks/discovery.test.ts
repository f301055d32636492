import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createVerifier, type VerifierOptions } from '../../src/index.js'
import { discoveryUrls } from '../../src/keys/discovery.js'
import { expectReject } from '../helpers/setup.js'
import { AUDIENCE, jwks, recorder, signer, testClock, type Signer } from './harness.js'
import { json, startKeyServer, status, type KeyServer } from './jwks-server.js'

let server: KeyServer
let key: Signer

beforeAll(async () => {
  server = await startKeyServer()
  key = await signer('k1')
})
afterAll(() => server.close())

let tenants = 0
/** A fresh issuer on the test server (`<origin>/t<n>`), its token, and a verifier using discovery. */
async function setup(discovery: true | string = true, extra: Partial<VerifierOptions> = {}) {
  const issuer = `${server.origin}/t${++tenants}`
  const events = recorder()
  const clock = testClock()
  const verify = () => createVerifier({ issuer, audience: AUDIENCE, discovery, now: clock.now, onEvent: events.onEvent, ...extra } as VerifierOptions)
  const token = await key.token({ iss: issuer })
  return { issuer, path: `/t${tenants}`, events, clock, verify, token }
}

describe('discovery', () => {
  it('derives the metadata URLs: OIDC first, then RFC 8414', () => {
    expect(discoveryUrls('https://idp.example.com/')).toEqual([
      'https://idp.example.com/.well-known/openid-configuration',
      'https://idp.example.com/.well-known/oauth-authorization-server',
    ])
    expect(discoveryUrls('https://idp.example.com/tenant/a')).toEqual([
      'https://idp.example.com/tenant/a/.well-known/openid-configuration',
      'https://idp.example.com/.well-known/oauth-authorization-server/tenant/a',
    ])
  })

  it('reads jwks_uri from the OIDC document once, then verifies with its keys', async () => {
    const { issuer, path, events, verify, token } = await setup()
    server.route(`${path}/.well-known/openid-configuration`, json({ issuer, jwks_uri: server.url(`${path}/keys`) }))
    server.route(`${path}/keys`, json(jwks(key)))
    const v = verify()
    await Promise.all(Array.from({ length: 100 }, () => v(token)))
    await v(token)
    expect(server.count(`${path}/.well-known/openid-configuration`)).toBe(1)
    expect(server.count(`${path}/keys`)).toBe(1)
    expect(events.types()).toEqual(['discovery', 'jwks_fetch'])
    expect(events.of('discovery')[0]).toEqual({ type: 'discovery', uri: server.url(`${path}/.well-known/openid-configuration`), issuer, jwksUri: server.url(`${path}/keys`) })
  })

  it('falls back to RFC 8414 metadata when there is no OIDC document', async () => {
    const { issuer, path, verify, token } = await setup()
    server.route(`/.well-known/oauth-authorization-server${path}`, json({ issuer, jwks_uri: server.url(`${path}/as-keys`) }))
    server.route(`${path}/as-keys`, json(jwks(key)))
    await expect(verify()(token)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    expect(server.count(`${path}/.well-known/openid-configuration`)).toBe(1)
    expect(server.count(`/.well-known/oauth-authorization-server${path}`)).toBe(1)
  })

  it('uses an explicit metadata URL as given', async () => {
    const { issuer, path, token } = await setup()
    server.route(`${path}/custom-metadata`, json({ issuer, jwks_uri: server.url(`${path}/k`) }))
    server.route(`${path}/k`, json(jwks(key)))
    const v = createVerifier({ issuer, audience: AUDIENCE, discovery: server.url(`${path}/custom-metadata`), now: testClock().now })
    await expect(v(token)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    expect(server.count(`${path}/custom-metadata`)).toBe(1)
    expect(server.count(`${path}/.well-known/openid-configuration`)).toBe(0)
  })

  it('refuses metadata that names another issuer: 503 jwks_unavailable, and its jwks_uri is never fetched', async () => {
    const { path, events, verify, token } = await setup()
    server.route(`${path}/.well-known/openid-configuration`, json({ issuer: 'https://evil.example.com/', jwks_uri: server.url(`${path}/evil-keys`) }))
    server.route(`${path}/evil-keys`, json(jwks(key)))
    await expectReject(verify()(token), 'jwks_unavailable', { status: 503, wwwAuthenticate: undefined })
    expect(events.of('jwks_error')).toMatchObject([{ code: 'issuer_mismatch' }])
    expect(server.count(`${path}/evil-keys`)).toBe(0)
  })

  it('refuses a trailing-slash variant of the issuer (exact match)', async () => {
    const { issuer, path, events, verify, token } = await setup()
    server.route(`${path}/.well-known/openid-configuration`, json({ issuer: `${issuer}/`, jwks_uri: server.url(`${path}/keys`) }))
    await expectReject(verify()(token), 'jwks_unavailable')
    expect(events.of('jwks_error')).toMatchObject([{ code: 'issuer_mismatch' }])
  })

  it.each([
    ['no jwks_uri', (issuer: string) => ({ issuer })],
    ['a jwks_uri that is not a URL', (issuer: string) => ({ issuer, jwks_uri: 'keys.json' })],
    ['a file: jwks_uri', (issuer: string) => ({ issuer, jwks_uri: 'file:///etc/passwd' })],
    ['a document that is not an object', () => ['issuer']],
  ])('refuses metadata with %s: 503 discovery_invalid', async (_name, doc) => {
    const { issuer, path, events, verify, token } = await setup()
    server.route(`${path}/.well-known/openid-configuration`, json(doc(issuer)))
    await expectReject(verify()(token), 'jwks_unavailable', { status: 503 })
    expect(events.of('jwks_error')).toMatchObject([{ code: 'discovery_invalid' }])
  })

  it('retries a failed discovery only after the cooldown', async () => {
    const { issuer, path, clock, verify, token } = await setup()
    server.route(`${path}/.well-known/openid-configuration`, status(500))
    const v = verify()
    await expectReject(v(token), 'jwks_unavailable')
    await expectReject(v(token), 'jwks_unavailable')
    expect(server.count(`${path}/.well-known/openid-configuration`)).toBe(1)
    server.route(`${path}/.well-known/openid-configuration`, json({ issuer, jwks_uri: server.url(`${path}/keys`) }))
    server.route(`${path}/keys`, json(jwks(key)))
    clock.advance(30)
    await expect(v(token)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    expect(server.count(`${path}/.well-known/openid-configuration`)).toBe(2)
  })

  it('warm() runs discovery and the key fetch ahead of the first request', async () => {
    const { issuer, path, verify, token } = await setup()
    server.route(`${path}/.well-known/openid-configuration`, json({ issuer, jwks_uri: server.url(`${path}/keys`) }))
    server.route(`${path}/keys`, json(jwks(key)))
    const v = verify()
    await v.warm()
    const seen = () => [server.count(`${path}/.well-known/openid-configuration`), server.count(`${path}/keys`)]
    expect(seen()).toEqual([1, 1])
    await v(token)
    expect(seen()).toEqual([1, 1])
  })

  it('is one key source among the others: a second one is refused by the types and at construction', () => {
    expect(() =>
      // @ts-expect-error: discovery and jwksUri together
      createVerifier({ issuer: 'https://a.example/', audience: AUDIENCE, discovery: true, jwksUri: 'https://a.example/jwks' }),
    ).toThrow(/only one key source may be given, got jwksUri and discovery/)
  })

  it('is a configuration error without a single issuer URL', () => {
    expect(() => createVerifier({ issuer: ['https://a/', 'https://b/'], audience: AUDIENCE, discovery: true })).toThrow(/option discovery: needs a single `issuer` string/)
    expect(() => createVerifier({ issuer: null, audience: AUDIENCE, discovery: true })).toThrow(/option discovery/)
    expect(() => createVerifier({ issuer: 'urn:example:idp', audience: AUDIENCE, discovery: true })).toThrow(/option issuer: discovery: true needs an http\(s\) issuer URL/)
    expect(() => createVerifier({ issuer: 'https://a/', audience: AUDIENCE, discovery: 'ftp://a/meta' })).toThrow(/option discovery/)
    expect(() => createVerifier({ audience: AUDIENCE, issuers: [{ issuer: 'urn:x', discovery: true }] })).toThrow(/option issuers\.0\.issuer/)
  })
})
