/**
 * `x509Uri`: a `{ kid: PEM certificate }` document (Google's and Firebase's key format) from a
 * real HTTP server on 127.0.0.1, under the same cache rules as a JWKS: single flight,
 * Cache-Control within bounds, kid-miss refetch with a cooldown, stale if error, 503 on outage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BearerError, createVerifier } from '../../src/index.js'
import { certificatePem } from '../../src/testing/certificate.js'
import { AUDIENCE, ISSUER, recorder, signer, testClock, type Signer } from './harness.js'
import { delay, json, startKeyServer, status, type KeyServer } from './jwks-server.js'

let server: KeyServer
let k1: Signer
let k2: Signer
let documents: { one: Record<string, string>; both: Record<string, string> }

beforeAll(async () => {
  server = await startKeyServer()
  k1 = await signer('k1', 'RS256')
  k2 = await signer('k2', 'RS256')
  const c1 = await certificatePem(k1.key)
  const c2 = await certificatePem(k2.key)
  documents = { one: { k1: c1 }, both: { k1: c1, k2: c2 } }
})
afterAll(() => server.close())

const verifierFor = (path: string, extra: Record<string, unknown> = {}) =>
  createVerifier({ issuer: ISSUER, audience: AUDIENCE, x509Uri: server.url(path), now: testClock().now, ...extra })

describe('x509Uri', () => {
  it('verifies tokens with the certificates of the document, 1,000 concurrent cold requests making 1 fetch', async () => {
    server.route('/cold', delay(50, json(documents.both, { 'cache-control': 'public, max-age=19204, must-revalidate' })))
    const events = recorder()
    const verify = verifierFor('/cold', { onEvent: events.onEvent })
    const tokens = [await k1.token(), await k2.token()]
    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => verify(tokens[i % 2]!)))
    expect(results.map((r) => r.claims.sub)).toEqual(Array(1000).fill('user-1'))
    expect(server.count('/cold')).toBe(1)
    // Google's max-age (about 5 h) is bounded by cacheControl.max (1 h by default).
    expect(events.of('jwks_fetch')).toEqual([{ type: 'jwks_fetch', uri: server.url('/cold'), status: 200, keys: 2, maxAge: 3600, durationMs: expect.any(Number) }])
  })

  it('refetches once for an unknown kid (a rotation), then not again within the cooldown', async () => {
    let document = documents.one
    server.route('/rotate', (req, res) => json(document)(req, res))
    const clock = testClock()
    const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, x509Uri: server.url('/rotate'), now: clock.now })
    await verify(await k1.token())
    document = documents.both
    clock.advance(31)
    await verify(await k2.token())
    expect(server.count('/rotate')).toBe(2)
    const stranger = await signer('k3', 'RS256')
    for (let i = 0; i < 20; i++) await expect(verify(await stranger.token())).rejects.toMatchObject({ reason: 'kid_not_found' })
    expect(server.count('/rotate')).toBe(2)
    clock.advance(31)
    await expect(verify(await stranger.token())).rejects.toMatchObject({ reason: 'kid_not_found' })
    expect(server.count('/rotate')).toBe(3)
  })

  it('keeps verifying with the last good certificates while the document fails, then answers 503', async () => {
    let healthy = true
    server.route('/stale', (req, res) => (healthy ? json(documents.one) : status(500))(req, res))
    const clock = testClock()
    const events = recorder()
    const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, x509Uri: server.url('/stale'), now: clock.now, onEvent: events.onEvent, jwksCache: { staleIfError: '1h' } })
    const token = await k1.token()
    await verify(token)
    healthy = false
    clock.advance(601)
    expect((await verify(token)).claims.sub).toBe('user-1')
    expect(events.types()).toContain('jwks_stale')
    clock.advance(3600)
    const err = await verify(token).catch((e: unknown) => e)
    expect(BearerError.is(err) && [err.status, err.reason]).toEqual([503, 'jwks_unavailable'])
  })

  it('skips an unreadable certificate with a key_skipped event and uses the others; a document with none is an outage', async () => {
    server.route('/partly', json({ ...documents.one, broken: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', number: 7 }))
    const events = recorder()
    const verify = verifierFor('/partly', { onEvent: events.onEvent })
    expect((await verify(await k1.token())).claims.sub).toBe('user-1')
    expect(events.of('key_skipped').map((e) => [e.kid, e.reason.split(':')[0]])).toEqual([
      ['broken', 'CERTIFICATE'],
      ['number', 'not a PEM string'],
    ])
    for (const body of [{ only: 'garbage' }, [documents.one], { keys: [] }]) {
      server.route('/none', json(body))
      const err = await verifierFor('/none')(await k1.token()).catch((e: unknown) => e)
      expect(BearerError.is(err) && err.reason).toBe('jwks_unavailable')
    }
  })

  it('refuses a JWK Set served where certificates are expected (no usable keys: 503, not a 401)', async () => {
    server.route('/jwks-instead', json({ keys: [k1.jwk] }))
    const events = recorder()
    const err = await verifierFor('/jwks-instead', { onEvent: events.onEvent })(await k1.token()).catch((e: unknown) => e)
    expect(BearerError.is(err) && [err.status, err.reason]).toEqual([503, 'jwks_unavailable'])
    expect(events.of('jwks_error')[0]).toMatchObject({ code: 'no_usable_keys' })
  })
})
