/**
 * The kit's JWKS server, used the way consumers use it: a real verifier fetching keys from
 * 127.0.0.1, with rotation and injected faults.
 */
import { X509Certificate } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { createVerifier } from '../../src/index.js'
import { albKeyId, createTestKit, startJwksServer, type JwksServer, type TestKit } from '../../src/testing/index.js'
import { expectReject } from '../helpers/setup.js'

const servers: JwksServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function setup(): Promise<{ kit: TestKit; server: JwksServer; options: Parameters<typeof createVerifier>[0] }> {
  const kit = await createTestKit({ alg: 'ES256' })
  const server = await kit.server()
  servers.push(server)
  // cooldown 0: an unknown kid refetches at once (rotation tests do not wait 30 s).
  return { kit, server, options: { issuer: kit.issuer, audience: kit.audience, jwksUri: server.jwksUri, jwksCache: { cooldown: 0, timeout: 0.5 } } }
}

describe('startJwksServer / kit.server()', () => {
  it('serves the kit JWKS on 127.0.0.1 and discovery documents pointing at it', async () => {
    const { kit, server } = await setup()
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const jwks = await fetch(server.jwksUri)
    expect(jwks.status).toBe(200)
    expect(jwks.headers.get('content-type')).toBe('application/jwk-set+json')
    expect(await jwks.json()).toEqual(kit.jwks)
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      expect(await (await fetch(`${server.url}${path}`)).json()).toMatchObject({ issuer: kit.issuer, jwks_uri: server.jwksUri, id_token_signing_alg_values_supported: ['ES256'] })
    }
    expect(server.requests).toEqual({ jwks: 1, discovery: 2, x509: 0, alb: 0 })
  })

  it("serves the kit's keys as a { kid: certificate } document and as ALB PEM files per kid", async () => {
    const { kit, server } = await setup()
    const document = (await (await fetch(server.x509Uri)).json()) as Record<string, string>
    expect(Object.keys(document)).toEqual([kit.kid])
    expect(new X509Certificate(document[kit.kid!]!).publicKey.export({ format: 'jwk' })).toMatchObject({ x: (kit.jwks.keys[0] as { x: string }).x })
    const pem = await fetch(`${server.albKeysUrl}/${albKeyId(kit.key)}`)
    expect([pem.status, pem.headers.get('content-type'), (await pem.text()).split('\n')[0]]).toEqual([200, 'application/x-pem-file', '-----BEGIN PUBLIC KEY-----'])
    // An unknown kid: 403, as AWS's key endpoint answers.
    expect((await fetch(`${server.albKeysUrl}/${crypto.randomUUID()}`)).status).toBe(403)
    expect(server.requests).toEqual({ jwks: 0, discovery: 0, x509: 1, alb: 2 })
  })

  it('answers unknown paths with 404 and other methods with 405', async () => {
    const { server } = await setup()
    expect((await fetch(`${server.url}/nope`)).status).toBe(404)
    expect((await fetch(server.jwksUri, { method: 'POST' })).status).toBe(405)
  })

  it('lets a verifier with jwksUri accept a valid token, fetching the keys once', async () => {
    const { kit, server, options } = await setup()
    const verify = createVerifier(options)
    await expect(verify(`Bearer ${await kit.valid()}`)).resolves.toMatchObject({ claims: { sub: 'test-user' } })
    await expect(verify(`Bearer ${await kit.valid()}`)).resolves.toMatchObject({ claims: { sub: 'test-user' } })
    await expectReject(verify(`Bearer ${await kit.untrustedKey()}`), 'signature_invalid')
    expect(server.requests.jwks).toBe(1)
  })

  it('publishes a rotated key live: the verifier refetches on the new kid and accepts it', async () => {
    const { kit, server, options } = await setup()
    const verify = createVerifier(options)
    const before = await kit.valid()
    await expect(verify(`Bearer ${before}`)).resolves.toMatchObject({ claims: { sub: 'test-user' } })
    await server.rotate()
    await expect(verify(`Bearer ${await kit.valid()}`)).resolves.toMatchObject({ header: { kid: kit.kid } })
    await expect(verify(`Bearer ${before}`)).resolves.toMatchObject({ claims: { sub: 'test-user' } })
    expect(server.requests.jwks).toBe(2)
  })

  it('down(): connections are reset, so clients fail at once instead of waiting for a timeout', async () => {
    const { server } = await setup()
    server.down()
    await expect(fetch(server.jwksUri)).rejects.toMatchObject({ cause: { code: 'ECONNRESET' } })
  })

  it('down(): the verifier answers 503 jwks_unavailable; heal() recovers', async () => {
    const { kit, server, options } = await setup()
    server.down()
    const verify = createVerifier(options)
    await expectReject(verify(`Bearer ${await kit.valid()}`), 'jwks_unavailable', { status: 503, wwwAuthenticate: undefined })
    server.heal()
    await expect(verify(`Bearer ${await kit.valid()}`)).resolves.toMatchObject({ claims: { sub: 'test-user' } })
  })

  it('down() also fails requests on keep-alive connections opened before it', async () => {
    const { kit, server, options } = await setup()
    const verify = createVerifier(options)
    await verify(`Bearer ${await kit.valid()}`)
    server.down()
    await kit.rotate()
    await expectReject(verify(`Bearer ${await kit.valid()}`), 'jwks_unavailable')
  })

  it.each([500, 503, 404])('fail(%i): the verifier answers 503 jwks_unavailable, never a 401', async (status) => {
    const { kit, server, options } = await setup()
    server.fail(status)
    await expectReject(createVerifier(options)(`Bearer ${await kit.valid()}`), 'jwks_unavailable', { status: 503 })
    expect(server.requests.jwks).toBe(1)
  })

  it('slow(): a fetch past the verifier timeout gives 503 jwks_unavailable, and close() still returns', async () => {
    const { kit, server, options } = await setup()
    server.slow('60s')
    await expectReject(createVerifier(options)(`Bearer ${await kit.valid()}`), 'jwks_unavailable')
    // A response is still held on the server: close() must drop it rather than wait 60 s.
    await server.close()
    await expect(fetch(server.jwksUri)).rejects.toThrow()
  })

  it('a standalone server serves what is published and names itself as issuer', async () => {
    const kit = await createTestKit({ alg: 'EdDSA' })
    const server = await startJwksServer()
    servers.push(server)
    expect(await (await fetch(server.jwksUri)).json()).toEqual({ keys: [] })
    expect(server.issuer).toBe(`${server.url}/`)
    server.publish(kit.jwks)
    expect(await (await fetch(server.jwksUri)).json()).toEqual(kit.jwks)
    await expect(server.rotate()).rejects.toThrow(TypeError)
  })

  it('sends the configured Cache-Control', async () => {
    const kit = await createTestKit({ alg: 'ES256' })
    const server = await kit.server({ cacheControl: 'public, max-age=60' })
    servers.push(server)
    expect((await fetch(server.jwksUri)).headers.get('cache-control')).toBe('public, max-age=60')
  })

  it('close() is idempotent', async () => {
    const { server } = await setup()
    await Promise.all([server.close(), server.close()])
    await server.close()
  })

  it('refuses a fail() status that is not an HTTP status', async () => {
    const { server } = await setup()
    expect(() => server.fail(42)).toThrow(TypeError)
  })
})
