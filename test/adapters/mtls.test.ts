/**
 * RFC 8705 certificate-bound access tokens on every adapter: real TLS servers on 127.0.0.1
 * asking for client certificates from a self-made CA (test/helpers/certificates.ts), the
 * certificate read from the TLS socket by default, or from a trusted proxy's header through the
 * `certificate(req)` option (the only way on Next, whose `Request` has no TLS session).
 */
import { serve } from '@hono/node-server'
import express from 'express'
import Fastify, { type FastifyRequest } from 'fastify'
import { Hono, type Context } from 'hono'
import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer as createHttpsServer, request, type ServerOptions } from 'node:https'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as ex from '../../src/adapters/express/index.js'
import tokengate from '../../src/adapters/fastify/index.js'
import * as ho from '../../src/adapters/hono/index.js'
import * as nx from '../../src/adapters/next/index.js'
import type { BearerAuth, VerifierOptions } from '../../src/index.js'
import { createTestKit, type TestKit } from '../../src/testing/index.js'
import { testPki } from '../helpers/certificates.js'

const pki = testPki()
/** TLS asking for a client certificate from the CA, but not insisting (a request without one reaches the app). */
const TLS: ServerOptions = { key: pki.server.keyPem, cert: pki.server.pem, ca: pki.ca.pem, requestCert: true, rejectUnauthorized: false }
const PROXY_HEADER = 'x-client-cert'

interface Running {
  readonly url: string
  close(): Promise<void>
}
interface Answer {
  readonly status: number
  readonly wwwAuthenticate: string | undefined
  readonly body: { sub?: string; reason?: string }
}

const seen = (auth: BearerAuth | null | undefined) => ({ sub: auth?.claims.sub })
const listening = (server: Server, scheme: 'http' | 'https'): Promise<Running> =>
  new Promise((resolve) => {
    const ready = () =>
      resolve({ url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((done) => server.close(() => done())) })
    if (server.listening) ready()
    else server.once('listening', ready)
  })

/** GET over http(s), with a client certificate or none, and extra headers. */
function get(url: string, token: string, tls: { cert?: string; key?: string } = {}, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: pki.ca.pem, ...tls, headers: { authorization: `Bearer ${token}`, ...headers }, agent: false }, (res) => {
      let text = ''
      res.on('data', (chunk) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode!, wwwAuthenticate: res.headers['www-authenticate'], body: JSON.parse(text) as Answer['body'] }))
    })
    req.on('error', reject)
    req.end()
  })
}
const httpGet = (url: string, token: string, headers: Record<string, string>): Promise<Answer> =>
  fetch(url, { headers: { authorization: `Bearer ${token}`, ...headers } }).then(async (res) => ({
    status: res.status,
    wwwAuthenticate: res.headers.get('www-authenticate') ?? undefined,
    body: (await res.json()) as Answer['body'],
  }))

type Start = (options: VerifierOptions) => Promise<Running>

/** Servers reading the certificate from the TLS socket (the adapters' default). */
const socketAdapters: readonly [string, Start][] = [
  [
    'Express (https.createServer)',
    async (options) => {
      const app = express()
      app.get('/api/me', ex.bearer({ ...options, sendProblem: true }), (req, res) => void res.json(seen(req.auth)))
      return listening(createHttpsServer(TLS, app).listen(0, '127.0.0.1'), 'https')
    },
  ],
  [
    'Fastify (https option)',
    async (options) => {
      const app = Fastify({ https: TLS })
      await app.register(tokengate, { ...options, sendProblem: true })
      app.get('/api/me', { onRequest: app.authenticate }, async (request: FastifyRequest) => seen(request.auth))
      await app.listen({ port: 0, host: '127.0.0.1' })
      return { url: `https://127.0.0.1:${(app.server.address() as AddressInfo).port}`, close: () => app.close() }
    },
  ],
  [
    'Hono (@hono/node-server over https)',
    async (options) => {
      const app = new Hono()
      app.get('/api/me', ho.bearer(options), (c: Context) => c.json(seen(c.get('auth') as BearerAuth | undefined)))
      return listening(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', createServer: createHttpsServer, serverOptions: TLS }) as Server, 'https')
    },
  ],
]

/** Behind a TLS-terminating proxy: the certificate arrives URL-encoded in a header (nginx `$ssl_client_escaped_cert`). */
const fromHeader = (value: string | null | undefined) => (value ? value : undefined)
const proxyAdapters: readonly [string, Start][] = [
  [
    'Express (certificate from the proxy header)',
    async (options) => {
      const app = express()
      app.get('/api/me', ex.bearer({ ...options, sendProblem: true, certificate: (req) => fromHeader(req.get(PROXY_HEADER)) }), (req, res) => void res.json(seen(req.auth)))
      return listening(createHttpServer(app).listen(0, '127.0.0.1'), 'http')
    },
  ],
  [
    'Next withBearer (certificate from the proxy header)',
    async (options) => {
      const route = nx.withBearer(async (_request, { auth }) => Response.json(seen(auth)), { ...options, certificate: (request) => fromHeader(request.headers.get(PROXY_HEADER)) })
      return listening(serve({ fetch: (r: Request) => route(r, { params: Promise.resolve({}) }), port: 0, hostname: '127.0.0.1' }) as Server, 'http')
    },
  ],
]

let kit: TestKit
beforeAll(async () => {
  kit = await createTestKit({ alg: 'ES256' })
})

const BOUND_NO_CERT = 'Bearer realm="api", error="invalid_token", error_description="The token is bound to a client certificate and the request presented none"'
const MISMATCH = 'Bearer realm="api", error="invalid_token", error_description="The token is bound to another client certificate"'

describe.each(socketAdapters)('RFC 8705 certificate-bound tokens on %s, certificate from the TLS socket', (_name, start) => {
  let server: Running
  beforeAll(async () => {
    server = await start(kit.verifierOptions)
  })
  afterAll(() => server.close())
  const client = { cert: pki.client.pem, key: pki.client.keyPem }

  it('§3: accepts a token whose cnf["x5t#S256"] is the client certificate of the connection', async () => {
    const token = await kit.valid({ cnf: { 'x5t#S256': pki.client.x5t } })
    expect(await get(`${server.url}/api/me`, token, client)).toMatchObject({ status: 200, body: { sub: 'test-user' } })
  })

  it('§3: refuses it over a connection with another client certificate (certificate_mismatch)', async () => {
    const token = await kit.valid({ cnf: { 'x5t#S256': pki.otherClient.x5t } })
    expect(await get(`${server.url}/api/me`, token, client)).toMatchObject({ status: 401, wwwAuthenticate: MISMATCH, body: { reason: 'certificate_mismatch' } })
  })

  it('§3: refuses it over a connection without a client certificate (token_bound)', async () => {
    const token = await kit.valid({ cnf: { 'x5t#S256': pki.client.x5t } })
    expect(await get(`${server.url}/api/me`, token)).toMatchObject({ status: 401, wwwAuthenticate: BOUND_NO_CERT, body: { reason: 'token_bound' } })
  })

  it('serves unbound tokens with or without a client certificate', async () => {
    const token = await kit.valid()
    expect(await get(`${server.url}/api/me`, token, client)).toMatchObject({ status: 200 })
    expect(await get(`${server.url}/api/me`, token)).toMatchObject({ status: 200 })
  })
})

describe.each(proxyAdapters)('RFC 8705 certificate-bound tokens on %s', (_name, start) => {
  let server: Running
  beforeAll(async () => {
    server = await start(kit.verifierOptions)
  })
  afterAll(() => server.close())

  it('§3: accepts the token with the certificate the proxy forwards (URL-encoded PEM), refuses another or none', async () => {
    const token = await kit.valid({ cnf: { 'x5t#S256': pki.client.x5t } })
    const url = `${server.url}/api/me`
    expect(await httpGet(url, token, { [PROXY_HEADER]: encodeURIComponent(pki.client.pem) })).toMatchObject({ status: 200, body: { sub: 'test-user' } })
    expect(await httpGet(url, token, { [PROXY_HEADER]: encodeURIComponent(pki.otherClient.pem) })).toMatchObject({ status: 401, body: { reason: 'certificate_mismatch' } })
    expect(await httpGet(url, token, {})).toMatchObject({ status: 401, body: { reason: 'token_bound' } })
    // A base64 DER (no PEM armour), as some proxies send it.
    expect(await httpGet(url, token, { [PROXY_HEADER]: pki.client.der.toString('base64') })).toMatchObject({ status: 200 })
  })
})
