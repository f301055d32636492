import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createVerifier, type JwksCacheOptions } from '../../src/index.js'
import { AUDIENCE, ISSUER, jwks, recorder, signer, testClock, type Signer } from './harness.js'
import { json, startKeyServer, type KeyServer } from './jwks-server.js'

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
/** A fresh path serving the key with these response headers, and a verifier over it. */
function setup(headers: Record<string, string> = {}, jwksCache?: JwksCacheOptions) {
  const path = `/fresh-${++paths}.json`
  server.route(path, json(jwks(key), headers))
  const clock = testClock()
  const events = recorder()
  const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: server.url(path), now: clock.now, onEvent: events.onEvent, ...(jwksCache ? { jwksCache } : {}) })
  /**
   * Verifies after moving the clock, and says how many requests the server has seen, once a
   * background refresh that request started (refresh-ahead) has landed.
   */
  const at = async (advance: number): Promise<number> => {
    clock.advance(advance)
    const refreshes = events.of('jwks_refresh').length
    const outcomes = events.of('jwks_fetch').length + events.of('jwks_error').length
    await verify(token)
    if (events.of('jwks_refresh').length > refreshes) await until(() => events.of('jwks_fetch').length + events.of('jwks_error').length > outcomes)
    return server.count(path)
  }
  return { at, events }
}

async function until(done: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 10_000; !done(); ) {
    if (Date.now() > deadline) throw new Error('the background refresh did not land')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

// Refresh-ahead: the first request in the last 20% of a set's lifetime starts a background
// refresh (the test clock stands still during a fetch, so the slow-server lead is 0 here).

describe('freshness', () => {
  it('uses a set for 10 minutes by default, refreshed in the background by the first request in its last 2 minutes', async () => {
    const { at, events } = setup()
    expect(await at(0)).toBe(1)
    expect(await at(479)).toBe(1)
    expect(await at(1)).toBe(2)
    expect(events.of('jwks_refresh')).toEqual([{ type: 'jwks_refresh', uri: expect.stringContaining('/fresh-'), expiresIn: 120 }])
    // The refreshed set is fresh for 10 minutes from its own fetch.
    expect(await at(479)).toBe(2)
    expect(await at(1)).toBe(3)
  })

  it('refetches at the end of the 10 minutes a set no request used in its last 2 minutes', async () => {
    const { at, events } = setup()
    expect(await at(0)).toBe(1)
    expect(await at(600)).toBe(2)
    expect(await at(479)).toBe(2)
    expect(await at(121)).toBe(3)
    expect(events.of('jwks_refresh')).toEqual([])
  })

  it('takes maxAge from jwksCache', async () => {
    const { at } = setup({}, { maxAge: '2m' })
    expect(await at(0)).toBe(1)
    expect(await at(95)).toBe(1)
    expect(await at(1)).toBe(2)
  })

  it('honours Cache-Control max-age within the bounds (and reports it in jwks_fetch)', async () => {
    const { at, events } = setup({ 'cache-control': 'public, max-age=300, must-revalidate' })
    expect(await at(0)).toBe(1)
    expect(await at(239)).toBe(1)
    expect(await at(1)).toBe(2)
    expect(events.of('jwks_fetch')[0]!.maxAge).toBe(300)
  })

  it('subtracts Age (time spent in a CDN) from max-age', async () => {
    const { at } = setup({ 'cache-control': 'max-age=300', age: '200' })
    expect(await at(0)).toBe(1)
    expect(await at(79)).toBe(1)
    expect(await at(1)).toBe(2)
  })

  it('raises a tiny max-age or no-cache to the floor (default 1 minute)', async () => {
    for (const cacheControl of ['max-age=5', 'no-cache', 'no-store', 'max-age=0']) {
      const { at } = setup({ 'cache-control': cacheControl })
      expect(await at(0)).toBe(1)
      expect(await at(47)).toBe(1)
      expect(await at(1)).toBe(2)
    }
  })

  it('caps a long max-age at the ceiling (default 1 hour), so a withdrawn key stops being trusted', async () => {
    const { at } = setup({ 'cache-control': 'max-age=31536000' })
    expect(await at(0)).toBe(1)
    expect(await at(2879)).toBe(1)
    expect(await at(1)).toBe(2)
  })

  it('takes the floor and ceiling from jwksCache.cacheControl', async () => {
    const long = setup({ 'cache-control': 'max-age=86400' }, { cacheControl: { max: '1d' } })
    expect(await long.at(0)).toBe(1)
    expect(await long.at(69_119)).toBe(1)
    expect(await long.at(1)).toBe(2)
    const short = setup({ 'cache-control': 'max-age=1' }, { cacheControl: { min: '10s' } })
    expect(await short.at(0)).toBe(1)
    // In the set's last 20%, but inside the 30 s cooldown since the last request: no refresh-ahead.
    expect(await short.at(9)).toBe(1)
    // Past the floor, and still inside the cooldown: no second request yet.
    expect(await short.at(1)).toBe(1)
    expect(await short.at(20)).toBe(2)
  })

  it('reads Expires against the server Date when there is no max-age', async () => {
    const date = new Date(Date.UTC(2026, 0, 1))
    const expires = new Date(date.getTime() + 900_000)
    const { at } = setup({ date: date.toUTCString(), expires: expires.toUTCString() })
    expect(await at(0)).toBe(1)
    expect(await at(719)).toBe(1)
    expect(await at(1)).toBe(2)
  })

  it('prefers max-age to Expires', async () => {
    const { at } = setup({ 'cache-control': 'max-age=120', expires: 'Thu, 01 Jan 2099 00:00:00 GMT' })
    expect(await at(0)).toBe(1)
    expect(await at(120)).toBe(2)
  })

  it('ignores the headers with cacheControl: false', async () => {
    const { at } = setup({ 'cache-control': 'max-age=60' }, { cacheControl: false })
    expect(await at(0)).toBe(1)
    expect(await at(479)).toBe(1)
    expect(await at(1)).toBe(2)
  })
})
