/**
 * `keyStore`: key sets that survive cold starts. A verifier writes every set it fetches; a
 * new verifier (a cold start) reads the store once and verifies with a stored set under the
 * same freshness and stale rules as one it fetched itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cacheKeyStore, createVerifier, kvKeyStore, memoryKeyStore, type CacheLike, type JwksSnapshot, type KeyStore } from '../../src/index.js'
import { expectReject } from '../helpers/setup.js'
import { AUDIENCE, ISSUER, jwks, recorder, signer, testClock, type Signer } from './harness.js'
import { hang, json, startKeyServer, status, type KeyServer } from './jwks-server.js'

let server: KeyServer
let k1: Signer
let token: string

beforeAll(async () => {
  server = await startKeyServer()
  k1 = await signer('k1')
  token = await k1.token()
})
afterAll(() => server.close())

let paths = 0
function route(headers: Record<string, string> = {}) {
  const path = `/store-${++paths}.json`
  server.route(path, json(jwks(k1), headers))
  return { path, url: server.url(path), requests: () => server.count(path) }
}

/** One process's verifier over `url`, sharing `keyStore` and the test clock. */
function instance(url: string, keyStore: KeyStore, clock = testClock(), jwksCache = {}) {
  const events = recorder()
  const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: url, now: clock.now, onEvent: events.onEvent, keyStore, jwksCache })
  return { verify, events, clock }
}

/** Lets the background store write land. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20))

describe('keyStore', () => {
  it('a cold instance verifies with the set another instance stored, without a request to the key server', async () => {
    const { url, requests } = route()
    const store = memoryKeyStore()
    const clock = testClock()
    const first = instance(url, store, clock)
    await expect(first.verify(token)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    await settle()
    clock.advance(100)
    const cold = instance(url, store, clock)
    await expect(cold.verify(token)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    expect(requests()).toBe(1)
    expect(cold.events.of('jwks_restored')).toEqual([{ type: 'jwks_restored', uri: url, age: 100, maxAge: 600 }])
    expect(cold.events.of('jwks_fetch')).toEqual([])
    // The stored set keeps its own clock: refresh-ahead from 480 s after its fetch, expiry at 600 s.
    clock.advance(379)
    await cold.verify(token)
    expect(requests()).toBe(1)
  })

  it('writes the fetched set as a v1 snapshot, kept (TTL) until its stale bound', async () => {
    const { url } = route({ 'cache-control': 'max-age=300' })
    const writes: { key: string; value: string; ttl: number }[] = []
    const store: KeyStore = { get: () => undefined, set: (key, value, ttl) => void writes.push({ key, value, ttl }) }
    const { verify, clock } = instance(url, store)
    await verify(token)
    await settle()
    expect(writes).toHaveLength(1)
    expect(writes[0]!.key).toBe(`jwks:${url}`)
    expect(writes[0]!.ttl).toBe(300 + 86_400)
    const snapshot = JSON.parse(writes[0]!.value) as JwksSnapshot
    expect(snapshot).toEqual({ v: 1, key: `jwks:${url}`, uri: url, fetchedAt: clock.now(), freshUntil: clock.now() + 300_000, jwks: jwks(k1) })
  })

  it('a stored set past its freshness is fetched again, and serves stale (stale-if-error) when the key server fails', async () => {
    const { url, path, requests } = route()
    const store = memoryKeyStore()
    const clock = testClock()
    await instance(url, store, clock).verify(token)
    await settle()
    server.route(path, status(500))
    clock.advance(601)
    const cold = instance(url, store, clock)
    await expect(cold.verify(token)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    expect(requests()).toBe(2)
    expect(cold.events.types()).toEqual(['jwks_restored', 'jwks_error', 'jwks_stale'])
  })

  it('a stored set past its stale bound is not used: 503 jwks_unavailable while the key server fails', async () => {
    const { url, path } = route()
    const store = memoryKeyStore()
    const clock = testClock()
    await instance(url, store, clock).verify(token)
    await settle()
    server.route(path, status(500))
    clock.advance(600 + 3600) // past freshness + this reader's staleIfError of 1 h (the store still holds it)
    const cold = instance(url, store, clock, { staleIfError: '1h' })
    await expectReject(cold.verify(token), 'jwks_unavailable', { status: 503 })
    expect(cold.events.of('jwks_restored')).toEqual([])
  })

  it("caps a stored lifetime at the reader's longest (a store cannot extend trust in a key)", async () => {
    const { url, requests } = route()
    const clock = testClock()
    const forged: JwksSnapshot = { v: 1, key: `jwks:${url}`, uri: url, fetchedAt: clock.now(), freshUntil: clock.now() + 365 * 86_400_000, jwks: jwks(k1) }
    const cold = instance(url, memoryKeyStore({ snapshots: [forged] }), clock, { cacheControl: false, maxAge: '10m' })
    await cold.verify(token)
    expect(cold.events.of('jwks_restored')).toEqual([expect.objectContaining({ maxAge: 600 })])
    expect(requests()).toBe(0)
    clock.advance(600)
    await cold.verify(token)
    expect(requests()).toBe(1)
  })

  it('a deploy-time snapshot (memoryKeyStore({ snapshots })) verifies on a cold start while the key server is down', async () => {
    const { url, path, requests } = route()
    const clock = testClock()
    const snapshot: JwksSnapshot = { v: 1, key: `jwks:${url}`, uri: url, fetchedAt: clock.now() - 60_000, freshUntil: clock.now() + 540_000, jwks: jwks(k1) }
    server.route(path, status(500))
    const cold = instance(url, memoryKeyStore({ snapshots: [snapshot] }), clock)
    await expect(cold.verify(token)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    expect(requests()).toBe(0)
  })

  it.each([
    ['garbage', 'not json'],
    ['another source’s entry', JSON.stringify({ v: 1, key: 'jwks:https://other.example/jwks', uri: 'x', fetchedAt: 0, freshUntil: 1, jwks: { keys: [] } })],
    ['a set with no usable key', null],
  ])('ignores an unusable stored entry (%s) with a jwks_store_error, and fetches', async (_name, value) => {
    const { url, requests } = route()
    const clock = testClock()
    const entry = value ?? JSON.stringify({ v: 1, key: `jwks:${url}`, uri: url, fetchedAt: clock.now(), freshUntil: clock.now() + 600_000, jwks: { keys: [{ kty: 'oct', k: 'AAAA' }] } })
    const cold = instance(url, { get: () => entry, set: () => {} }, clock)
    await expect(cold.verify(token)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    expect(requests()).toBe(1)
    expect(cold.events.of('jwks_store_error')).toEqual([expect.objectContaining({ operation: 'get', uri: url })])
  })

  it('goes on without a store that throws, rejects or never answers (reads bounded at 1 s), reporting jwks_store_error', async () => {
    const { url, requests } = route()
    const throwing: KeyStore = {
      get: () => {
        throw new Error('down')
      },
      set: () => Promise.reject(new Error('read-only')),
    }
    const a = instance(url, throwing)
    await expect(a.verify(token)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    await settle()
    expect(a.events.of('jwks_store_error').map((e) => `${e.operation}: ${e.error}`)).toEqual(['get: down', 'set: read-only'])
    const silent: KeyStore = { get: () => new Promise(() => {}), set: () => {} }
    const b = instance(url, silent)
    const t0 = Date.now()
    await expect(b.verify(token)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900)
    expect(b.events.of('jwks_store_error')).toEqual([expect.objectContaining({ operation: 'get', error: 'no answer within 1000 ms' })])
    expect(requests()).toBe(2)
  })

  it('reads the store once per cold start, however many requests arrive together', async () => {
    const { url } = route()
    let reads = 0
    const store = memoryKeyStore()
    const counting: KeyStore = { get: (k) => (reads++, store.get(k)), set: (k, v, t) => store.set(k, v, t) }
    const { verify } = instance(url, counting)
    await Promise.all(Array.from({ length: 20 }, () => verify(token)))
    await verify(token)
    expect(reads).toBe(1)
  })

  it('works through discovery too (keyed by the metadata URL)', async () => {
    const { url: jwksUri, requests } = route()
    const meta = `/store-meta-${++paths}/.well-known/openid-configuration`
    const issuer = server.url(`/store-meta-${paths}`)
    server.route(meta, json({ issuer, jwks_uri: jwksUri }))
    const store = memoryKeyStore()
    const clock = testClock()
    const t = await k1.token({ iss: issuer })
    const options = { issuer, audience: AUDIENCE, discovery: true as const, now: clock.now, keyStore: store }
    await createVerifier(options)(t)
    await settle()
    const events = recorder()
    await expect(createVerifier({ ...options, onEvent: events.onEvent })(t)).resolves.toMatchObject({ claims: { iss: issuer } })
    expect(requests()).toBe(1)
    expect(server.count(meta)).toBe(1)
    expect(events.types()).toEqual(['jwks_restored'])
  })

  it('refuses a keyStore that is not { get, set }, naming the option', () => {
    expect(() => createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: 'https://idp.example.com/jwks', keyStore: {} as never })).toThrow(/keyStore/)
  })

  it('an empty store changes nothing for a hung key server: 503 jwks_unavailable after the timeout', async () => {
    const path = `/store-hang-${++paths}.json`
    server.route(path, hang)
    const cold = instance(server.url(path), memoryKeyStore(), testClock(), { timeout: '1s' })
    await expectReject(cold.verify(token), 'jwks_unavailable', { status: 503 })
  })
})

describe('Workers stores over their interfaces', () => {
  it('kvKeyStore puts with a prefix and an expiration of at least 60 s, and gets back', async () => {
    const kv = new Map<string, { value: string; ttl: number | undefined }>()
    const store = kvKeyStore({
      get: async (k) => kv.get(k)?.value ?? null,
      put: async (k, value, o) => void kv.set(k, { value, ttl: o?.expirationTtl }),
    })
    await store.set('jwks:x', 'v', 5)
    await store.set('jwks:y', 'w', 86_400.5)
    expect([...kv]).toEqual([['tokengate:jwks:x', { value: 'v', ttl: 60 }], ['tokengate:jwks:y', { value: 'w', ttl: 86_401 }]])
    expect(await store.get('jwks:x')).toBe('v')
    expect(await store.get('jwks:z')).toBeNull()
  })

  it('cacheKeyStore puts a Response with max-age under a synthetic URL, and reads its text', async () => {
    const puts = new Map<string, Response>()
    const cache: CacheLike = {
      match: async (req) => puts.get(req.url)?.clone(),
      put: async (req, res) => void puts.set(req.url, res),
    }
    const store = cacheKeyStore(cache)
    await store.set('jwks:https://idp.example.com/jwks', '{"v":1}', 90)
    const [url, response] = [...puts][0]!
    expect(url).toBe('https://tokengate.invalid/jwks%3Ahttps%3A%2F%2Fidp.example.com%2Fjwks')
    expect(response.headers.get('cache-control')).toBe('max-age=90')
    expect(await store.get('jwks:https://idp.example.com/jwks')).toBe('{"v":1}')
    expect(await store.get('jwks:other')).toBeUndefined()
  })

  it('a verifier over kvKeyStore restores what another wrote', async () => {
    const { url, requests } = route()
    const kv = new Map<string, string>()
    const ns = { get: async (k: string) => kv.get(k) ?? null, put: async (k: string, v: string) => void kv.set(k, v) }
    const clock = testClock()
    await instance(url, kvKeyStore(ns), clock).verify(token)
    await settle()
    const cold = instance(url, kvKeyStore(ns), clock)
    await cold.verify(token)
    expect(requests()).toBe(1)
    expect(cold.events.types()).toEqual(['jwks_restored'])
  })
})
