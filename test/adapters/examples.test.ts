/** The server examples (and the Lambda example behind its local gateway) stay runnable: started as the demo starts them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { start as startExpress } from '../../examples/express/server.js'
import { start as startFastify } from '../../examples/fastify/server.js'
import { start as startHono } from '../../examples/hono/server.js'
import { start as startKoa } from '../../examples/koa/server.js'
import { start as startLambda } from '../../examples/lambda/local.js'
import { start as startNest } from '../../examples/nestjs/server.js'
import { adapterFixture, bearer as auth, CHALLENGE, expectAnswer, type AdapterFixture } from './fixtures.js'

describe.each([
  ['express', startExpress],
  ['fastify', startFastify],
  ['hono', startHono],
  ['koa', startKoa],
  ['nestjs', startNest],
  ['lambda', startLambda],
])('examples/%s/server.ts', (_name, start) => {
  let f: AdapterFixture
  let server: { url: string; close(): Promise<void> }

  beforeAll(async () => {
    f = await adapterFixture()
    server = await start(0, f.options)
  })
  afterAll(async () => {
    await server.close()
    await f.close()
  })

  it('answers 200 with the caller, 401 without a token, 403 without read:orders', async () => {
    const res = await expectAnswer(`${server.url}/api/me`, auth(f.valid), { status: 200 })
    expect(await res.json()).toEqual({ sub: 'user-1', scopes: ['read:orders'] })
    await expectAnswer(`${server.url}/api/orders`, auth(f.valid), { status: 200 })
    await expectAnswer(`${server.url}/api/me`, {}, { status: 401, wwwAuthenticate: CHALLENGE.missing })
    await expectAnswer(`${server.url}/api/orders`, auth(f.noScope), { status: 403, wwwAuthenticate: CHALLENGE.scope })
  })

  it('guards /api/staff by role and /api/billing by claim, with the description as error_description', async () => {
    const staff = await f.sign({ tenant: 'acme', roles: ['admin'], plan: 'pro' })
    await expectAnswer(`${server.url}/api/staff`, auth(staff), { status: 200 })
    await expectAnswer(`${server.url}/api/billing`, auth(staff), { status: 200 })
    await expectAnswer(`${server.url}/api/staff`, auth(f.valid), { status: 403, wwwAuthenticate: CHALLENGE.role, reason: 'role_missing' })
    await expectAnswer(`${server.url}/api/billing`, auth(await f.sign({ tenant: 'acme', plan: 'free' })), {
      status: 403,
      wwwAuthenticate: 'Bearer realm="api", error="insufficient_scope", error_description="A paid plan is required"',
      reason: 'claim_mismatch',
    })
  })
})
