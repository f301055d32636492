/**
 * `redisKeyStore` (tokengate/redis) against a real redis-server: instances share fetched key
 * sets across processes and cold starts; a Redis outage never fails a request.
 */
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createVerifier } from '../../src/index.js'
import { redisKeyStore } from '../../src/redis/index.js'
import { AUDIENCE, ISSUER, jwks, recorder, signer, testClock, type Signer } from '../jwks/harness.js'
import { json, startKeyServer, type KeyServer } from '../jwks/jwks-server.js'
import { freePort, startRedis } from './redis-server.js'

const redis = await startRedis()
const client = redis.available ? new Redis(redis.url, { maxRetriesPerRequest: 1 }) : undefined
let server: KeyServer
let k1: Signer
let token: string

beforeAll(async () => {
  server = await startKeyServer()
  k1 = await signer('k1')
  token = await k1.token()
})
afterAll(async () => {
  await server?.close()
  await client?.quit()
  await redis.stop()
})

let n = 0
async function until(done: () => Promise<boolean>): Promise<void> {
  for (const deadline = Date.now() + 10_000; !(await done()); await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() > deadline) throw new Error('timed out')
  }
}

describe.skipIf(!redis.available)('redisKeyStore (real redis-server on 127.0.0.1)', () => {
  it('a cold instance restores the set another stored, with a TTL of the set’s stale bound', async () => {
    const path = `/redis-${++n}.json`
    server.route(path, json(jwks(k1), { 'cache-control': 'max-age=120' }))
    const prefix = `t${process.pid}-${n}:`
    const clock = testClock()
    const options = { issuer: ISSUER, audience: AUDIENCE, jwksUri: server.url(path), now: clock.now, keyStore: redisKeyStore({ client: client!, prefix }) }
    await createVerifier(options)(token)
    const key = `${prefix}jwks:${server.url(path)}`
    await until(async () => (await client!.exists(key)) === 1)
    expect(await client!.ttl(key)).toBeGreaterThan(120 + 86_400 - 5)
    expect(JSON.parse((await client!.get(key))!)).toMatchObject({ v: 1, uri: server.url(path), jwks: jwks(k1) })
    const events = recorder()
    await expect(createVerifier({ ...options, onEvent: events.onEvent })(token)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    expect(events.types()).toEqual(['jwks_restored'])
    expect(server.count(path)).toBe(1)
  })

  it('with Redis unreachable, verifies by fetching, reporting jwks_store_error', async () => {
    const path = `/redis-${++n}.json`
    server.route(path, json(jwks(k1)))
    const dead = new Redis(`redis://127.0.0.1:${await freePort()}`, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true })
    dead.on('error', () => {})
    const events = recorder()
    const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: server.url(path), onEvent: events.onEvent, now: testClock().now, keyStore: redisKeyStore({ client: dead }) })
    await expect(verify(token)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    await until(async () => events.of('jwks_store_error').length === 2)
    expect(events.of('jwks_store_error').map((e) => e.operation)).toEqual(['get', 'set'])
    dead.disconnect()
  })

  it('refuses a client that is not an ioredis client, naming it', () => {
    expect(() => redisKeyStore({ client: {} as never })).toThrow(/client/)
  })
})
