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
  /** Verifies after moving the clock, and says how many requests the server has seen. */
  const at = async (advance: number): Promise<number> => {
    clock.advance(advance)
    await verify(token)
    return server.count(path)
  }
  return { at, events }
}

describe('freshness', () => {
  it('uses a set for 10 minutes by default, then refetches once', async () => {
    const { at } = setup()
    expect(await at(0)).toBe(1)
    expect(await at(599)).toBe(1)
    expect(await at(1)).toBe(2)
    expect(await at(599)).toBe(2)
  })

  it('takes maxAge from jwksCache', async () => {
    const { at } = setup({}, { maxAge: '2m' })
    expect(await at(0)).toBe(1)
    expect(await at(119)).toBe(1)
    expect(await at(1)).toBe(2)
  })

  it('honours Cache-Control max-age within the bounds (and reports it in jwks_fetch)', async () => {
    const { at, events } = setup({ 'cache-control': 'public, max-age=300, must-revalidate' })
    expect(await at(0)).toBe(1)
    expect(await at(299)).toBe(1)
    expect(await at(1)).toBe(2)
    expect(events.of('jwks_fetch')[0]!.maxAge).toBe(300)
  })

  it('subtracts Age (time spent in a CDN) from max-age', async () => {
    const { at } = setup({ 'cache-control': 'max-age=300', age: '200' })
    expect(await at(0)).toBe(1)
    expect(await at(99)).toBe(1)
    expect(await at(1)).toBe(2)
  })

  it('raises a tiny max-age or no-cache to the floor (default 1 minute)', async () => {
    for (const cacheControl of ['max-age=5', 'no-cache', 'no-store', 'max-age=0']) {
      const { at } = setup({ 'cache-control': cacheControl })
      expect(await at(0)).toBe(1)
      expect(await at(59)).toBe(1)
      expect(await at(1)).toBe(2)
    }
  })

  it('caps a long max-age at the ceiling (default 1 hour), so a withdrawn key stops being trusted', async () => {
    const { at } = setup({ 'cache-control': 'max-age=31536000' })
    expect(await at(0)).toBe(1)
    expect(await at(3599)).toBe(1)
    expect(await at(1)).toBe(2)
  })

  it('takes the floor and ceiling from jwksCache.cacheControl', async () => {
    const long = setup({ 'cache-control': 'max-age=86400' }, { cacheControl: { max: '1d' } })
    expect(await long.at(0)).toBe(1)
    expect(await long.at(86_399)).toBe(1)
    expect(await long.at(1)).toBe(2)
    const short = setup({ 'cache-control': 'max-age=1' }, { cacheControl: { min: '10s' } })
    expect(await short.at(0)).toBe(1)
    expect(await short.at(9)).toBe(1)
    // Past the floor, but inside the 30 s cooldown since the last request: no second request yet.
    expect(await short.at(1)).toBe(1)
    expect(await short.at(20)).toBe(2)
  })

  it('reads Expires against the server Date when there is no max-age', async () => {
    const date = new Date(Date.UTC(2026, 0, 1))
    const expires = new Date(date.getTime() + 900_000)
    const { at } = setup({ date: date.toUTCString(), expires: expires.toUTCString() })
    expect(await at(0)).toBe(1)
    expect(await at(899)).toBe(1)
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
    expect(await at(599)).toBe(1)
    expect(await at(1)).toBe(2)
  })
})
