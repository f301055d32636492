/**
 * Introspection against a real HTTP server that misbehaves: slow, failing, garbage, huge,
 * dripping, hanging, dropping. Every fault is a 503 `introspection_unavailable` within the
 * deadline — never a 401 that logs users out, never a 200 — and one call per token in flight.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createVerifier, type VerifierEvent } from '../../src/index.js'
import { AUDIENCE, expectReject, ISSUER } from '../helpers/setup.js'
import { delay, drip, drop, hang, huge, json, raw, startKeyServer, status, type Behaviour, type KeyServer } from '../jwks/jwks-server.js'

let server: KeyServer
beforeAll(async () => {
  server = await startKeyServer()
})
afterAll(() => server.close())

const TOKEN = 'opaque-token-0123456789abcdefghijklmnopqrstuvwxyz'
const nowS = () => Math.floor(Date.now() / 1000)
const ACTIVE = () => ({ active: true, scope: 'read', exp: nowS() + 600, client_id: 'svc' })

let n = 0
/** A verifier whose endpoint answers with `behaviour` (a fresh path per verifier). */
function verifierFor(behaviour: Behaviour, timeout = 0.5) {
  const path = `/introspect-${++n}`
  server.route(path, behaviour)
  const events: VerifierEvent[] = []
  const verify = createVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    introspection: { endpoint: server.url(path), clientId: 'api', clientSecret: 'secret', timeout },
    onEvent: (e) => void events.push(e),
  })
  return { verify, events, path }
}

describe('introspection faults (a real HTTP server)', () => {
  it.each([
    ['slower than the timeout', delay(2000, json(ACTIVE())), 'timeout'],
    ['HTTP 500', status(500), 'http_status'],
    ['HTTP 503 with Retry-After', status(503, { 'retry-after': '30' }), 'http_status'],
    ['a redirect (never followed)', status(307, { location: '/elsewhere' }), 'http_status'],
    ['garbage bytes', raw(Buffer.from([0xff, 0xfe, 0x00, 0x7b])), 'not_json'],
    ['an HTML error page with status 200', raw('<html><body>Bad gateway</body></html>', { 'content-type': 'text/html' }), 'not_json'],
    ['JSON that is not an introspection response', json({ error: 'server_error' }), 'introspection_invalid'],
    ['a huge chunked body (5 MB)', huge(5_000_000), 'too_large'],
    ['a declared Content-Length of 5 MB', huge(5_000_000, true), 'too_large'],
    ['a slow drip', drip(JSON.stringify(ACTIVE()), 100), 'timeout'],
    ['no answer at all', hang, 'timeout'],
    ['a dropped connection', drop, 'network'],
  ])('%s: 503 introspection_unavailable within the deadline', async (_what, behaviour, code) => {
    const { verify, events } = verifierFor(behaviour)
    const started = performance.now()
    const err = await expectReject(verify(`Bearer ${TOKEN}`), 'introspection_unavailable', { status: 503, wwwAuthenticate: undefined })
    // 0.5 s deadline; generous margin for a loaded machine.
    expect(performance.now() - started).toBeLessThan(4000)
    expect(err.toProblem()).toEqual({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'Token introspection is temporarily unavailable', reason: 'introspection_unavailable' })
    expect(events.filter((e) => e.type.startsWith('introspection'))).toMatchObject([{ type: 'introspection_error', code }])
  })

  it('shares one call among concurrent requests, even when it fails, and retries on the next request', async () => {
    const { verify, path } = verifierFor(delay(200, status(500)))
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => verify(`Bearer ${TOKEN}`)))
    expect(results.every((r) => r.status === 'rejected' && (r.reason as { reason: string }).reason === 'introspection_unavailable')).toBe(true)
    expect(server.count(path)).toBe(1)
    await expectReject(verify(`Bearer ${TOKEN}`), 'introspection_unavailable')
    expect(server.count(path)).toBe(2)
  })

  it('keeps answering cached tokens through an outage; new tokens get 503', async () => {
    let down = false
    const { verify } = verifierFor((req, res) => (down ? status(500) : json(ACTIVE()))(req, res))
    expect((await verify(`Bearer ${TOKEN}`)).kind).toBe('introspected')
    down = true
    expect((await verify(`Bearer ${TOKEN}`)).scopes).toEqual(['read'])
    await expectReject(verify(`Bearer ${TOKEN}-other`), 'introspection_unavailable')
  })

  it('a server that recovers is used again at once (failures are not cached)', async () => {
    let down = true
    const { verify } = verifierFor((req, res) => (down ? drop : json(ACTIVE()))(req, res))
    await expectReject(verify(`Bearer ${TOKEN}`), 'introspection_unavailable')
    down = false
    expect((await verify(`Bearer ${TOKEN}`)).kind).toBe('introspected')
  })
})
