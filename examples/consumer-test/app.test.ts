/**
 * Testing an Express API with tokengate/testing and supertest. Copy this file next to your
 * app; with jest, drop the vitest import (describe/it/expect are the same).
 *
 * In your project:
 *   import { createTestKit, type TestKit } from 'tokengate/testing'
 */
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestKit, type JwksServer, type TestKit } from '../../src/testing/index.js'
import { createApp } from './app.js'

let kit: TestKit
let app: ReturnType<typeof createApp>

beforeAll(async () => {
  // Same seed, same keys: a stable kid across runs. Use your real issuer and audience.
  kit = await createTestKit({ issuer: 'https://idp.example.com/', audience: 'https://orders.example.com', scope: 'read:orders' })
  app = createApp(kit.verifierOptions)
})

describe('GET /orders', () => {
  it('answers 200 with a valid token', async () => {
    const res = await request(app).get('/orders').set('Authorization', `Bearer ${await kit.valid({ sub: 'alice' })}`)
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ owner: 'alice', orders: [] })
  })

  it('answers 401 with a bare challenge when no token is sent', async () => {
    const res = await request(app).get('/orders')
    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api"')
  })

  it('answers 401 token_expired for an expired token', async () => {
    const res = await request(app).get('/orders').set('Authorization', `Bearer ${await kit.expired()}`)
    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token", error_description="The token has expired"')
    expect(JSON.parse(res.text)).toMatchObject({ status: 401, reason: 'token_expired' })
  })

  it('answers 403 insufficient_scope when the token lacks read:orders', async () => {
    const res = await request(app).get('/orders').set('Authorization', `Bearer ${await kit.missingScope('read:orders')}`)
    expect(res.status).toBe(403)
    expect(res.headers['www-authenticate']).toContain('error="insufficient_scope", error_description="The token lacks a required scope", scope="read:orders"')
  })

  // One table for the forged and corrupt tokens: each factory documents its outcome.
  it.each([
    ['algNone', 'alg_not_allowed'],
    ['hsWithPublicKey', 'alg_not_allowed'],
    ['untrustedKey', 'signature_invalid'],
    ['badSignature', 'signature_invalid'],
    ['wrongAudience', 'audience_invalid'],
  ] as const)('answers 401 %s', async (factory, reason) => {
    const res = await request(app).get('/orders').set('Authorization', `Bearer ${await kit[factory]()}`)
    expect(res.status).toBe(401)
    expect(JSON.parse(res.text).reason).toBe(reason)
  })
})

describe('with keys from a live JWKS endpoint', () => {
  let server: JwksServer
  beforeAll(async () => {
    server = await kit.server() // 127.0.0.1, ephemeral port, serves kit.jwks
  })
  afterAll(() => server.close())

  it('answers 503 (not 401) while the identity provider is down, and recovers after the retry cooldown', async () => {
    let clock = Date.now()
    const live = createApp({ issuer: kit.issuer, audience: kit.audience, jwksUri: server.jwksUri, now: () => clock })
    const get = async () => (await request(live).get('/orders').set('Authorization', `Bearer ${await kit.valid()}`)).status
    server.down()
    expect(await get()).toBe(503)
    server.heal()
    // Within the retry cooldown (30 s by default) the verifier does not hammer a recovering IdP.
    expect(await get()).toBe(503)
    clock += 30_000
    expect(await get()).toBe(200)
  })
})
