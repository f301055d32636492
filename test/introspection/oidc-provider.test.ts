/**
 * Introspection against a real authorization server: oidc-provider on 127.0.0.1 issues opaque
 * access tokens (client_credentials), introspects and revokes them. The verifier's clock is
 * moved forward to end cache entries; the server keeps real time.
 */
import express from 'express'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer as expressBearer, requireScopes } from '../../src/adapters/express/index.js'
import { createVerifier, type VerifierEvent, type VerifierOptions } from '../../src/index.js'
import { expectReject } from '../helpers/setup.js'
import { CLIENT, RESOURCE, startAuthorizationServer, type AuthorizationServer } from './authorization-server.js'

let as: AuthorizationServer
beforeAll(async () => {
  as = await startAuthorizationServer()
}, 30_000)
afterAll(() => as.close())

function clock() {
  let offset = 0
  return { now: () => Date.now() + offset, advance: (seconds: number) => void (offset += seconds * 1000) }
}

const options = (extra: Partial<VerifierOptions> = {}): VerifierOptions =>
  ({
    issuer: as.issuer,
    audience: RESOURCE,
    introspection: { endpoint: as.introspectionEndpoint, clientId: CLIENT.id, clientSecret: CLIENT.secret },
    ...extra,
  }) as VerifierOptions

describe('introspection against oidc-provider', () => {
  it('accepts an opaque token the server calls active, with its claims and scopes', async () => {
    const { access_token: token } = await as.token('read')
    expect(token.split('.')).toHaveLength(1)
    const auth = await createVerifier(options())(`Bearer ${token}`, { scopes: ['read'] })
    expect(auth.kind).toBe('introspected')
    expect(auth.token).toBe(token)
    expect(auth.scopes).toEqual(['read'])
    expect(auth.claims).toMatchObject({ client_id: CLIENT.id, iss: as.issuer, scope: 'read', token_type: 'Bearer' })
    expect(auth.claims.exp).toBeGreaterThan(Date.now() / 1000 + 500)
  })

  it('authenticates with client_secret_post too', async () => {
    const { access_token: token } = await as.token('read')
    const verify = createVerifier(options({ introspection: { endpoint: as.introspectionEndpoint, clientId: `${CLIENT.id}-post`, clientSecret: CLIENT.secret, clientAuth: 'client_secret_post' } }))
    expect((await verify(`Bearer ${token}`)).claims.client_id).toBe(CLIENT.id)
  })

  it('sees a revocation at the server once the cache entry ends, not before', async () => {
    const c = clock()
    const verify = createVerifier(options({ now: c.now, introspection: { endpoint: as.introspectionEndpoint, clientId: CLIENT.id, clientSecret: CLIENT.secret, cache: { ttl: '30s' } } }))
    const { access_token: token } = await as.token('read write')
    const before = as.introspections()
    await verify(`Bearer ${token}`)
    await as.revoke(token)
    // Within the ttl: answered from the cache, the server is not asked.
    c.advance(29)
    expect((await verify(`Bearer ${token}`)).kind).toBe('introspected')
    expect(as.introspections() - before).toBe(1)
    // The entry has ended: the server says inactive.
    c.advance(2)
    await expectReject(verify(`Bearer ${token}`), 'token_inactive', { status: 401 })
    expect(as.introspections() - before).toBe(2)
  })

  it('never reuses an answer past the token\'s exp, whatever the ttl', async () => {
    const c = clock()
    const verify = createVerifier(options({ now: c.now, introspection: { endpoint: as.introspectionEndpoint, clientId: CLIENT.id, clientSecret: CLIENT.secret, cache: { ttl: '1h' } } }))
    const { access_token: token, expires_in } = await as.token('read')
    await verify(`Bearer ${token}`)
    // Past exp + the 5 s tolerance on the verifier's clock: the entry is gone, and the server's
    // answer (still active on its own clock) is refused by the exp check.
    c.advance(expires_in + 6)
    await expectReject(verify(`Bearer ${token}`), 'token_expired')
  })

  it('answers an unknown token with 401 token_inactive', async () => {
    await expectReject(createVerifier(options())('Bearer not-a-token-this-server-issued'), 'token_inactive', {
      status: 401,
      wwwAuthenticate: 'Bearer realm="api", error="invalid_token", error_description="The token is not active"',
    })
  })

  it('answers 503 introspection_unavailable when the server refuses our client credentials', async () => {
    const { access_token: token } = await as.token('read')
    const events: VerifierEvent[] = []
    const verify = createVerifier(options({ introspection: { endpoint: as.introspectionEndpoint, clientId: CLIENT.id, clientSecret: 'wrong-secret' }, onEvent: (e) => void events.push(e) }))
    await expectReject(verify(`Bearer ${token}`), 'introspection_unavailable', { status: 503 })
    expect(events.filter((e) => e.type.startsWith('introspection'))).toEqual([{ type: 'introspection_error', endpoint: as.introspectionEndpoint, code: 'http_status', error: 'HTTP 401' }])
  })

  it('verifies the server\'s JWT access tokens locally (discovery) and never introspects them', async () => {
    const verify = createVerifier(options({ discovery: true, introspection: { clientId: CLIENT.id, clientSecret: CLIENT.secret } }))
    const { access_token: jwt } = await as.token('read write', { resource: RESOURCE })
    const { access_token: opaque } = await as.token('read')
    const before = as.introspections()
    const a = await verify(`Bearer ${jwt}`, { scopes: ['write'] })
    expect(a.kind).toBe('jwt')
    expect(as.introspections()).toBe(before)
    // The opaque one goes to the endpoint named in the server's metadata.
    const b = await verify(`Bearer ${opaque}`)
    expect(b.kind).toBe('introspected')
    expect(as.introspections()).toBe(before + 1)
  })

  it('guards work as for JWTs: requireScopes in Express answers 403 for an introspected token', async () => {
    const app = express()
    app.use(expressBearer({ ...options(), sendProblem: true }))
    app.get('/read', requireScopes('read'), (req, res) => void res.json({ kind: req.auth!.kind, client: req.auth!.claims.client_id }))
    app.get('/write', requireScopes('write'), (_req, res) => void res.json({ ok: true }))
    const server = app.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      const { access_token: token } = await as.token('read')
      const read = await fetch(`${url}/read`, { headers: { authorization: `Bearer ${token}` } })
      expect(read.status).toBe(200)
      expect(await read.json()).toEqual({ kind: 'introspected', client: CLIENT.id })
      const write = await fetch(`${url}/write`, { headers: { authorization: `Bearer ${token}` } })
      expect(write.status).toBe(403)
      expect(write.headers.get('www-authenticate')).toBe('Bearer realm="api", error="insufficient_scope", error_description="The token lacks a required scope", scope="write"')
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
