/**
 * End to end with independent OAuth software on both sides of tokengate: panva's
 * oidc-provider as the authorization server (discovery, JWKS, DPoP-bound JWT access tokens with
 * `cnf.jkt`) and oauth4webapi as the client (client_credentials with DPoP, then DPoP requests
 * to a tokengate-protected Express API that asks for a nonce).
 */
import express from 'express'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as oauth from 'oauth4webapi'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer } from '../../src/adapters/express/index.js'
import { CLIENT, RESOURCE, startProvider, type Provider } from './provider.js'

const insecure = { [oauth.allowInsecureRequests]: true } as const

let op: Provider
let api: { url: string; close(): Promise<void> }
let as: oauth.AuthorizationServer

beforeAll(async () => {
  op = await startProvider()
  const issuer = new URL(op.issuer)
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure))
  const app = express()
  // Keys from the provider's discovery document; DPoP with server nonces.
  app.use('/api', bearer({ issuer: op.issuer, audience: RESOURCE, discovery: true, typ: 'at+jwt', dpop: { nonce: true }, sendProblem: true }))
  app.get('/api/whoami', (req, res) => void res.json({ client_id: req.auth!.claims.client_id, scopes: req.auth!.scopes, scheme: req.auth!.scheme }))
  const server = createServer(app)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  api = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) }
}, 30_000)

afterAll(async () => {
  await api?.close()
  await op?.close()
})

async function token(DPoP?: oauth.DPoPHandle): Promise<oauth.TokenEndpointResponse> {
  const client = { client_id: CLIENT.client_id }
  const res = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic(CLIENT.client_secret), { scope: 'read write', resource: RESOURCE }, { ...(DPoP ? { DPoP } : {}), ...insecure })
  return oauth.processClientCredentialsResponse(as, client, res)
}

describe('oidc-provider → oauth4webapi → tokengate', () => {
  it('serves a DPoP-bound access token from oidc-provider, with the client answering the nonce challenge (RFC 9449 §7.1, §9)', async () => {
    const DPoP = oauth.DPoP({}, await oauth.generateKeyPair('ES256'))
    const tokens = await token(DPoP)
    expect(tokens.token_type).toBe('dpop')
    const call = () => oauth.protectedResourceRequest(tokens.access_token, 'GET', new URL(`${api.url}/api/whoami`), new Headers(), null, { DPoP, ...insecure })
    let challenge: unknown
    try {
      await call()
    } catch (err) {
      challenge = err
    }
    expect(oauth.isDPoPNonceError(challenge)).toBe(true)
    const res = await call()
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ client_id: CLIENT.client_id, scopes: ['read', 'write'], scheme: 'DPoP' })
  })

  it('refuses that token without its key: as Bearer (token_bound), and with a proof from another key (dpop_key_mismatch)', async () => {
    const DPoP = oauth.DPoP({}, await oauth.generateKeyPair('ES256'))
    const tokens = await token(DPoP)
    const asBearer = await fetch(`${api.url}/api/whoami`, { headers: { authorization: `Bearer ${tokens.access_token}` } })
    expect(asBearer.status).toBe(401)
    expect(((await asBearer.json()) as { reason: string }).reason).toBe('token_bound')
    const thief = oauth.DPoP({}, await oauth.generateKeyPair('ES256'))
    const call = () => oauth.protectedResourceRequest(tokens.access_token, 'GET', new URL(`${api.url}/api/whoami`), new Headers(), null, { DPoP: thief, ...insecure })
    let refused: unknown
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await call()
      } catch (err) {
        refused = err
        if (!oauth.isDPoPNonceError(err)) break
      }
    }
    expect(refused).toBeInstanceOf(oauth.WWWAuthenticateChallengeError)
    const challenge = (refused as oauth.WWWAuthenticateChallengeError).cause.find((c) => c.scheme === 'dpop')!
    expect(challenge.parameters.error).toBe('invalid_token')
    expect(challenge.parameters.error_description).toBe('The DPoP proof key does not match the token binding')
  })

  it('serves a plain Bearer token from the same provider', async () => {
    const tokens = await token()
    expect(tokens.token_type).toBe('bearer')
    const res = await oauth.protectedResourceRequest(tokens.access_token, 'GET', new URL(`${api.url}/api/whoami`), new Headers(), null, insecure)
    expect(await res.json()).toEqual({ client_id: CLIENT.client_id, scopes: ['read', 'write'], scheme: 'Bearer' })
  })
})
