/**
 * withBearer and bearerMiddleware on plain Fetch Requests (the built-app suite is
 * test/adapters/next.test.ts): a CORS preflight never reaches a handler without auth.
 */
import { describe, expect, it } from 'vitest'
import { bearer, fixture } from '../../../test/helpers/setup.js'
import { bearerMiddleware, withBearer } from './index.js'

const preflight = () =>
  new Request('https://api.example.com/api/danger', {
    method: 'OPTIONS',
    headers: { origin: 'https://app.example.com', 'access-control-request-method': 'DELETE', 'access-control-request-headers': 'authorization' },
  })

describe('tokengate/next and CORS preflights', () => {
  it('withBearer answers a preflight with 204: a handler exported for OPTIONS too never runs without auth', async () => {
    const f = await fixture('ES256')
    const ran: string[] = []
    // One handler for every method, the app.all of App Router.
    const handler = withBearer(async (request, { auth }) => (ran.push(`${request.method} ${auth.claims.sub}`), new Response('ran')), f.options)
    const res = await handler(preflight(), { params: Promise.resolve({}) })
    expect(res.status).toBe(204)
    expect(await res.text()).toBe('')
    expect(ran).toEqual([])
    const authed = await handler(new Request('https://api.example.com/api/danger', { method: 'OPTIONS', headers: { authorization: bearer(await f.sign()) } }), { params: Promise.resolve({}) })
    expect(authed.status).toBe(200)
    expect(ran).toEqual(['OPTIONS user-1'])
  })

  it("with preflight: 'verify', a preflight is checked like any request: 401", async () => {
    const f = await fixture('ES256')
    const handler = withBearer(async () => new Response('ran'), { ...f.options, preflight: 'verify' })
    const res = await handler(preflight(), { params: Promise.resolve({}) })
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="api"')
  })

  it('bearerMiddleware answers a preflight with 204 instead of letting it continue', async () => {
    const f = await fixture('ES256')
    const middleware = bearerMiddleware(f.options)
    const res = await middleware(preflight())
    expect(res?.status).toBe(204)
    expect(await middleware(new Request('https://api.example.com/api/x', { headers: { authorization: bearer(await f.sign()) } }))).toBeUndefined()
  })
})
