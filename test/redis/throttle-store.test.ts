/**
 * redisThrottleStore on a real redis-server: the store contract on Redis's clock, two app
 * instances sharing one client's count (a flood spread over both is throttled on both, another
 * client is not), and a Redis that stops answering (requests are verified as without a throttle,
 * with throttle_error events, within the store's timeout).
 */
import express from 'express'
import Fastify from 'fastify'
import { Redis } from 'ioredis'
import { createServer, type Server, type Socket } from 'node:net'
import { createServer as createHttpServer } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer as expressBearer } from '../../src/adapters/express/index.js'
import fastifyBearer from '../../src/adapters/fastify/index.js'
import { ConfigError } from '../../src/errors/config-error.js'
import { createVerifier, type VerifierEvent } from '../../src/index.js'
import { redisThrottleStore } from '../../src/redis/index.js'
import { adapterFixture, appOptions, listen, type AdapterFixture } from '../adapters/fixtures.js'
import { send } from '../throttle/client.js'
import { throttleStoreContract } from '../throttle/store-contract.js'
import { freePort, startRedis } from './redis-server.js'

const server = await startRedis()
const client = server.available ? new Redis(server.url, { maxRetriesPerRequest: 1 }) : undefined
afterAll(async () => {
  await client?.quit()
  await server.stop()
})

let n = 0
const prefix = (): string => `t${process.pid}-${++n}:`

describe.skipIf(!server.available)('redisThrottleStore (real redis-server on 127.0.0.1)', () => {
  throttleStoreContract('redis throttle store', () => ({
    store: redisThrottleStore({ client: client!, prefix: prefix() }),
    windowMs: 400,
    pass: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  }))

  it('keeps one counter per key under the prefix, expiring with its window', async () => {
    const p = prefix()
    const store = redisThrottleStore({ client: client!, prefix: p })
    await store.hit('203.0.113.7', 60_000)
    await store.hit('203.0.113.7', 60_000)
    expect(await client!.keys(`${p}*`)).toEqual([`${p}203.0.113.7`])
    expect(await client!.get(`${p}203.0.113.7`)).toBe('2')
    expect(await client!.pttl(`${p}203.0.113.7`)).toBeGreaterThan(55_000)
    // A counter someone left without expiry gets one at the next failure (never counted forever).
    await client!.set(`${p}stuck`, '7')
    expect(await store.hit('stuck', 60_000)).toMatchObject({ failures: 8 })
    expect(await client!.pttl(`${p}stuck`)).toBeGreaterThan(55_000)
  })

  describe('two instances sharing one Redis', () => {
    let f: AdapterFixture
    const apps: { url: string; close(): Promise<void> }[] = []
    beforeAll(async () => {
      f = await adapterFixture()
      const p = prefix()
      const throttle = { store: redisThrottleStore({ client: client!, prefix: p }), maxFailures: 4, window: '1m' }
      const one = express()
      one.get('/api/me', expressBearer({ ...appOptions(f), sendProblem: true, throttle }), (req, res) => void res.json({ sub: req.auth?.claims.sub }))
      apps.push(await listen(createHttpServer(one)))
      const two = Fastify()
      await two.register(fastifyBearer, { ...appOptions(f), sendProblem: true, global: true, throttle: { ...throttle, store: redisThrottleStore({ client: client!, prefix: p }) } })
      two.get('/api/me', async (request) => ({ sub: request.auth?.claims.sub }))
      apps.push({ url: await two.listen({ port: 0, host: '127.0.0.1' }), close: () => two.close() })
    })
    afterAll(async () => {
      await Promise.all(apps.map((a) => a.close()))
      await f.close()
    })

    it("counts a client's failures on both instances atomically, throttles it on both, and never the other client", async () => {
      const [one, two] = apps.map((a) => `${a.url}/api/me`) as [string, string]
      const as = (address: string, token: string, url: string) => send(url, address, { authorization: `Bearer ${token}` })
      // 4 failures spread over both instances, 2 at a time in parallel.
      const first = await Promise.all([as('127.0.0.2', f.forged, one), as('127.0.0.2', f.forged, two), as('127.0.0.2', f.forged, one), as('127.0.0.2', f.forged, two)])
      expect(first.map((a) => a.status)).toEqual([401, 401, 401, 401])
      for (const url of [one, two]) {
        const a = await as('127.0.0.2', f.valid, url)
        expect(a.status).toBe(429)
        expect(Number(a.headers['retry-after'])).toBeGreaterThan(55)
        expect(Number(a.headers['retry-after'])).toBeLessThanOrEqual(60)
        expect(JSON.parse(a.body)).toMatchObject({ status: 429, reason: 'too_many_failures' })
        const other = await as('127.0.0.3', f.valid, url)
        expect([other.status, JSON.parse(other.body)]).toEqual([200, { sub: 'user-1' }])
      }
    })
  })

  it('verifies as if there were no throttle when Redis stops answering, within its timeout, with throttle_error events', async () => {
    // A TCP server that accepts and never answers: Redis hung.
    const sockets: Socket[] = []
    const hung: Server = createServer((s) => void sockets.push(s))
    const port = await freePort()
    await new Promise<void>((resolve) => hung.listen(port, '127.0.0.1', resolve))
    const silent = new Redis(`redis://127.0.0.1:${port}`, { maxRetriesPerRequest: 1, lazyConnect: true })
    silent.on('error', () => {})
    const f = await adapterFixture()
    const events: VerifierEvent[] = []
    const verifier = createVerifier({ ...appOptions(f), onEvent: (e) => void events.push(e) })
    const app = express()
    app.get('/api/me', expressBearer({ verifier, sendProblem: true, throttle: { store: redisThrottleStore({ client: silent, timeout: '200ms' }), maxFailures: 1 } }), (req, res) => void res.json({ sub: req.auth?.claims.sub }))
    const { url, close } = await listen(createHttpServer(app))
    try {
      const started = Date.now()
      for (let i = 0; i < 3; i++) expect((await send(`${url}/api/me`, '127.0.0.2', { authorization: `Bearer ${f.forged}` })).status).toBe(401)
      const ok = await send(`${url}/api/me`, '127.0.0.2', { authorization: `Bearer ${f.valid}` })
      expect([ok.status, JSON.parse(ok.body)]).toEqual([200, { sub: 'user-1' }])
      // 3 failures × (get + hit) + 1 get, each bounded by the 200 ms timeout.
      expect(Date.now() - started).toBeLessThan(7 * 200 + 2000)
      expect(events.filter((e) => e.type === 'throttle_error').map((e) => (e as { operation: string }).operation)).toEqual(['get', 'hit', 'get', 'hit', 'get', 'hit', 'get'])
    } finally {
      await close()
      silent.disconnect()
      for (const s of sockets) s.destroy()
      await new Promise((resolve) => hung.close(resolve))
      await f.close()
    }
  })

  it.each([
    [{ client: undefined }, 'client'],
    [{ client: {} }, 'client'],
    [{ prefix: 5 }, 'prefix'],
    [{ timeout: '0s' }, 'timeout'],
    [{ timeout: 'soon' }, 'timeout'],
  ])('refuses %j with a ConfigError naming %s', (options, option) => {
    const build = () => redisThrottleStore({ client: client!, ...options } as never)
    expect(build).toThrow(ConfigError)
    expect(build).toThrow(new RegExp(`redisThrottleStore option ${option}\\b`))
  })
})
