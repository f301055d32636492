/**
 * Refresh-ahead: once warm, no request waits on a key-set refresh. The first request near the
 * end of a set's freshness starts one background refresh; every request keeps verifying with
 * the current set meanwhile; the cooldown, single flight and stale-if-error bounds still hold.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createVerifier } from '../../src/index.js'
import { expectReject } from '../helpers/setup.js'
import { AUDIENCE, ISSUER, jwks, recorder, signer, testClock, type Signer } from './harness.js'
import { delay, json, startKeyServer, status, type Behaviour, type KeyServer } from './jwks-server.js'

let server: KeyServer
let k1: Signer
let k2: Signer
let token1: string

beforeAll(async () => {
  server = await startKeyServer()
  k1 = await signer('k1')
  k2 = await signer('k2')
  token1 = await k1.token()
})
afterAll(() => server.close())

let paths = 0
const nextPath = () => `/ahead-${++paths}.json`

/** A behaviour that holds every request until `release()`, then answers as `then`. */
function gate(then: Behaviour): { behaviour: Behaviour; release(): void; waiting(): number } {
  const held: [IncomingMessage, ServerResponse][] = []
  let open = false
  return {
    behaviour: (req, res) => (open ? then(req, res) : void held.push([req, res])),
    release() {
      open = true
      for (const [req, res] of held.splice(0)) then(req, res)
    },
    waiting: () => held.length,
  }
}

async function until(done: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 10_000; !done(); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

describe('refresh-ahead with a slow key server (real time)', () => {
  it('keys that expire every 2 s, served in 1.5 s: once warm, no request waits for a refresh', async () => {
    const path = nextPath()
    server.route(path, delay(1500, json(jwks(k1), { 'cache-control': 'max-age=2' })))
    const events = recorder()
    const verify = createVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUri: server.url(path),
      // The lifetime is the response's 2 s; no cooldown, so a refresh may follow the last at once.
      jwksCache: { cacheControl: { min: '1s', max: '1h' }, cooldown: 0 },
      onEvent: events.onEvent,
    })
    await verify.warm()
    const nowS = Math.floor(Date.now() / 1000)
    const token = await k1.token({ iat: nowS, exp: nowS + 3600 })
    const latencies: number[] = []
    for (const end = Date.now() + 7000; Date.now() < end; ) {
      const t0 = performance.now()
      await verify(token)
      latencies.push(performance.now() - t0)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    // Waiting on a refresh would cost at least the server's 1.5 s; a verification costs well
    // under a millisecond. 1 s leaves room for a stalled event loop on a busy machine.
    expect(Math.max(...latencies)).toBeLessThan(1000)
    // The set was replaced several times in 7 s (each fetch takes 1.5 s), all in the background.
    expect(events.of('jwks_fetch').length).toBeGreaterThanOrEqual(4)
    // Every fetch after the warm-up was a background refresh (the last may still be in flight).
    expect(events.of('jwks_refresh').length - (events.of('jwks_fetch').length - 1)).toBeOneOf([0, 1])
    expect(events.of('jwks_error')).toEqual([])
    expect(latencies.length).toBeGreaterThan(100)
  }, 30_000)
})

describe('refresh-ahead rules (test clock)', () => {
  function setup(behaviour: Behaviour, jwksCache = {}) {
    const path = nextPath()
    server.route(path, json(jwks(k1)))
    const clock = testClock()
    const events = recorder()
    const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: server.url(path), now: clock.now, onEvent: events.onEvent, jwksCache })
    return { path, clock, events, verify, then: () => server.route(path, behaviour), requests: () => server.count(path) }
  }

  it('answers from the current set while the refresh is held, makes one request for 50 concurrent requests, then uses the new set', async () => {
    const held = gate(json(jwks(k2)))
    const { clock, events, verify, then, requests } = setup(held.behaviour)
    await verify(token1)
    then()
    clock.advance(500) // the last 20% of the default 10 minutes
    const answers = await Promise.all(Array.from({ length: 50 }, () => verify(token1)))
    expect(answers.map((a) => a.claims.sub)).toEqual(Array(50).fill('user-1'))
    await until(() => held.waiting() === 1, 'the refresh to reach the server')
    expect(requests()).toBe(2)
    expect(events.of('jwks_refresh')).toEqual([expect.objectContaining({ expiresIn: 100 })])
    held.release()
    await until(() => events.of('jwks_fetch').length === 2, 'the refresh to land')
    // The new set has only k2: k1's token is now an unknown kid (within the cooldown: no refetch).
    await expectReject(verify(token1), 'kid_not_found')
    await expect(verify(await k2.token())).resolves.toMatchObject({ header: { kid: 'k2' } })
  })

  it('a failed background refresh keeps the set until its freshness ends, retries after the cooldown, then serves stale', async () => {
    const { clock, events, verify, then, requests } = setup(status(500))
    await verify(token1)
    then()
    clock.advance(500)
    await verify(token1)
    await until(() => events.of('jwks_error').length === 1, 'the failed refresh')
    expect(events.of('jwks_stale')).toEqual([]) // still fresh: not stale yet
    clock.advance(20) // within the 30 s cooldown: no new attempt
    for (let i = 0; i < 20; i++) await verify(token1)
    expect(requests()).toBe(2)
    clock.advance(70) // t = 590 s: the cooldown has passed, still fresh: one more background attempt
    await verify(token1)
    await until(() => events.of('jwks_error').length === 2, 'the second failed refresh')
    expect(requests()).toBe(3)
    clock.advance(20) // past the freshness, within the cooldown: the last good keys
    await expect(verify(token1)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    expect(requests()).toBe(3)
    expect(events.of('jwks_stale')).toEqual([]) // answered within the cooldown, no new failure yet
    clock.advance(10) // cooldown passed: a foreground refresh, which fails: stale-if-error
    await expect(verify(token1)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    expect(requests()).toBe(4)
    expect(events.of('jwks_stale')).toHaveLength(1)
  })

  it('never refreshes ahead with staleIfError: 0 beyond the rules: past freshness and failing, 503', async () => {
    const { clock, verify, then } = setup(status(500), { staleIfError: 0, cooldown: 0 })
    await verify(token1)
    then()
    clock.advance(600)
    await expectReject(verify(token1), 'jwks_unavailable', { status: 503 })
  })
})
