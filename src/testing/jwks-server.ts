/**
 * @module
 * A real JWKS and discovery server on 127.0.0.1 (ephemeral port) for tests: serves a kit's
 * keys live (so `kit.rotate()` shows up on the next fetch) as a JWKS, as a `{ kid: certificate }`
 * document (Google, Firebase) and as ALB-style PEM files per kid, counts requests, and has fault
 * switches — down, slow, any HTTP status — to test what a verifier does when keys are
 * unreachable. Plain promises: works under vitest, jest and node:test alike.
 */
import { ConfigError } from '../errors/config-error.js'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { toSeconds, type Duration } from '../lib/duration.js'
import type { JSONWebKeySet } from '../keys/local-jwks.js'

/** What the server publishes: a key set, or anything with a live `jwks` (a test kit). */
export interface KeyPublisher {
  readonly jwks: JSONWebKeySet
  readonly issuer?: string
  /** Replaces the published key (a test kit's `rotate()`). */
  rotate?(): Promise<unknown>
  /** The keys as `{ kid: PEM certificate }` (a test kit's), served at `x509Uri`. */
  certificates?(): Promise<Record<string, string>>
  /** The keys as `{ kid: PEM public key }` (a test kit's, ALB-style UUID kids), served at `{albKeysUrl}/{kid}`. */
  albPublicKeys?(): Record<string, string>
}

/** Options of `startJwksServer`. */
export interface JwksServerOptions {
  /** Serve this kit's keys, read on every request. */
  readonly kit?: KeyPublisher
  /** Or a fixed key set (replace it with `publish`). Default `{ keys: [] }`. */
  readonly jwks?: JSONWebKeySet
  /** `issuer` in the discovery document. Default: the kit's issuer, else the server's own URL. */
  readonly issuer?: string
  /** `Cache-Control` of JWKS responses. Default: none sent. */
  readonly cacheControl?: string
}

/** Request counters, by document. */
export interface JwksServerRequests {
  readonly jwks: number
  readonly discovery: number
  /** Requests for the `{ kid: certificate }` document. */
  readonly x509: number
  /** Requests for ALB-style per-kid PEM keys, found or not. */
  readonly alb: number
}

/** A running JWKS server. Stop it with `close()`; it never keeps the process alive on its own. */
export interface JwksServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string
  /** `<url>/.well-known/jwks.json`. */
  readonly jwksUri: string
  /** `<url>/.well-known/openid-configuration` (also served at `oauth-authorization-server`, RFC 8414). */
  readonly discoveryUri: string
  /** `<url>/x509`: the kit's keys as `{ kid: PEM certificate }` (Google and Firebase's format; `x509Uri`). */
  readonly x509Uri: string
  /** `<url>/alb`: the kit's keys as AWS ALB serves them, one PEM per kid at `<albKeysUrl>/<kid>` (the `alb` preset's `keysUrl`). */
  readonly albKeysUrl: string
  /** The `issuer` the discovery document names. */
  readonly issuer: string
  /** Requests answered (or held, or failed) so far. */
  readonly requests: JwksServerRequests
  /** Serves another kit or key set from the next request on. */
  publish(source: KeyPublisher | JSONWebKeySet): void
  /** Rotates the kit's key (`kit.rotate()`); the next fetch sees the new set. */
  rotate(): Promise<void>
  /** Fault: every connection is reset (TCP RST), new and open ones: clients fail at once with ECONNRESET. */
  down(): void
  /** Fault: responses are held for `delay` (default `'30s'`) before being sent. */
  slow(delay?: Duration): void
  /** Fault: every request is answered with `status` (default 500). */
  fail(status?: number): void
  /** Clears any fault. */
  heal(): void
  /** Stops listening and drops every connection, held responses included. Idempotent. */
  close(): Promise<void>
}

type Fault = { readonly kind: 'down' } | { readonly kind: 'slow'; readonly ms: number } | { readonly kind: 'status'; readonly status: number }

const JWKS_PATH = '/.well-known/jwks.json'
const X509_PATH = '/x509'
const ALB_PREFIX = '/alb/'
const DISCOVERY_PATHS = new Set(['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'])

/**
 * Starts a JWKS + discovery server on 127.0.0.1 with an ephemeral port.
 *
 * Import from `tokengate/testing`.
 *
 * @example
 * const server = await startJwksServer({ kit })
 * const verify = createVerifier({ issuer: kit.issuer, audience: kit.audience, jwksUri: server.jwksUri })
 * server.down() // next key fetch fails: 503 jwks_unavailable
 * await server.close()
 */
export async function startJwksServer(options: JwksServerOptions = {}): Promise<JwksServer> {
  let source: KeyPublisher = options.kit ?? { jwks: options.jwks ?? { keys: [] } }
  let fault: Fault | undefined
  let closed: Promise<void> | undefined
  const counts = { jwks: 0, discovery: 0, x509: 0, alb: 0 }
  const held = new Set<NodeJS.Timeout>()
  const sockets = new Set<Socket>()

  function answer(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    if (req.method !== 'GET') return void res.writeHead(405, { allow: 'GET' }).end()
    if (fault?.kind === 'status') return void res.writeHead(fault.status, { 'content-type': 'text/plain' }).end('injected fault')
    if (path === X509_PATH) return void x509(res)
    if (path.startsWith(ALB_PREFIX)) {
      const pem = source.albPublicKeys?.()[path.slice(ALB_PREFIX.length)]
      // S3 and the ALB key endpoint answer 403 for a key that does not exist.
      if (pem === undefined) return void res.writeHead(403, { 'content-type': 'text/plain' }).end('no such key')
      return void res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(pem)
    }
    let body: unknown
    if (path === JWKS_PATH) body = source.jwks
    else if (DISCOVERY_PATHS.has(path)) body = discovery()
    else return void res.writeHead(404).end()
    const headers: Record<string, string> = { 'content-type': path === JWKS_PATH ? 'application/jwk-set+json' : 'application/json' }
    if (path === JWKS_PATH && options.cacheControl) headers['cache-control'] = options.cacheControl
    res.writeHead(200, headers).end(JSON.stringify(body))
  }

  function x509(res: ServerResponse): void {
    if (!source.certificates) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('publish a test kit to serve certificates')
    source.certificates().then(
      (document) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' }
        if (options.cacheControl) headers['cache-control'] = options.cacheControl
        res.writeHead(200, headers).end(JSON.stringify(document))
      },
      () => res.writeHead(500).end(),
    )
  }

  function discovery(): Record<string, unknown> {
    const algs = [...new Set(source.jwks.keys.map((k) => (k as { alg?: unknown }).alg).filter((a) => typeof a === 'string'))]
    return {
      issuer: server.issuer,
      jwks_uri: server.jwksUri,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: algs,
    }
  }

  const http = createServer((req, res) => {
    if (fault?.kind === 'down') return void req.socket.resetAndDestroy()
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    if (path === JWKS_PATH) counts.jwks++
    else if (DISCOVERY_PATHS.has(path)) counts.discovery++
    else if (path === X509_PATH) counts.x509++
    else if (path.startsWith(ALB_PREFIX)) counts.alb++
    if (fault?.kind !== 'slow') return answer(req, res)
    const timer = setTimeout(() => {
      held.delete(timer)
      answer(req, res)
    }, fault.ms)
    held.add(timer)
  })
  http.on('connection', (socket) => {
    // A TCP reset fails the client at once; a plain close makes undici's fetch wait for its timeout.
    if (fault?.kind === 'down') return void socket.resetAndDestroy()
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(0, '127.0.0.1', () => {
      http.off('error', reject)
      resolve()
    })
  })
  http.unref()
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`

  const dropConnections = (reset: boolean) => {
    for (const socket of sockets) {
      if (reset) socket.resetAndDestroy()
      else socket.destroy()
    }
  }
  const server: JwksServer = {
    url,
    jwksUri: `${url}${JWKS_PATH}`,
    discoveryUri: `${url}/.well-known/openid-configuration`,
    x509Uri: `${url}${X509_PATH}`,
    albKeysUrl: `${url}${ALB_PREFIX.slice(0, -1)}`,
    get issuer() {
      return options.issuer ?? source.issuer ?? `${url}/`
    },
    requests: counts,
    publish(next) {
      source = Array.isArray((next as JSONWebKeySet).keys) ? { jwks: next as JSONWebKeySet } : (next as KeyPublisher)
    },
    async rotate() {
      if (!source.rotate) throw new ConfigError('testing', 'rotate()', 'this server publishes a fixed key set; publish() a new one instead')
      await source.rotate()
    },
    down() {
      fault = { kind: 'down' }
      dropConnections(true)
    },
    slow(delay = '30s') {
      fault = { kind: 'slow', ms: toSeconds(delay) * 1000 }
    },
    fail(status = 500) {
      if (!Number.isInteger(status) || status < 100 || status > 599) throw new ConfigError('testing', 'fail(status)', `expected an HTTP status (100-599), got ${status}`)
      fault = { kind: 'status', status }
    },
    heal() {
      fault = undefined
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const timer of held) clearTimeout(timer)
        held.clear()
        http.close(() => resolve())
        dropConnections(false)
      })
      return closed
    },
  }
  return server
}
