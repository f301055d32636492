/**
 * DPoP (RFC 9449), step-up (RFC 9470) and protected resource metadata (RFC 9728) on every
 * adapter, over real HTTP on 127.0.0.1. The DPoP client is panva's oauth4webapi, an
 * independent implementation: it signs the proofs, hashes the token into `ath`, keeps the
 * server's nonce per origin and recognises `use_dpop_nonce` challenges, so these tests do not
 * only agree with tokengate's own test kit.
 */
import { serve } from '@hono/node-server'
import express from 'express'
import express4 from 'express4'
import Fastify, { type FastifyRequest } from 'fastify'
import { Hono, type Context } from 'hono'
import { createServer, type Server } from 'node:http'
import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import * as oauth from 'oauth4webapi'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as ex from '../../src/adapters/express/index.js'
import tokengate, * as fa from '../../src/adapters/fastify/index.js'
import * as ho from '../../src/adapters/hono/index.js'
import * as nx from '../../src/adapters/next/index.js'
import { protectedResourceMetadataUrl, type BearerAuth, type VerifierOptions } from '../../src/index.js'
import { createTestKit, type TestKit } from '../../src/testing/index.js'

const RESOURCE = 'https://api.example.com'
const METADATA_URL = protectedResourceMetadataUrl(RESOURCE)
const METADATA_PATH = new URL(METADATA_URL).pathname
const ALGS = 'ES256 RS256 RS384 RS512 PS256 PS384 PS512 ES384 ES512 EdDSA Ed25519'
const RM = `resource_metadata="${METADATA_URL}"`
const STEP_UP = { acr: ['urn:example:mfa'], maxAge: 300 }
const insecure = { [oauth.allowInsecureRequests]: true } as const

interface AppConfig {
  readonly options: VerifierOptions
  /** The app trusts X-Forwarded-* (Express `trust proxy`, Fastify `trustProxy`, a `url` option on Hono and Next). */
  readonly proxied?: boolean
}
interface Running {
  readonly url: string
  close(): Promise<void>
}

const seen = (auth: BearerAuth | null | undefined) => ({ sub: auth?.claims.sub, scheme: auth?.scheme })
/** What a Fetch-API adapter behind the test proxy is told the public URL is. */
const publicUrl = (raw: Request) => {
  const url = new URL(raw.url)
  return `${raw.headers.get('x-forwarded-proto')}://${raw.headers.get('x-forwarded-host')}${url.pathname}`
}

function listen(server: Server): Promise<Running> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise((done) => server.close(() => done())),
      }),
    ),
  )
}

function expressApp(createApp: typeof express) {
  return async ({ options, proxied }: AppConfig): Promise<Running> => {
    const app = createApp()
    if (proxied) app.set('trust proxy', true)
    app.get(METADATA_PATH, ex.resourceMetadataHandler({ resource: RESOURCE, authorizationServers: [options.issuer as string] }))
    app.use('/api', ex.bearer({ ...options, sendProblem: true }))
    app.get('/api/me', (req, res) => void res.json(seen(req.auth)))
    app.get('/api/step-up', ex.requireAuthLevel(STEP_UP), (req, res) => void res.json(seen(req.auth)))
    return listen(createServer(app))
  }
}

const adapters: readonly [string, (config: AppConfig) => Promise<Running>][] = [
  ['Express 5', expressApp(express)],
  ['Express 4', expressApp(express4)],
  [
    'Fastify 5',
    async ({ options, proxied }) => {
      const app = Fastify({ trustProxy: proxied === true })
      app.get(METADATA_PATH, fa.resourceMetadataHandler({ resource: RESOURCE, authorizationServers: [options.issuer as string] }))
      await app.register(
        async (api) => {
          await api.register(tokengate, { ...options, sendProblem: true })
          api.get('/me', { onRequest: api.authenticate }, async (request: FastifyRequest) => seen(request.auth))
          api.get('/step-up', { onRequest: api.authenticate, preHandler: fa.requireAuthLevel(STEP_UP) }, async (request: FastifyRequest) => seen(request.auth))
        },
        { prefix: '/api' },
      )
      await app.listen({ port: 0, host: '127.0.0.1' })
      return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, close: () => app.close() }
    },
  ],
  [
    'Hono (@hono/node-server)',
    async ({ options, proxied }) => {
      const app = new Hono()
      const me = (c: Context) => c.json(seen(c.get('auth') as BearerAuth | undefined))
      app.get(METADATA_PATH, ho.resourceMetadataHandler({ resource: RESOURCE, authorizationServers: [options.issuer as string] }))
      app.use('/api/*', ho.bearer({ ...options, ...(proxied ? { url: (c: Context) => publicUrl(c.req.raw) } : {}) }))
      app.get('/api/me', me)
      app.get('/api/step-up', ho.requireAuthLevel(STEP_UP), me)
      const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server
      await new Promise((resolve) => server.once('listening', resolve))
      return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((done) => server.close(() => done())) }
    },
  ],
  [
    'Next route handlers (withBearer, on a node:http bridge)',
    async ({ options, proxied }) => {
      const o = { ...options, ...(proxied ? { url: publicUrl } : {}) }
      const handler = async (_request: Request, { auth }: nx.AuthContext<nx.RouteContext, BearerAuth | undefined>) => Response.json(seen(auth))
      // Built once, as a route module does: one verifier (nonce secret, replay store) per route.
      const me = nx.withBearer(handler, o)
      const stepUp = nx.withBearer(nx.requireAuthLevel(STEP_UP, handler), o)
      const context = { params: Promise.resolve({}) }
      const routes: Record<string, (request: Request) => Response | Promise<Response>> = {
        '/api/me': (request) => me(request, context),
        '/api/step-up': (request) => stepUp(request, context),
        [METADATA_PATH]: nx.resourceMetadataHandler({ resource: RESOURCE, authorizationServers: [options.issuer as string] }),
      }
      const server = serve({ fetch: (request: Request) => routes[new URL(request.url).pathname]?.(request) ?? new Response(null, { status: 404 }), port: 0, hostname: '127.0.0.1' }) as Server
      await new Promise((resolve) => server.once('listening', resolve))
      return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((done) => server.close(() => done())) }
    },
  ],
]

/** A raw HTTP/1.1 request, so repeated header fields reach the server as sent. */
function rawRequest(url: string, lines: readonly string[]): Promise<{ status: number; headers: Record<string, string> }> {
  const { hostname, port, pathname } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(`GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n${lines.map((l) => `${l}\r\n`).join('')}Connection: close\r\n\r\n`))
    let raw = ''
    socket.on('data', (chunk) => (raw += chunk))
    socket.on('error', reject)
    socket.on('end', () => {
      const head = raw.split('\r\n\r\n')[0]!.split('\r\n')
      const headers = Object.fromEntries(head.slice(1).map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]))
      resolve({ status: Number(head[0]!.split(' ')[1]), headers })
    })
  })
}

/** An oauth4webapi client with its own DPoP key. */
async function client() {
  const keyPair = await oauth.generateKeyPair('ES256')
  const DPoP = oauth.DPoP({}, keyPair)
  return { DPoP, jkt: await DPoP.calculateThumbprint() }
}

async function problemReason(res: Response): Promise<string> {
  return ((await res.json()) as { reason: string }).reason
}

let kit: TestKit
beforeAll(async () => {
  kit = await createTestKit({ alg: 'ES256' })
})

describe.each(adapters)('DPoP, step-up and metadata on %s', (_name, start) => {
  const running: Running[] = []
  const app = async (config: AppConfig) => {
    const r = await start(config)
    running.push(r)
    return r.url
  }
  const options = (extra: Partial<VerifierOptions> = {}) => ({ ...kit.verifierOptions, dpop: true, resourceMetadata: METADATA_URL, ...extra }) as VerifierOptions
  afterAll(async () => {
    await Promise.all(running.map((r) => r.close()))
  })

  it('RFC 9449 §7.1: serves oauth4webapi\'s DPoP request (Authorization: DPoP, a proof with ath; htu without the query)', async () => {
    const url = await app({ options: options() })
    const { DPoP, jkt } = await client()
    const token = await kit.valid({ cnf: { jkt } })
    const res = await oauth.protectedResourceRequest(token, 'GET', new URL(`${url}/api/me?limit=5`), new Headers(), null, { DPoP, ...insecure })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ sub: 'test-user', scheme: 'DPoP' })
    // A second request with a new proof from the same key: the token comes from the cache, the proof does not.
    const again = await oauth.protectedResourceRequest(token, 'GET', new URL(`${url}/api/me`), new Headers(), null, { DPoP, ...insecure })
    expect(await again.json()).toEqual({ sub: 'test-user', scheme: 'DPoP' })
  })

  it('RFC 9449 §9: asks oauth4webapi for a nonce (use_dpop_nonce, DPoP-Nonce), accepts the retry, and sends the next nonce on the 200', async () => {
    const url = await app({ options: options({ dpop: { nonce: true } }) })
    const { DPoP, jkt } = await client()
    const token = await kit.valid({ cnf: { jkt } })
    const call = () => oauth.protectedResourceRequest(token, 'GET', new URL(`${url}/api/me`), new Headers(), null, { DPoP, ...insecure })
    let challenge: unknown
    try {
      await call()
    } catch (err) {
      challenge = err
    }
    expect(oauth.isDPoPNonceError(challenge)).toBe(true)
    const first = (challenge as oauth.WWWAuthenticateChallengeError).response
    expect(first.status).toBe(401)
    expect(first.headers.get('dpop-nonce')).toMatch(/^[\x21\x23-\x5b\x5d-\x7e]+$/)
    const res = await call()
    expect(res.status).toBe(200)
    expect(res.headers.get('dpop-nonce')).toBe(first.headers.get('dpop-nonce'))
    expect(await res.json()).toEqual({ sub: 'test-user', scheme: 'DPoP' })
  })

  it('RFC 9449 §7.2: refuses the bound token sent as Bearer (token_bound), offering both schemes', async () => {
    const url = await app({ options: options() })
    const { jkt } = await client()
    const token = await kit.valid({ cnf: { jkt } })
    const res = await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${token}` } })
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer realm="api", error="invalid_token", error_description="The token is bound to a key and cannot be used as a plain bearer token", ${RM}, DPoP realm="api", algs="${ALGS}", ${RM}`,
    )
    expect(await problemReason(res)).toBe('token_bound')
  })

  it('RFC 9449 §7.1: refuses Authorization: DPoP without a proof (dpop_proof_missing); no credentials get both bare challenges', async () => {
    const url = await app({ options: options() })
    const token = await kit.dpopBound()
    const res = await fetch(`${url}/api/me`, { headers: { authorization: `DPoP ${token}` } })
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer realm="api", ${RM}, DPoP realm="api", error="invalid_dpop_proof", error_description="The DPoP proof is missing", algs="${ALGS}", ${RM}`,
    )
    expect(await problemReason(res)).toBe('dpop_proof_missing')
    const none = await fetch(`${url}/api/me`)
    expect(none.headers.get('www-authenticate')).toBe(`Bearer realm="api", ${RM}, DPoP realm="api", algs="${ALGS}", ${RM}`)
  })

  it('RFC 9449 §11.1: refuses a replayed proof (dpop_proof_replayed)', async () => {
    const url = await app({ options: options() })
    const token = await kit.dpopBound()
    const headers = { authorization: `DPoP ${token}`, dpop: await kit.dpopProof({ url: `${url}/api/me`, accessToken: token }) }
    expect((await fetch(`${url}/api/me`, { headers })).status).toBe(200)
    const replay = await fetch(`${url}/api/me`, { headers: { ...headers, dpop: kit.replayDpopProof() } })
    expect(replay.status).toBe(401)
    expect(await problemReason(replay)).toBe('dpop_proof_replayed')
  })

  it('RFC 9449 §4.3 (1): refuses two DPoP header fields', async () => {
    const url = await app({ options: options() })
    const token = await kit.dpopBound()
    const proof = await kit.dpopProof({ url: `${url}/api/me`, accessToken: token })
    const res = await rawRequest(`${url}/api/me`, [`Authorization: DPoP ${token}`, `DPoP: ${proof}`, `DPoP: ${proof}`])
    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toContain('DPoP realm="api", error="invalid_dpop_proof"')
  })

  it('RFC 9449 §4.3 (9): behind a trusted proxy the proof names the public URL; an untrusted X-Forwarded-Host changes nothing', async () => {
    const trusted = await app({ options: options(), proxied: true })
    const direct = await app({ options: options() })
    const token = await kit.dpopBound()
    const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example.com' }
    const send = async (base: string) =>
      fetch(`${base}/api/me?page=2`, { headers: { ...forwarded, authorization: `DPoP ${token}`, dpop: await kit.dpopProof({ url: 'https://api.example.com/api/me', accessToken: token }) } })
    const ok = await send(trusted)
    expect(ok.status).toBe(200)
    expect(await ok.json()).toEqual({ sub: 'test-user', scheme: 'DPoP' })
    const refused = await send(direct)
    expect(refused.status).toBe(401)
    expect(await problemReason(refused)).toBe('dpop_request_mismatch')
  })

  it('RFC 9470: requireAuthLevel answers 401 insufficient_user_authentication with acr_values and max_age, on the scheme the token used', async () => {
    const url = await app({ options: options() })
    const now = Math.floor(Date.now() / 1000)
    const weak = await kit.valid({ acr: 'urn:example:password', auth_time: now - 10 })
    const res = await fetch(`${url}/api/step-up`, { headers: { authorization: `Bearer ${weak}` } })
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer realm="api", error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="urn:example:mfa", max_age="300", ${RM}, DPoP realm="api", algs="${ALGS}", ${RM}`,
    )
    expect(await res.json()).toMatchObject({ status: 401, reason: 'insufficient_user_authentication', acr_values: 'urn:example:mfa', max_age: 300 })
    const stale = await kit.dpopBound({ acr: 'urn:example:mfa', auth_time: now - 600 })
    const dpop = await fetch(`${url}/api/step-up`, { headers: { authorization: `DPoP ${stale}`, dpop: await kit.dpopProof({ url: `${url}/api/step-up`, accessToken: stale }) } })
    expect(dpop.status).toBe(401)
    expect(dpop.headers.get('www-authenticate')).toBe(
      `Bearer realm="api", ${RM}, DPoP realm="api", error="insufficient_user_authentication", error_description="A more recent user authentication is required", acr_values="urn:example:mfa", max_age="300", algs="${ALGS}", ${RM}`,
    )
    const strong = await kit.valid({ acr: 'urn:example:mfa', auth_time: now - 10 })
    const passed = await fetch(`${url}/api/step-up`, { headers: { authorization: `Bearer ${strong}` } })
    expect(passed.status).toBe(200)
  })

  it('RFC 9728: serves the protected resource metadata at the well-known URL', async () => {
    const url = await app({ options: options() })
    const res = await fetch(`${url}${METADATA_PATH}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(await res.json()).toEqual({ resource: RESOURCE, authorization_servers: [kit.issuer], bearer_methods_supported: ['header'] })
  })
})
