import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateSigningKey } from '../testing/keys.js'
import { signToken } from '../testing/tokens.js'
import { bearer, claims, expectReject, now } from '../../test/helpers/setup.js'
import { verifyBearer } from './verify-bearer.js'

const key = await generateSigningKey('ES256', { kid: 'one-shot' })
let server: Server
let requests = 0
let uri: string

beforeAll(async () => {
  server = createServer((_req, res) => {
    requests++
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ keys: [key.publicJwk] }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe('verifyBearer (one-shot)', () => {
  it('verifies against a remote JWKS and builds the verifier once per options object', async () => {
    const options = { issuer: 'https://idp.example.com/', audience: 'https://api.example.com', jwksUri: uri, now, scopes: ['read'] }
    requests = 0
    for (let i = 0; i < 5; i++) {
      const auth = await verifyBearer(bearer(await signToken(key, claims({ scope: 'read' }))), options)
      expect(auth.claims.sub).toBe('user-1')
    }
    expect(requests).toBe(1)
  })

  it('applies the per-call scopes of the options', async () => {
    const options = { issuer: 'https://idp.example.com/', audience: 'https://api.example.com', jwksUri: uri, now, scopes: ['admin'] }
    await expectReject(verifyBearer(bearer(await signToken(key, claims({ scope: 'read' }))), options), 'insufficient_scope', {
      status: 403,
    })
  })

  it('answers 503 jwks_unavailable, not 401, when the key server is unreachable', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const options = { issuer: 'https://idp.example.com/', audience: 'https://api.example.com', jwksUri: `http://127.0.0.1:${port}/jwks`, now }
    await expectReject(verifyBearer(bearer(await signToken(key, claims())), options), 'jwks_unavailable', {
      status: 503,
      wwwAuthenticate: undefined,
    })
  })

  it('throws a TypeError for bad options, not a BearerError', async () => {
    expect(() => verifyBearer('Bearer x', { issuer: 'i', audience: 'a' } as never)).toThrow(TypeError)
  })
})
