import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BearerError, createVerifier } from '../../src/index.js'
import { AUDIENCE, ISSUER, jwks, recorder, signer, testClock, type Signer } from './harness.js'
import { delay, json, startKeyServer, status, type KeyServer } from './jwks-server.js'

let server: KeyServer
let key: Signer

beforeAll(async () => {
  server = await startKeyServer()
  key = await signer('k1')
})
afterAll(() => server.close())

describe('single flight', () => {
  it('10,000 concurrent verifications on a cold cache make the server see 1 request', async () => {
    server.route('/cold.json', delay(50, json(jwks(key))))
    const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: server.url('/cold.json'), now: testClock().now })
    const token = await key.token()
    const results = await Promise.allSettled(Array.from({ length: 10_000 }, () => verify(token)))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10_000)
    expect(server.count('/cold.json')).toBe(1)
  })

  it('10,000 concurrent verifications against a failing server: 1 request, every one 503 jwks_unavailable', async () => {
    server.route('/down.json', delay(50, status(500)))
    const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: server.url('/down.json'), now: testClock().now })
    const token = await key.token()
    const results = await Promise.allSettled(Array.from({ length: 10_000 }, () => verify(token)))
    const reasons = new Set(results.map((r) => (r.status === 'rejected' && BearerError.is(r.reason) ? `${r.reason.status} ${r.reason.reason}` : 'other')))
    expect([...reasons]).toEqual(['503 jwks_unavailable'])
    expect(server.count('/down.json')).toBe(1)
  })

  it('joins warm() and requests already waiting into the same fetch', async () => {
    server.route('/warm.json', delay(50, json(jwks(key))))
    const events = recorder()
    const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: server.url('/warm.json'), now: testClock().now, onEvent: events.onEvent })
    const token = await key.token()
    await Promise.all([verify.warm(), verify(token), verify.warm(), verify(token)])
    expect(server.count('/warm.json')).toBe(1)
    expect(events.of('jwks_fetch')).toEqual([{ type: 'jwks_fetch', uri: server.url('/warm.json'), status: 200, keys: 1, maxAge: 600, durationMs: expect.any(Number) }])
  })

  it('warm() preloads so the first request makes no request of its own', async () => {
    server.route('/preload.json', json(jwks(key)))
    const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: server.url('/preload.json'), now: testClock().now })
    await verify.warm()
    expect(server.count('/preload.json')).toBe(1)
    await verify(await key.token())
    expect(server.count('/preload.json')).toBe(1)
  })

  it('warm() rejects with 503 jwks_unavailable when the keys cannot be fetched', async () => {
    server.route('/warm-fail.json', status(503))
    const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: server.url('/warm-fail.json'), now: testClock().now })
    const err = await verify.warm().then(() => undefined, (e: unknown) => e)
    expect(BearerError.is(err) && [err.status, err.reason]).toEqual([503, 'jwks_unavailable'])
  })
})
