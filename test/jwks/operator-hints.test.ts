/**
 * A key source set up wrong explains itself to the operator: the logger line and the
 * `operator_hint` event name the URL and the HTTP status or network error, once (again only
 * after keys were fetched from it since). The client still gets 503 jwks_unavailable with no
 * challenge and the reason's message, nothing more.
 */
import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createVerifier, type VerifierOptions } from '../../src/index.js'
import { expectReject } from '../helpers/setup.js'
import { AUDIENCE, ISSUER, jwks, recorder, signer, testClock, type Signer } from './harness.js'
import { json, startKeyServer, status, type KeyServer } from './jwks-server.js'

let server: KeyServer
let key: Signer
let paths = 0

beforeAll(async () => {
  server = await startKeyServer()
  key = await signer('k1')
})
afterAll(() => server.close())

function setup(options: Partial<VerifierOptions> = {}) {
  const lines: string[] = []
  const events = recorder()
  const clock = testClock()
  const verify = createVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    now: clock.now,
    onEvent: events.onEvent,
    logger: { warn: (message) => void lines.push(message) },
    ...options,
  } as VerifierOptions)
  return { verify, lines, events, clock }
}

const OUTAGE = { type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'The signing keys are temporarily unavailable', reason: 'jwks_unavailable' }

describe('operator hints for key sources', () => {
  it('a jwksUri that answers 404: the URL, "HTTP 404" and what to check; the client gets the plain 503', async () => {
    const path = `/wrong-${++paths}.json`
    server.route(path, status(404))
    const { verify, lines, events } = setup({ jwksUri: server.url(path) })
    const err = await expectReject(verify(await key.token()), 'jwks_unavailable', { status: 503, wwwAuthenticate: undefined })
    expect(err.toProblem()).toEqual(OUTAGE)
    expect(err.cause).toMatchObject({ name: 'FetchFailure', code: 'http_status', status: 404, url: server.url(path), message: 'HTTP 404' })
    expect(lines).toEqual([
      `tokengate: keys unavailable (503 jwks_unavailable): GET ${server.url(path)}: HTTP 404; check the URL: jwksUri, or the issuer with discovery. Requests are answered 503 until keys can be fetched.`,
    ])
    expect(events.of('jwks_error')).toEqual([{ type: 'jwks_error', uri: server.url(path), code: 'http_status', error: 'HTTP 404', status: 404, durationMs: expect.any(Number) }])
    expect(events.of('operator_hint')[0]!.details).toEqual({ reason: 'jwks_unavailable', url: server.url(path), code: 'http_status', error: 'HTTP 404', status: 404 })
  })

  it('a host nobody listens on: the network error (ECONNREFUSED) is named', async () => {
    // A port that was free a moment ago: connections to it are refused.
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const port = (probe.address() as { port: number }).port
    await new Promise<void>((resolve) => probe.close(() => resolve()))
    const url = `http://127.0.0.1:${port}/jwks.json`
    const { verify, lines } = setup({ jwksUri: url })
    const err = await expectReject(verify(await key.token()), 'jwks_unavailable', { status: 503 })
    expect(err.cause).toMatchObject({ code: 'network', message: 'fetch failed (TypeError: ECONNREFUSED)' })
    expect(lines).toEqual([
      `tokengate: keys unavailable (503 jwks_unavailable): GET ${url}: fetch failed (TypeError: ECONNREFUSED); check that the host is reachable from this server (DNS, firewall, TLS). Requests are answered 503 until keys can be fetched.`,
    ])
  })

  it('told once per outage: not again during it, again after keys were fetched and it fails anew', async () => {
    const path = `/flaky-${++paths}.json`
    server.route(path, status(500))
    const { verify, lines, clock } = setup({ jwksUri: server.url(path) })
    const token = await key.token()
    await expectReject(verify(token), 'jwks_unavailable')
    clock.advance(31) // past the cooldown: a second failed fetch, not told again
    await expectReject(verify(token), 'jwks_unavailable')
    expect(server.count(path)).toBe(2)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain('HTTP 500; the key server is failing; tokengate asks again after the cooldown')

    server.route(path, json(jwks(key)))
    clock.advance(31)
    await verify(token)
    server.route(path, status(500))
    clock.advance(24 * 3600 + 601) // past freshness and staleIfError: no keys left
    await expectReject(verify(token), 'jwks_unavailable')
    expect(lines).toHaveLength(2)
  })

  it('a JWKS URL that serves the discovery document says so', async () => {
    const path = `/discovery-as-jwks-${++paths}`
    server.route(path, json({ issuer: ISSUER, jwks_uri: 'https://idp.example.com/jwks' }))
    const { verify, lines } = setup({ jwksUri: server.url(path) })
    await expectReject(verify(await key.token()), 'jwks_unavailable')
    expect(lines[0]).toMatch(/: not a JWK Set.*; the URL does not serve a JWK Set \(\{ "keys": \[\.\.\.\] \}\); a discovery document belongs in `discovery`, not `jwksUri`\./)
  })

  it('discovery for an issuer written without its trailing slash: the metadata issuer, the configured one and the hint', async () => {
    const tenant = `${server.origin}/tenant-${++paths}`
    server.route(`/tenant-${paths}/.well-known/openid-configuration`, json({ issuer: `${tenant}/`, jwks_uri: server.url('/unused') }))
    const { verify, lines } = setup({ issuer: tenant, discovery: true })
    const err = await expectReject(verify(await key.token({ iss: tenant })), 'jwks_unavailable', { status: 503 })
    expect(err.cause).toMatchObject({ code: 'issuer_mismatch', message: `metadata issuer "${tenant}/" is not the configured "${tenant}" (differs only by a trailing slash)` })
    expect(lines).toEqual([
      `tokengate: keys unavailable (503 jwks_unavailable): GET ${tenant}/.well-known/openid-configuration: metadata issuer "${tenant}/" is not the configured "${tenant}" (differs only by a trailing slash); ` +
        'the discovery document speaks for another issuer: set `issuer` to exactly the metadata\'s "issuer". Requests are answered 503 until keys can be fetched.',
    ])
  })
})
