/**
 * The demo's auth service: the embedded issuer (`tokengate/issuer`) over real HTTP on
 * 127.0.0.1 — a JWKS to publish, a token endpoint (login and refresh, DPoP-bound when the
 * request carries a `DPoP` proof), and revocation.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createIssuer, IssuerError, toTokenResponse, type Issuer } from '../../src/issuer/index.js'

export interface AuthServer {
  readonly url: string
  readonly jwksUri: string
  readonly issuer: Issuer
  /** Moves the issuer's clock (seconds), to mint tokens that are already expired. */
  shiftClock(seconds: number): void
  close(): Promise<void>
}

async function body(req: IncomingMessage): Promise<Record<string, string>> {
  let text = ''
  for await (const chunk of req) text += chunk
  return Object.fromEntries(new URLSearchParams(text))
}

function send(res: ServerResponse, status: number, json: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers })
  res.end(JSON.stringify(json))
}

export async function startAuthServer(options: { issuer: string; audience: string }): Promise<AuthServer> {
  let offset = 0
  // Built once the port is known: DPoP proofs name the token endpoint's URL.
  let issuer: Issuer
  const server = createServer(async (req, res) => {
    try {
      if (req.method === 'GET' && req.url === '/.well-known/jwks.json') {
        return send(res, 200, await issuer.jwks(), { 'cache-control': 'public, max-age=300' })
      }
      if (req.method === 'POST' && req.url === '/token') {
        const form = await body(req)
        // RFC 9449 §5: a proof in the DPoP header binds the pair to the client's key.
        const proof = req.headers.dpop
        const bind = proof === undefined ? {} : { dpop: { proof } }
        if (form.grant_type === 'refresh_token') return send(res, 200, toTokenResponse(await issuer.refresh(form.refresh_token ?? '', bind)))
        // A demo "login": any username, with the scopes, roles and plan it asks for. Check passwords
        // (and look roles up) in yours.
        const roles = (form.roles ?? '').split(',').filter(Boolean)
        const claims = form.plan ? { plan: form.plan } : {}
        const pair = await issuer.issue({ sub: form.username ?? 'alice', scopes: (form.scope ?? '').split(' ').filter(Boolean), roles, claims }, bind)
        return send(res, 200, toTokenResponse(pair))
      }
      if (req.method === 'POST' && req.url === '/revocation-status') {
        // For APIs in other processes (the Next.js example): the same check as `issuer.isRevoked`.
        let text = ''
        for await (const chunk of req) text += chunk
        return send(res, 200, { revoked: await issuer.isRevoked(JSON.parse(text)) })
      }
      if (req.method === 'POST' && req.url === '/revoke') {
        await issuer.revoke((await body(req)).token ?? '') // RFC 7009: 200 whatever the token was
        return send(res, 200, {})
      }
      send(res, 404, { error: 'not_found' })
    } catch (err) {
      if (IssuerError.is(err)) return send(res, err.status, { ...err.toJSON(), reason: err.reason })
      send(res, 500, { error: 'server_error' })
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  issuer = createIssuer({ ...options, accessTtl: '15m', refreshTtl: '7d', now: () => Date.now() + offset * 1000, tokenEndpoint: `${url}/token` })
  return {
    url,
    jwksUri: `${url}/.well-known/jwks.json`,
    issuer,
    shiftClock: (seconds) => void (offset = seconds),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
