/**
 * The `throttle` option on real servers of every adapter: clients are told apart by their real
 * socket address (requests leave from 127.0.0.2, 127.0.0.3, ... to a server on 127.0.0.1), or by
 * X-Forwarded-For where the framework's trust-proxy setting says to believe it. One client's
 * flood never throttles another's valid traffic; the flooding client gets 429 with Retry-After
 * for every request, a valid token too, until its window ends.
 */
import { getRequestListener, serve } from '@hono/node-server'
import express from 'express'
import Fastify from 'fastify'
import { Hono, type Context } from 'hono'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer as expressBearer } from '../../src/adapters/express/index.js'
import fastifyBearer from '../../src/adapters/fastify/index.js'
import { bearer as honoBearer } from '../../src/adapters/hono/index.js'
import { bearerMiddleware, withBearer } from '../../src/adapters/next/index.js'
import { memoryThrottleStore, type BearerAuth, type ThrottleStore } from '../../src/index.js'
import { adapterFixture, appOptions, CHALLENGE, listen, SEEN, type AdapterFixture } from './fixtures.js'
import { send, type Answer } from '../throttle/client.js'

const MAX = 3
const seen = (a: BearerAuth | undefined) => ({ sub: a?.claims.sub, tenant: a?.claims.tenant, scopes: a?.scopes })

/** One app under test: `/api/me` behind `bearer()` with the throttle, on a real server. */
interface Target {
  readonly name: string
  /** How clients are told apart: by socket address, or by X-Forwarded-For through a trusted proxy. */
  readonly clients: 'socket' | 'forwarded'
  /** Answers 429 as problem+json (else the framework's error handler answers it). */
  readonly problem: boolean
  start(f: AdapterFixture, store: ThrottleStore): Promise<{ url: string; close(): Promise<void> }>
}

const throttle = (store: ThrottleStore) => ({ store, maxFailures: MAX, window: '1m' })

async function honoServer(app: Hono): Promise<{ url: string; close(): Promise<void> }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve({ url: `http://127.0.0.1:${info.port}`, close: () => new Promise((done) => server.close(() => done())) }),
    )
  })
}

const TARGETS: Target[] = [
  {
    name: 'Express 5, req.ip (no proxy trusted: the socket address)',
    clients: 'socket',
    problem: true,
    async start(f, store) {
      const app = express()
      app.use('/api', expressBearer({ ...appOptions(f), sendProblem: true, throttle: throttle(store) }))
      app.get('/api/me', (req, res) => void res.json(seen(req.auth)))
      return listen(createServer(app))
    },
  },
  {
    name: "Express 5, next(err) to Express's own error handler",
    clients: 'socket',
    problem: false,
    async start(f, store) {
      const app = express()
      app.get('/api/me', expressBearer({ ...appOptions(f), throttle: throttle(store) }), (req, res) => void res.json(seen(req.auth)))
      return listen(createServer(app))
    },
  },
  {
    name: "Express 5 behind a trusted proxy (trust proxy 'loopback'): req.ip from X-Forwarded-For",
    clients: 'forwarded',
    problem: true,
    async start(f, store) {
      const app = express()
      app.set('trust proxy', 'loopback')
      app.get('/api/me', expressBearer({ ...appOptions(f), sendProblem: true, throttle: throttle(store) }), (req, res) => void res.json(seen(req.auth)))
      return listen(createServer(app))
    },
  },
  {
    name: 'Fastify 5, request.ip, sendProblem',
    clients: 'socket',
    problem: true,
    async start(f, store) {
      const app = Fastify()
      await app.register(fastifyBearer, { ...appOptions(f), sendProblem: true, global: true, throttle: throttle(store) })
      app.get('/api/me', async (request) => seen(request.auth ?? undefined))
      const url = await app.listen({ port: 0, host: '127.0.0.1' })
      return { url, close: () => app.close() }
    },
  },
  {
    name: "Fastify 5, thrown to Fastify's error handler",
    clients: 'socket',
    problem: false,
    async start(f, store) {
      const app = Fastify()
      await app.register(fastifyBearer, { ...appOptions(f), global: true, throttle: throttle(store) })
      app.get('/api/me', async (request) => seen(request.auth ?? undefined))
      const url = await app.listen({ port: 0, host: '127.0.0.1' })
      return { url, close: () => app.close() }
    },
  },
  {
    name: 'Fastify 5 behind a trusted proxy (trustProxy: 127.0.0.1/8): request.ip from X-Forwarded-For',
    clients: 'forwarded',
    problem: true,
    async start(f, store) {
      const app = Fastify({ trustProxy: '127.0.0.1/8' })
      await app.register(fastifyBearer, { ...appOptions(f), sendProblem: true, global: true, throttle: throttle(store) })
      app.get('/api/me', async (request) => seen(request.auth ?? undefined))
      const url = await app.listen({ port: 0, host: '127.0.0.1' })
      return { url, close: () => app.close() }
    },
  },
  {
    name: "Hono 4 on @hono/node-server, the connection's address",
    clients: 'socket',
    problem: true,
    async start(f, store) {
      const app = new Hono()
      app.use('/api/*', honoBearer({ ...appOptions(f), throttle: throttle(store) }))
      app.get('/api/me', (c: Context) => c.json(seen(c.get('auth') as BearerAuth)))
      return honoServer(app)
    },
  },
  {
    name: 'Next.js withBearer behind a proxy that sets X-Real-IP (key reads it)',
    clients: 'forwarded',
    problem: true,
    async start(f, store) {
      const key = (request: Request) => request.headers.get('x-real-ip') ?? undefined
      const route = withBearer(async (_request, { auth }) => Response.json(seen(auth)), { ...appOptions(f), throttle: { ...throttle(store), key } })
      return listen(createServer(getRequestListener((request) => route(request, { params: Promise.resolve({}) }))))
    },
  },
  {
    name: 'Next.js bearerMiddleware behind a proxy that sets X-Real-IP (key reads it)',
    clients: 'forwarded',
    problem: true,
    async start(f, store) {
      const key = (request: Request) => request.headers.get('x-real-ip') ?? undefined
      const middleware = bearerMiddleware({ ...appOptions(f), throttle: { ...throttle(store), key } })
      const listener = getRequestListener(async (request) => (await middleware(request)) ?? Response.json({ passed: true }))
      return listen(createServer(listener))
    },
  },
]

describe.each(TARGETS)('throttle on $name', (target) => {
  let f: AdapterFixture
  let app: { url: string; close(): Promise<void> }
  let clock = 0
  const store = memoryThrottleStore({ now: () => clock })

  beforeAll(async () => {
    f = await adapterFixture()
    app = await target.start(f, store)
  })
  afterAll(async () => {
    await app.close()
    await f.close()
  })

  /** Client `n`: its own socket address, or its own forwarded address through one proxy socket. */
  const client = (n: number) => (token?: string) => {
    const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` }
    if (target.clients === 'socket') return send(`${app.url}/api/me`, `127.0.0.${n}`, headers)
    return send(`${app.url}/api/me`, '127.0.0.1', { ...headers, 'x-forwarded-for': `203.0.113.${n}`, 'x-real-ip': `203.0.113.${n}` })
  }
  const ok = (a: Answer) => {
    expect(a.status).toBe(200)
    const body = JSON.parse(a.body) as unknown
    if (!(body as { passed?: boolean }).passed) expect(body).toEqual(SEEN)
  }

  it("answers a client's flood normally up to maxFailures, then 429 with Retry-After, a valid token too, while another client's valid traffic passes", async () => {
    clock = 1_000_000
    const [attacker, bystander] = [client(2), client(3)]
    ok(await bystander(f.valid))
    for (let i = 0; i < MAX; i++) {
      const a = await attacker(f.forged)
      expect([a.status, a.headers['www-authenticate']]).toEqual([401, CHALLENGE.forged])
    }
    clock += 10_000
    for (const token of [f.valid, f.forged, undefined]) {
      const a = await attacker(token)
      expect([a.status, a.headers['retry-after'], a.headers['www-authenticate']]).toEqual([429, '50', undefined])
      if (target.problem) {
        expect(a.headers['content-type']).toMatch(/^application\/problem\+json/)
        expect(JSON.parse(a.body)).toMatchObject({ status: 429, reason: 'too_many_failures' })
      }
    }
    // The flood goes on, in parallel with the other client's requests: none of them is throttled.
    const flood = Array.from({ length: 30 }, () => attacker(f.forged))
    const valid = Array.from({ length: 10 }, () => bystander(f.valid))
    const [floodAnswers, validAnswers] = await Promise.all([Promise.all(flood), Promise.all(valid)])
    expect(floodAnswers.map((a) => a.status)).toEqual(flood.map(() => 429))
    validAnswers.forEach(ok)
    // The other client's own failures count for it alone.
    expect((await bystander(f.expired)).status).toBe(401)
    ok(await bystander(f.valid))
    // The window ends a minute after the attacker's first failure: verified again.
    clock += 49_000
    expect((await attacker(f.valid)).status).toBe(429)
    clock += 1_000
    ok(await attacker(f.valid))
  })
})

describe('throttle keys cannot be chosen by the client', () => {
  let f: AdapterFixture
  let servers: { url: string; close(): Promise<void> }[] = []
  beforeAll(async () => {
    f = await adapterFixture()
  })
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()))
    await f.close()
  })

  it('ignores X-Forwarded-For when no proxy is trusted: a flood with a new forwarded address each time is still throttled (Express, Fastify, Hono)', async () => {
    const expressApp = express()
    expressApp.get('/api/me', expressBearer({ ...appOptions(f), sendProblem: true, throttle: { maxFailures: MAX } }), (_req, res) => void res.json({}))
    const fastifyApp = Fastify()
    await fastifyApp.register(fastifyBearer, { ...appOptions(f), sendProblem: true, global: true, throttle: { maxFailures: MAX } })
    fastifyApp.get('/api/me', async () => ({}))
    const honoApp = new Hono()
    honoApp.use('/api/*', honoBearer({ ...appOptions(f), throttle: { maxFailures: MAX } }))
    honoApp.get('/api/me', (c) => c.json({}))
    servers = [await listen(createServer(expressApp) as Server), { url: await fastifyApp.listen({ port: 0, host: '127.0.0.1' }), close: () => fastifyApp.close() }, await honoServer(honoApp)]
    for (const { url } of servers) {
      const statuses: number[] = []
      for (let i = 0; i < MAX + 2; i++) {
        const a = await send(`${url}/api/me`, '127.0.0.9', { authorization: `Bearer ${f.forged}`, 'x-forwarded-for': `198.51.100.${i}`, 'x-real-ip': `198.51.100.${i}` })
        statuses.push(a.status)
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429])
    }
  })
})
