/**
 * Key-endpoint faults and what the user sees (docs/hardening.md, "JWKS faults"). Each test
 * covers what test/jwks does not already: a connection that dies halfway through the body,
 * a late answer with cached keys and after the deadline, a set without the token's kid with
 * and without cached keys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createVerifier, type JwksCacheOptions } from '../../src/index.js'
import { expectReject } from '../helpers/setup.js'
import { AUDIENCE, ISSUER, jwks, recorder, signer, testClock, type Signer } from '../jwks/harness.js'
import { delay, json, startKeyServer, type Behaviour, type KeyServer } from '../jwks/jwks-server.js'

const KID_NOT_FOUND = 'Bearer realm="api", error="invalid_token", error_description="The token key (kid) is not known"'

let server: KeyServer
let k1: Signer
let k2: Signer

beforeAll(async () => {
  server = await startKeyServer()
  ;[k1, k2] = await Promise.all([signer('k1'), signer('k2')])
})
afterAll(() => server.close())

/** Headers (with the whole body's Content-Length, or chunked), half the body, then the socket is destroyed. */
function diesMidBody(body: string, declareLength: boolean): Behaviour {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', ...(declareLength ? { 'content-length': String(Buffer.byteLength(body)) } : {}) })
    res.write(body.slice(0, Math.floor(body.length / 2)), () => res.socket?.destroy())
  }
}

let paths = 0
function setup(first: Behaviour, jwksCache: JwksCacheOptions = {}) {
  const path = `/fault-${++paths}.json`
  server.route(path, first)
  const clock = testClock()
  const events = recorder()
  const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: server.url(path), now: clock.now, onEvent: events.onEvent, jwksCache })
  return { path, clock, events, verify, serve: (b: Behaviour) => server.route(path, b), requests: () => server.count(path) }
}

describe('the key endpoint dies mid-response (socket destroyed halfway through the body)', () => {
  it.each([
    ['with Content-Length', true],
    ['chunked', false],
  ])('no keys cached: 503 jwks_unavailable without a challenge, a jwks_error "network", then the cooldown (%s)', async (_name, declare) => {
    const { events, verify, requests, path } = setup(diesMidBody(JSON.stringify(jwks(k1)), declare))
    const token = await k1.token()
    const err = await expectReject(verify(token), 'jwks_unavailable', { status: 503, wwwAuthenticate: undefined })
    expect(err.cause).toMatchObject({ name: 'FetchFailure', code: 'network' })
    expect(events.events).toEqual([
      { type: 'jwks_error', uri: server.url(path), code: 'network', error: expect.stringMatching(/^fetch failed/), durationMs: expect.any(Number) },
      // The operator is told once, with the URL and the error.
      { type: 'operator_hint', reason: 'jwks_unavailable', message: expect.stringContaining(`GET ${server.url(path)}: fetch failed`), details: expect.objectContaining({ url: server.url(path), code: 'network' }) },
    ])
    await expectReject(verify(token), 'jwks_unavailable', { status: 503 })
    expect(events.types()).toEqual(['jwks_error', 'operator_hint', 'jwks_cooldown'])
    expect(requests()).toBe(1)
  })

  it('keys cached, past their freshness: the last good keys keep verifying (200), with jwks_error and jwks_stale', async () => {
    const { clock, events, verify, serve, requests } = setup(json(jwks(k1)))
    const token = await k1.token()
    await verify(token)
    serve(diesMidBody(JSON.stringify(jwks(k1)), true))
    clock.advance(600)
    await expect(verify(token)).resolves.toMatchObject({ header: { kid: 'k1' } })
    expect(events.types()).toEqual(['jwks_fetch', 'jwks_error', 'jwks_stale'])
    expect(events.of('jwks_error')[0]).toMatchObject({ code: 'network' })
    expect(requests()).toBe(2)
  })
})

describe('the key endpoint answers after the timeout', () => {
  it('keys cached, past their freshness: the last good keys keep verifying (200), with jwks_error "timeout" and jwks_stale', async () => {
    // Long enough for the first, prompt answer on a busy machine; the late one comes far after.
    const { clock, events, verify, serve, requests } = setup(json(jwks(k1)), { timeout: '500ms' })
    const token = await k1.token()
    await verify(token)
    serve(delay(2000, json(jwks(k1, k2))))
    clock.advance(600)
    await expect(verify(token)).resolves.toMatchObject({ header: { kid: 'k1' } })
    expect(events.types()).toEqual(['jwks_fetch', 'jwks_error', 'jwks_stale'])
    expect(events.of('jwks_error')[0]).toMatchObject({ code: 'timeout', error: 'no complete response within 500 ms' })
    // The attempt's real duration (the verifier's clock is fixed here): the timeout it waited for.
    expect(events.of('jwks_error')[0]!.durationMs).toBeGreaterThanOrEqual(450)
    expect(requests()).toBe(2)
  })

  it('drops an answer that arrives after the deadline: its keys are never cached or trusted', async () => {
    // An injected fetch that ignores the abort signal and answers late with a set holding k2.
    let calls = 0
    let answer!: () => void
    const late: typeof fetch = () => {
      calls++
      return new Promise<Response>((resolve) => {
        answer = () => resolve(new Response(JSON.stringify(jwks(k1, k2)), { status: 200, headers: { 'content-type': 'application/json' } }))
      })
    }
    const clock = testClock()
    const events = recorder()
    const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: 'https://idp.example.com/jwks', fetch: late, jwksCache: { timeout: '100ms' }, now: clock.now, onEvent: events.onEvent })
    const token = await k2.token()
    await expectReject(verify(token), 'jwks_unavailable', { status: 503, wwwAuthenticate: undefined })
    answer()
    await new Promise((resolve) => setTimeout(resolve, 20))
    await expectReject(verify(token), 'jwks_unavailable', { status: 503 })
    expect(events.types()).toEqual(['jwks_error', 'operator_hint', 'jwks_cooldown'])
    expect(calls).toBe(1)
  })
})

describe('the key set lacks the token’s kid', () => {
  it('no keys cached (the IdP signs with a key it has not published): 401 kid_not_found, one request; it verifies once published, after the cooldown', async () => {
    const { clock, events, verify, serve, requests, path } = setup(json(jwks(k1)))
    const token = await k2.token()
    await expectReject(verify(token), 'kid_not_found', { status: 401, wwwAuthenticate: KID_NOT_FOUND })
    expect(events.events).toEqual([
      { type: 'jwks_fetch', uri: server.url(path), status: 200, keys: 1, maxAge: 600, durationMs: expect.any(Number) },
      { type: 'kid_miss', uri: server.url(path), kid: 'k2', refetch: false },
    ])
    serve(json(jwks(k1, k2)))
    clock.advance(29)
    await expectReject(verify(token), 'kid_not_found', { status: 401 })
    expect(requests()).toBe(1)
    clock.advance(1)
    await expect(verify(token)).resolves.toMatchObject({ header: { kid: 'k2' } })
    expect(requests()).toBe(2)
  })

  it('keys cached, then the kid rotated away: 401 kid_not_found once the set is refetched without it', async () => {
    const { clock, events, verify, serve, requests, path } = setup(json(jwks(k1, k2)))
    const token = await k1.token()
    await verify(token)
    serve(json(jwks(k2)))
    clock.advance(599)
    // Still within the set's freshness: the cached key verifies, and (its last 20%) the set is
    // refreshed in the background.
    await verify(token)
    clock.advance(1)
    await expectReject(verify(token), 'kid_not_found', { status: 401, wwwAuthenticate: KID_NOT_FOUND })
    expect(events.types()).toEqual(['jwks_fetch', 'jwks_refresh', 'jwks_fetch', 'kid_miss'])
    expect(events.of('kid_miss')).toEqual([{ type: 'kid_miss', uri: server.url(path), kid: 'k1', refetch: false }])
    await expect(verify(await k2.token())).resolves.toMatchObject({ header: { kid: 'k2' } })
    expect(requests()).toBe(2)
  })
})
