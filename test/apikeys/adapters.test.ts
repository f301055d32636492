/**
 * API keys through every adapter on a real server on 127.0.0.1: `Authorization: Bearer` and
 * `X-API-Key`, `auth.kind === 'api_key'`, the guards, the exact challenges, and 429 with
 * `Retry-After` as the framework sends it.
 */
import { serve } from '@hono/node-server'
import express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKeys, type ApiKeys, type CreatedApiKey } from '../../src/apikeys/index.js'
import { bearer as expressBearer, requireScopes as expressScopes } from '../../src/adapters/express/index.js'
import fastifyBearer, { requireScopes as fastifyScopes } from '../../src/adapters/fastify/index.js'
import { bearer as honoBearer, requireScopes as honoScopes, type BearerEnv } from '../../src/adapters/hono/index.js'
import { withBearer } from '../../src/adapters/next/index.js'
import Koa from 'koa'
import Router from '@koa/router'
import { bearer as koaBearer, requireScopes as koaScopes } from '../../src/adapters/koa/index.js'
import { createVerifier, type BearerAuth } from '../../src/index.js'
import { listen } from '../adapters/fixtures.js'

const INVALID = 'Bearer realm="api", error="invalid_token", error_description="The API key is not valid"'
const SCOPE = 'Bearer realm="api", error="insufficient_scope", error_description="The token lacks a required scope", scope="write:invoices"'

interface App {
  readonly url: string
  close(): Promise<void>
}

const answer = (auth: BearerAuth | undefined | null) => ({ kind: auth?.kind, sub: auth?.claims.sub, id: auth?.kind === 'api_key' ? auth.apiKey.id : undefined })

const apps: Record<string, (apiKeys: ApiKeys) => Promise<App>> = {
  async express(apiKeys) {
    const app = express()
    app.use(expressBearer({ apiKeys, sendProblem: true }))
    app.get('/read', (req, res) => void res.json(answer(req.auth)))
    app.get('/write', expressScopes('write:invoices'), (req, res) => void res.json(answer(req.auth)))
    return listen(createServer(app))
  },
  async fastify(apiKeys) {
    const app = Fastify()
    await app.register(fastifyBearer, { apiKeys, global: true })
    app.get('/read', async (request) => answer(request.auth))
    app.get('/write', { preHandler: fastifyScopes('write:invoices') }, async (request) => answer(request.auth))
    const url = await app.listen({ port: 0, host: '127.0.0.1' })
    return { url, close: () => app.close() }
  },
  async hono(apiKeys) {
    const app = new Hono<BearerEnv>()
    app.use('*', honoBearer({ apiKeys }))
    app.get('/read', (c) => c.json(answer(c.get('auth'))))
    app.get('/write', honoScopes('write:invoices'), (c) => c.json(answer(c.get('auth'))))
    return new Promise((resolve) => {
      const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
        resolve({ url: `http://127.0.0.1:${info.port}`, close: () => new Promise((done) => server.close(() => done())) }),
      )
    })
  },
  async koa(apiKeys) {
    const app = new Koa()
    const router = new Router()
    router.use(koaBearer({ apiKeys }))
    router.get('/read', (ctx) => void (ctx.body = answer(ctx.state.auth)))
    router.get('/write', koaScopes('write:invoices'), (ctx) => void (ctx.body = answer(ctx.state.auth)))
    app.use(router.routes())
    return listen(createServer(app.callback()))
  },
  async next(apiKeys) {
    // The App Router handler takes a Request: served here by a Node bridge.
    const verifier = createVerifier({ apiKeys })
    const read = withBearer(async (_req, { auth }) => Response.json(answer(auth)), { verifier })
    const write = withBearer(async (_req, { auth }) => Response.json(answer(auth)), { verifier, scopes: ['write:invoices'] })
    return listen(
      createServer(async (req, res) => {
        const request = new Request(`http://127.0.0.1${req.url}`, { headers: req.headers as Record<string, string> })
        const response = await (req.url === '/write' ? write : read)(request, { params: Promise.resolve({}) })
        res.writeHead(response.status, Object.fromEntries(response.headers)).end(await response.text())
      }),
    )
  },
}

describe.each(Object.keys(apps))('API keys through tokengate/%s', (name) => {
  let apiKeys: ApiKeys
  let key: CreatedApiKey
  let app: App
  beforeAll(async () => {
    apiKeys = createApiKeys({ prefix: 'acme', rateLimit: { points: 6, duration: '1h' } })
    key = await apiKeys.create({ name: 'billing export', owner: 'team-billing', scopes: ['read:invoices'] })
    app = await apps[name]!(apiKeys)
  })
  afterAll(() => app.close())

  it('accepts the key as a bearer token and in X-API-Key, as auth.kind api_key', async () => {
    for (const headers of [{ authorization: `Bearer ${key.key}` }, { 'x-api-key': key.key }] as Record<string, string>[]) {
      const res = await fetch(`${app.url}/read`, { headers })
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({ kind: 'api_key', sub: 'team-billing', id: key.id })
    }
  })

  it('answers a wrong key with 401 and the exact challenge, a missing scope with 403', async () => {
    const typo = `${key.key.slice(0, -1)}${key.key.endsWith('a') ? 'b' : 'a'}`
    for (const headers of [{ authorization: `Bearer ${typo}` }, { 'x-api-key': typo }] as Record<string, string>[]) {
      const res = await fetch(`${app.url}/read`, { headers })
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toBe(INVALID)
    }
    const res = await fetch(`${app.url}/write`, { headers: { 'x-api-key': key.key } })
    expect(res.status).toBe(403)
    expect(res.headers.get('www-authenticate')).toBe(SCOPE)
  })

  it('answers both headers at once with 400, and a used-up key with 429 and Retry-After', async () => {
    const both = await fetch(`${app.url}/read`, { headers: { authorization: `Bearer ${key.key}`, 'x-api-key': key.key } })
    expect(both.status).toBe(400)
    // 6 points per hour: 3 used above (2 reads, 1 write), so 3 more pass and the next is refused.
    for (let i = 0; i < 3; i++) expect((await fetch(`${app.url}/read`, { headers: { 'x-api-key': key.key } })).status).toBe(200)
    const limited = await fetch(`${app.url}/read`, { headers: { 'x-api-key': key.key } })
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(limited.headers.get('www-authenticate')).toBeNull()
  })
})
