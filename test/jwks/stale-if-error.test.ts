import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createVerifier, type JwksCacheOptions } from '../../src/index.js'
import { expectReject } from '../helpers/setup.js'
import { AUDIENCE, ISSUER, jwks, recorder, signer, testClock, type Signer } from './harness.js'
import { drop, json, startKeyServer, status, type Behaviour, type KeyServer } from './jwks-server.js'

let server: KeyServer
let key: Signer
let token: string

beforeAll(async () => {
  server = await startKeyServer()
  key = await signer('k1')
  token = await key.token()
})
afterAll(() => server.close())

let paths = 0
function setup(jwksCache?: JwksCacheOptions) {
  const path = `/stale-${++paths}.json`
  server.route(path, json(jwks(key)))
  const clock = testClock()
  const events = recorder()
  const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: server.url(path), now: clock.now, onEvent: events.onEvent, ...(jwksCache ? { jwksCache } : {}) })
  return { path, clock, events, verify, fail: (b: Behaviour) => server.route(path, b), requests: () => server.count(path) }
}

describe('stale if error', () => {
  it.each([
    ['500s', status(500)],
    ['dropped connections', drop],
  ])('keeps verifying with the last good keys until the 24 h bound, then answers 503 jwks_unavailable (server %s)', async (_name, failure) => {
    const { clock, events, verify, fail, requests, path } = setup()
    await verify(token)
    fail(failure)
    clock.advance(600) // the set is no longer fresh: the refresh fails, the old keys stay
    await expect(verify(token)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    expect(requests()).toBe(2)
    expect(events.of('jwks_stale')).toEqual([{ type: 'jwks_stale', uri: server.url(path), age: 600, remaining: 86_400 }])
    clock.advance(86_399) // 1 s before the bound (freshness 600 s + 24 h)
    await expect(verify(token)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    clock.advance(1)
    await expectReject(verify(token), 'jwks_unavailable', { status: 503, wwwAuthenticate: undefined })
  })

  it('retries a failing endpoint at most once per cooldown while serving stale keys', async () => {
    const { clock, events, verify, fail, requests } = setup()
    await verify(token)
    fail(status(500))
    clock.advance(600)
    for (let i = 0; i < 50; i++) await verify(token)
    expect(requests()).toBe(2)
    clock.advance(30)
    for (let i = 0; i < 50; i++) await verify(token)
    expect(requests()).toBe(3)
    expect(events.of('jwks_error').map((e) => e.code)).toEqual(['http_status', 'http_status'])
    expect(events.of('jwks_stale')).toHaveLength(2)
  })

  it('recovers with fresh keys when the server comes back', async () => {
    const { clock, verify, fail, requests, path } = setup()
    await verify(token)
    fail(status(502))
    clock.advance(600)
    await verify(token)
    server.route(path, json(jwks(key)))
    clock.advance(30)
    await verify(token)
    expect(requests()).toBe(3)
    clock.advance(479) // fresh again from the last success (before its last 20%: no refresh-ahead)
    await verify(token)
    expect(requests()).toBe(3)
  })

  it('with no keys ever fetched answers 503 jwks_unavailable (never 401) and waits out the cooldown before asking again', async () => {
    const { clock, events, verify, fail, requests } = setup()
    fail(status(500))
    await expectReject(verify(token), 'jwks_unavailable', { status: 503, wwwAuthenticate: undefined })
    await expectReject(verify(token), 'jwks_unavailable', { status: 503 })
    expect(requests()).toBe(1)
    expect(events.of('jwks_cooldown')).toMatchObject([{ retryIn: 30 }])
    clock.advance(30)
    await expectReject(verify(token), 'jwks_unavailable')
    expect(requests()).toBe(2)
  })

  it('takes the bound from jwksCache.staleIfError; 0 turns stale use off', async () => {
    const short = setup({ staleIfError: '1h' })
    await short.verify(token)
    short.fail(status(500))
    short.clock.advance(600 + 3599)
    await expect(short.verify(token)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    short.clock.advance(1)
    await expectReject(short.verify(token), 'jwks_unavailable')

    const off = setup({ staleIfError: 0 })
    await off.verify(token)
    off.fail(status(500))
    off.clock.advance(600)
    await expectReject(off.verify(token), 'jwks_unavailable', { status: 503 })
  })

  it('keeps the last good keys when the new document has no usable key', async () => {
    const { clock, events, verify, fail } = setup()
    await verify(token)
    fail(json({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }, { ...key.jwk, use: 'enc' }] }))
    clock.advance(600)
    await expect(verify(token)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    expect(events.of('jwks_error').map((e) => e.code)).toEqual(['no_usable_keys'])
    expect(events.of('key_skipped')).toHaveLength(2)
  })
})

