/**
 * Every preset against tokens of its IdP's documented shape (the test kit's `kit.token({ shape })`),
 * with keys served by a real key server on 127.0.0.1 in the IdP's own format (JWKS,
 * `{ kid: certificate }`, ALB's PEM per kid). The verifier fetches the URLs the preset builds
 * (`routeFetch` answers them locally and records them), and each IdP-specific mistake gets
 * its reason: an ID token where an access token is required, a wrong client, a `tid` that is
 * not the issuer's, another load balancer's token.
 */
import { randomUUID } from 'node:crypto'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer as expressBearer, requireRoles } from '../../src/adapters/express/index.js'
import { createVerifier, type VerifierOptions } from '../../src/index.js'
import { alb, auth0, cognito, CONSUMERS_TENANT, entra, firebase, FIREBASE_CERTIFICATES, google, keycloak, okta } from '../../src/presets/index.js'
import { albKeyId, createTestKit, routeFetch, TEST_ALB_ARN, type JwksServer, type TestKit } from '../../src/testing/index.js'
import { expectReject } from '../helpers/setup.js'
import { listen } from '../adapters/fixtures.js'
import { createServer } from 'node:http'

let rsa: TestKit
let server: JwksServer

beforeAll(async () => {
  rsa = await createTestKit()
  server = await rsa.server()
})
afterAll(() => server.close())

/** A kit with the IdP's issuer and audience, on the shared RS256 key the server publishes. */
const kitFor = (issuer: string, audience: string, scope: string[] = []) => createTestKit({ issuer, audience, scope })

/** A verifier over the preset, fetching its real key URL from the local server. */
function verifierOf(options: VerifierOptions, realUrl: string, localUrl = server.jwksUri) {
  const fetch = routeFetch({ [realUrl]: localUrl })
  return { verify: createVerifier({ ...options, fetch }), fetch }
}

const bearer = (token: string) => `Bearer ${token}`

describe('auth0', () => {
  const issuer = 'https://tokengate-test.eu.auth0.com/'
  const options = auth0({ domain: 'tokengate-test.eu.auth0.com', audience: 'https://api.example.com' })

  it('verifies both token profiles from the tenant JWKS; aud may list userinfo too', async () => {
    const kit = await kitFor(issuer, 'https://api.example.com', ['read:orders'])
    const { verify, fetch } = verifierOf(options, 'https://tokengate-test.eu.auth0.com/.well-known/jwks.json')
    for (const shape of ['auth0', 'auth0-rfc9068'] as const) {
      const auth = await verify(bearer(await kit.token({ shape, permissions: ['delete:orders'] })))
      expect(auth.claims.aud).toEqual(['https://api.example.com', 'https://tokengate-test.eu.auth0.com/userinfo'])
      expect([auth.scopes, auth.permissions]).toEqual([['read:orders'], ['delete:orders']])
    }
    expect(fetch.calls).toEqual(['https://tokengate-test.eu.auth0.com/.well-known/jwks.json'])
  })

  it('never lets an RBAC permission satisfy a scope requirement', async () => {
    const kit = await kitFor(issuer, 'https://api.example.com')
    const { verify } = verifierOf(options, 'https://tokengate-test.eu.auth0.com/.well-known/jwks.json')
    await expectReject(verify(bearer(await kit.token({ shape: 'auth0', permissions: ['delete:orders'] })), { scopes: ['delete:orders'] }), 'insufficient_scope', { status: 403 })
  })

  it('refuses another API, and a domain given as a URL at setup', async () => {
    const kit = await kitFor(issuer, 'https://other-api.example.com')
    const { verify } = verifierOf(options, 'https://tokengate-test.eu.auth0.com/.well-known/jwks.json')
    await expectReject(verify(bearer(await kit.token({ shape: 'auth0' }))), 'audience_invalid')
    expect(() => auth0({ domain: 'https://tokengate-test.eu.auth0.com/', audience: 'x' })).toThrow(
      'tokengate: invalid auth0 option domain: expected a host name such as "my-tenant.example.com"; give the host only, e.g. "tokengate-test.eu.auth0.com"',
    )
  })
})

describe('cognito', () => {
  const pool = 'eu-west-1_AbCdEf123'
  const issuer = `https://cognito-idp.eu-west-1.amazonaws.com/${pool}`
  const jwks = `${issuer}/.well-known/jwks.json`

  it('verifies access tokens (no aud; client_id, token_use checked), groups as roles', async () => {
    const kit = await kitFor(issuer, 'client123', ['orders/read'])
    const { verify, fetch } = verifierOf(cognito({ userPoolId: pool, clientId: 'client123' }), jwks)
    const auth = await verify(bearer(await kit.token({ shape: 'cognito-access', roles: ['admins'] })))
    expect(auth.claims.aud).toBeUndefined()
    expect([auth.claims.client_id, auth.scopes, auth.roles]).toEqual(['client123', ['orders/read'], ['admins']])
    expect(fetch.calls).toEqual([jwks])
  })

  it('refuses an ID token where an access token is required, and another app client: 401 claim_invalid', async () => {
    const kit = await kitFor(issuer, 'client123')
    const { verify } = verifierOf(cognito({ userPoolId: pool, clientId: ['client123', 'client456'] }), jwks)
    const id = await expectReject(verify(bearer(await kit.token({ shape: 'cognito-id' }))), 'claim_invalid', { status: 401 })
    expect(id.claim).toBe('token_use')
    const other = await expectReject(verify(bearer(await kit.token({ shape: 'cognito-access', clientId: 'client789' }))), 'claim_invalid')
    expect(other.claim).toBe('client_id')
    expect((await verify(bearer(await kit.token({ shape: 'cognito-access', clientId: 'client456' })))).claims.client_id).toBe('client456')
  })

  it("takes ID tokens with tokenUse: 'id' (aud is the app client), and refuses access tokens there", async () => {
    const kit = await kitFor(issuer, 'client123')
    const { verify } = verifierOf(cognito({ userPoolId: pool, clientId: 'client123', tokenUse: 'id' }), jwks)
    expect((await verify(bearer(await kit.token({ shape: 'cognito-id' })))).claims.email).toBe('test-user@example.com')
    await expectReject(verify(bearer(await kit.token({ shape: 'cognito-access' }))), 'audience_invalid')
  })

  it('refuses a malformed pool id, a region that is not the pool\'s, and a missing clientId at setup', () => {
    expect(() => cognito({ userPoolId: 'AbCdEf123', clientId: 'x' })).toThrow('tokengate: invalid cognito option userPoolId: expected {region}_{id}')
    expect(() => cognito({ userPoolId: pool, region: 'us-east-1', clientId: 'x' })).toThrow('tokengate: invalid cognito option region: the pool eu-west-1_AbCdEf123 is in eu-west-1, not us-east-1')
    expect(() => cognito({ userPoolId: pool } as never)).toThrow('tokengate: invalid cognito option clientId: required')
  })
})

describe('entra', () => {
  const tid = '72f988bf-86f1-41af-91ab-2d7cd011db47'
  const api = '6e74172b-be56-4843-9ff4-e66a39bb12e3'

  it('verifies v2.0 tokens: scp as scopes, roles as roles, app-only tokens too', async () => {
    const kit = await kitFor(`https://login.microsoftonline.com/${tid}/v2.0`, api, ['Orders.Read'])
    const keys = `https://login.microsoftonline.com/${tid}/discovery/v2.0/keys`
    const { verify, fetch } = verifierOf(entra({ tenant: tid, audience: api }), keys)
    const user = await verify(bearer(await kit.token({ shape: 'entra-v2', roles: ['Orders.Admin'] })))
    expect([user.scopes, user.roles, user.claims.tid]).toEqual([['Orders.Read'], ['Orders.Admin'], tid])
    const app = await verify(bearer(await kit.token({ shape: 'entra-v2-app', roles: ['Jobs.Run'] })))
    expect([app.scopes, app.roles, app.claims.idtyp]).toEqual([[], ['Jobs.Run'], 'app'])
    expect(fetch.calls).toEqual([keys])
    // A v1.0 token (sts.windows.net issuer) is not what a v2.0 API accepts.
    await expectReject(verify(bearer(await kit.token({ shape: 'entra-v1' }))), 'issuer_invalid')
  })

  it('ties iss to tid for organizations: another tenant\'s tid is 401 issuer_invalid; personal accounts are refused', async () => {
    const kit = await kitFor('https://login.microsoftonline.com/{tenantid}/v2.0', api)
    const keys = 'https://login.microsoftonline.com/organizations/discovery/v2.0/keys'
    const { verify } = verifierOf(entra({ tenant: 'organizations', audience: api }), keys)
    const other = randomUUID()
    expect((await verify(bearer(await kit.token({ shape: 'entra-v2', tenantId: other })))).claims.tid).toBe(other)
    const forged = await expectReject(verify(bearer(await kit.token({ shape: 'entra-v2', tenantId: other, claims: { tid: tid } }))), 'issuer_invalid', { status: 401 })
    expect(forged.claim).toBe('tid')
    const personal = await expectReject(verify(bearer(await kit.token({ shape: 'entra-v2', tenantId: CONSUMERS_TENANT }))), 'claim_invalid')
    expect(personal.claim).toBe('tid')
    // common takes them.
    const common = verifierOf(entra({ tenant: 'common', audience: api }), 'https://login.microsoftonline.com/common/discovery/v2.0/keys')
    expect((await common.verify(bearer(await kit.token({ shape: 'entra-v2', tenantId: CONSUMERS_TENANT })))).claims.tid).toBe(CONSUMERS_TENANT)
  })

  it('verifies v1.0 tokens, whose aud may be the App ID URI', async () => {
    const kit = await kitFor(`https://sts.windows.net/${tid}/`, 'api://orders')
    const { verify, fetch } = verifierOf(entra({ tenant: tid, audience: ['api://orders', api], version: 1 }), `https://login.microsoftonline.com/${tid}/discovery/keys`)
    const auth = await verify(bearer(await kit.token({ shape: 'entra-v1', scopes: ['user_impersonation'] })))
    expect([auth.claims.ver, auth.claims.aud, auth.scopes]).toEqual(['1.0', 'api://orders', ['user_impersonation']])
    expect(fetch.calls).toHaveLength(1)
  })

  it('explains at setup that v2.0 audiences are client ids, and that tenants are GUIDs', () => {
    expect(() => entra({ tenant: tid, audience: 'api://orders' })).toThrow("tokengate: invalid entra option audience: v2.0 tokens carry the API's client id (a GUID) as aud")
    expect(() => entra({ tenant: 'contoso.onmicrosoft.com', audience: api })).toThrow('tokengate: invalid entra option tenant: expected a tenant id (a GUID')
  })
})

describe('keycloak', () => {
  const issuer = 'https://sso.example.com/realms/shop'

  it('verifies access tokens with realm and client roles as roles', async () => {
    const kit = await kitFor(issuer, 'orders-api', ['profile', 'email'])
    const certs = `${issuer}/protocol/openid-connect/certs`
    const { verify, fetch } = verifierOf(keycloak({ url: 'https://sso.example.com', realm: 'shop', audience: 'orders-api' }), certs)
    const auth = await verify(bearer(await kit.token({ shape: 'keycloak-access', roles: ['user'], clientRoles: ['orders-admin'] })))
    expect([auth.roles, auth.scopes, auth.claims.typ]).toEqual([['user', 'orders-admin'], ['profile', 'email'], 'Bearer'])
    expect(fetch.calls).toEqual([certs])
  })

  it("refuses ID and refresh tokens (payload typ 'ID' / 'Refresh'): 401 claim_invalid", async () => {
    const kit = await kitFor(issuer, 'orders-api')
    const { verify } = verifierOf(keycloak({ url: 'https://sso.example.com', realm: 'shop', audience: null }), `${issuer}/protocol/openid-connect/certs`)
    for (const shape of ['keycloak-id', 'keycloak-refresh'] as const) {
      const err = await expectReject(verify(bearer(await kit.token({ shape }))), 'claim_invalid', {
        wwwAuthenticate: 'Bearer realm="api", error="invalid_token", error_description="The typ claim does not have an accepted value"',
      })
      expect(err.claim).toBe('typ')
    }
  })

  it('with audience: null, binds tokens to the expected clients through azp when claimValues is extended, not replaced', async () => {
    const kit = await kitFor(issuer, 'orders-api')
    const p = keycloak({ url: 'https://sso.example.com', realm: 'shop', audience: null })
    const { verify } = verifierOf({ ...p, claimValues: { ...p.claimValues, azp: ['web-app'] } }, `${issuer}/protocol/openid-connect/certs`)
    expect((await verify(bearer(await kit.token({ shape: 'keycloak-access', clientId: 'web-app' })))).claims.azp).toBe('web-app')
    const err = await expectReject(verify(bearer(await kit.token({ shape: 'keycloak-access', clientId: 'other-app' }))), 'claim_invalid', { status: 401 })
    expect(err.claim).toBe('azp')
    // The preset's typ check is still there: an ID token of the right client is refused.
    expect((await expectReject(verify(bearer(await kit.token({ shape: 'keycloak-id', clientId: 'web-app' }))), 'claim_invalid')).claim).toBe('typ')
  })
})

describe('okta', () => {
  const issuer = 'https://dev-123456.okta.com/oauth2/default'

  it('verifies custom authorization server tokens: the scp array as scopes, groups as roles, cid checked', async () => {
    const kit = await kitFor(issuer, 'api://default', ['orders:read', 'openid'])
    const { verify, fetch } = verifierOf(okta({ domain: 'dev-123456.okta.com', audience: 'api://default', clientId: 'tokengate-test-client' }), `${issuer}/v1/keys`)
    const auth = await verify(bearer(await kit.token({ shape: 'okta-access', roles: ['Everyone', 'Admins'] })), { scopes: ['orders:read'] })
    expect([auth.scopes, auth.roles]).toEqual([['orders:read', 'openid'], ['Everyone', 'Admins']])
    expect(fetch.calls).toEqual([`${issuer}/v1/keys`])
    const err = await expectReject(verify(bearer(await kit.token({ shape: 'okta-access', clientId: 'another-app' }))), 'claim_invalid')
    expect(err.claim).toBe('cid')
  })
})

describe('google', () => {
  it('accepts both issuer spellings and checks the hosted domain', async () => {
    const kit = await kitFor('https://accounts.google.com', '1234-abc.apps.googleusercontent.com')
    const certs = 'https://www.googleapis.com/oauth2/v3/certs'
    const { verify, fetch } = verifierOf(google({ audience: '1234-abc.apps.googleusercontent.com' }), certs)
    expect((await verify(bearer(await kit.token({ shape: 'google-id' })))).claims.email_verified).toBe(true)
    expect((await verify(bearer(await kit.token({ shape: 'google-id', claims: { iss: 'accounts.google.com' } })))).claims.iss).toBe('accounts.google.com')
    await expectReject(verify(bearer(await kit.token({ shape: 'google-id', claims: { iss: 'https://accounts.google.com.evil.example' } }))), 'issuer_invalid')
    expect(fetch.calls).toEqual([certs])
    const workspace = verifierOf(google({ audience: '1234-abc.apps.googleusercontent.com', hostedDomain: 'example.com' }), certs)
    expect((await workspace.verify(bearer(await kit.token({ shape: 'google-id', claims: { hd: 'example.com' } })))).claims.hd).toBe('example.com')
    await expectReject(workspace.verify(bearer(await kit.token({ shape: 'google-id' }))), 'claim_missing')
    await expectReject(workspace.verify(bearer(await kit.token({ shape: 'google-id', claims: { hd: 'gmail.com' } }))), 'claim_invalid')
  })
})

describe('firebase', () => {
  const issuer = 'https://securetoken.google.com/my-project'

  it("verifies ID tokens with keys from Google's x509 certificate document", async () => {
    const kit = await kitFor(issuer, 'my-project')
    const { verify, fetch } = verifierOf(firebase({ projectId: 'my-project' }), FIREBASE_CERTIFICATES, server.x509Uri)
    const auth = await verify(bearer(await kit.token({ shape: 'firebase-id', claims: { admin: true } })))
    expect([auth.claims.user_id, auth.claims.admin, (auth.claims.firebase as { sign_in_provider: string }).sign_in_provider]).toEqual(['test-user', true, 'password'])
    expect(fetch.calls).toEqual([FIREBASE_CERTIFICATES])
  })

  it('requires auth_time in the past, a non-empty sub, and the project as aud', async () => {
    const kit = await kitFor(issuer, 'my-project')
    const { verify } = verifierOf(firebase({ projectId: 'my-project' }), FIREBASE_CERTIFICATES, server.x509Uri)
    const now = Math.floor(Date.now() / 1000)
    await expectReject(verify(bearer(await kit.token({ shape: 'firebase-id', claims: { auth_time: undefined } }))), 'claim_missing')
    await expectReject(verify(bearer(await kit.token({ shape: 'firebase-id', claims: { auth_time: now + 3600 } }))), 'token_issued_in_future')
    await expectReject(verify(bearer(await kit.token({ shape: 'firebase-id', claims: { sub: '' } }))), 'claim_invalid')
    await expectReject(verify(bearer(await kit.token({ shape: 'firebase-id', claims: { sub: 'x'.repeat(129) } }))), 'claim_invalid')
    const other = await kitFor('https://securetoken.google.com/other-project', 'other-project')
    await expectReject(verify(bearer(await other.token({ shape: 'firebase-id' }))), 'issuer_invalid')
  })
})

describe('alb', () => {
  let es: TestKit
  let albServer: JwksServer
  const idp = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123'
  const keyEndpoint = 'https://public-keys.auth.elb.us-east-1.amazonaws.com'

  beforeAll(async () => {
    es = await createTestKit({ alg: 'ES256', issuer: idp, audience: 'unused' })
    albServer = await es.server()
  })
  afterAll(() => albServer.close())

  const verifier = (extra: Partial<Parameters<typeof alb>[0]> = {}) => {
    const fetch = routeFetch({ [keyEndpoint]: albServer.albKeysUrl })
    return { verify: createVerifier({ ...alb({ albArn: TEST_ALB_ARN, ...extra }), fetch }), fetch }
  }

  it('verifies the padded x-amzn-oidc-data token exactly as received, with the PEM key of its kid', async () => {
    const token = await es.token({ shape: 'alb' })
    const [header, payload] = token.split('.')
    expect(`${header}${payload}`).toMatch(/=/)
    const { verify, fetch } = verifier({ issuer: idp })
    const auth = await verify(token)
    expect([auth.claims.email, auth.claims.email_verified, auth.header.signer]).toEqual(['test-user@example.com', 'true', TEST_ALB_ARN])
    expect(fetch.calls).toEqual([`${keyEndpoint}/${albKeyId(es.key)}`])
    // Re-encoded without the padding, the signature no longer covers what is sent.
    const [h, p, s] = token.split('.')
    await expectReject(verify(`${h!.replace(/=+$/, '')}.${p!.replace(/=+$/, '')}.${s}`), 'signature_invalid')
    // A verifier without allowPadding takes no padded token.
    const strict = createVerifier({ ...alb({ albArn: TEST_ALB_ARN }), allowPadding: false, fetch })
    await expectReject(strict(token), 'token_malformed')
  })

  it("refuses another load balancer's token by its signer, before any key fetch: 401 issuer_invalid", async () => {
    const { verify, fetch } = verifier()
    const other = 'arn:aws:elasticloadbalancing:us-east-1:999999999999:loadbalancer/app/attacker/0123456789abcdef'
    const err = await expectReject(verify(await es.token({ shape: 'alb', albArn: other })), 'issuer_invalid', {
      status: 401,
      wwwAuthenticate: 'Bearer realm="api", error="invalid_token", error_description="The token was not signed by the expected load balancer"',
    })
    expect(err.claim).toBe('signer')
    await expectReject(verify(await es.token({ shape: 'alb', header: { signer: undefined } })), 'issuer_invalid')
    expect(fetch.calls).toEqual([])
  })

  it('holds the header exp (where AWS documents it) as well as the payload exp: 401 token_expired, for a cached token too', async () => {
    let clock = Date.now()
    const verify = createVerifier({ ...alb({ albArn: TEST_ALB_ARN }), fetch: routeFetch({ [keyEndpoint]: albServer.albKeysUrl }), now: () => clock })
    const nowS = Math.floor(clock / 1000)
    await expectReject(verify(await es.token({ shape: 'alb', header: { exp: nowS - 60 } })), 'token_expired', { status: 401 })
    await expectReject(verify(await es.token({ shape: 'alb', header: { exp: String(nowS + 600) } })), 'claim_invalid')
    // Valid for 30 s by its header, an hour by its payload: accepted (then cached), refused once the header's exp has passed.
    const token = await es.token({ shape: 'alb', header: { exp: nowS + 30 } })
    expect((await verify(token)).claims.sub).toBe('test-user')
    clock += 60_000
    await expectReject(verify(token), 'token_expired', { status: 401 })
  })

  it('checks the client when configured: 401 audience_invalid', async () => {
    const { verify } = verifier({ clientId: 'my-alb-client' })
    expect((await verify(await es.token({ shape: 'alb', clientId: 'my-alb-client' }))).claims.sub).toBe('test-user')
    const err = await expectReject(verify(await es.token({ shape: 'alb', clientId: 'someone-else' })), 'audience_invalid')
    expect(err.claim).toBe('client')
  })

  it('fetches nothing for a kid that is not a UUID, remembers an unknown kid, and bounds fetches of new kids', async () => {
    const { verify, fetch } = verifier()
    await expectReject(verify(await es.token({ shape: 'alb', header: { kid: '../../etc/passwd' } })), 'kid_not_found')
    expect(fetch.calls).toEqual([])
    const unknown = await es.token({ shape: 'alb', header: { kid: randomUUID() } })
    for (let i = 0; i < 20; i++) await expectReject(verify(unknown), 'kid_not_found', { status: 401 })
    expect(fetch.calls).toHaveLength(1)
    // A flood of made-up kids: 10 new kids fetched per cooldown (one already spent), then 503.
    const results = []
    for (let i = 0; i < 30; i++) results.push(await verify(await es.token({ shape: 'alb', header: { kid: randomUUID() } })).catch((e: { reason: string }) => e.reason))
    expect(fetch.calls).toHaveLength(10)
    expect(results.filter((r) => r === 'kid_not_found')).toHaveLength(9)
    expect(results.filter((r) => r === 'jwks_unavailable')).toHaveLength(21)
  })

  it('refuses a malformed ARN, ARNs of two regions, and a region that is not the ARN\'s at setup', () => {
    expect(() => alb({ albArn: 'my-alb' })).toThrow('tokengate: invalid alb option albArn: expected an application load balancer ARN')
    const west = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/b/0123456789abcdef'
    expect(() => alb({ albArn: [TEST_ALB_ARN, west] })).toThrow('all load balancers must be in one region')
    expect(() => alb({ albArn: TEST_ALB_ARN, region: 'eu-west-1' })).toThrow('tokengate: invalid alb option region: the load balancers are in us-east-1, not eu-west-1')
  })

  it('works behind Express: bearer() reads the token from x-amzn-oidc-data, and role guards see its claims', async () => {
    const fetch = routeFetch({ [keyEndpoint]: albServer.albKeysUrl })
    const app = express()
    app.use(expressBearer({ ...alb({ albArn: TEST_ALB_ARN }), roleClaims: ['groups'], fetch, sendProblem: true }))
    app.get('/me', (req, res) => void res.json({ email: req.auth!.claims.email }))
    app.get('/admin', requireRoles('admin'), (_req, res) => void res.json({ ok: true }))
    const { url, close } = await listen(createServer(app))
    try {
      const token = await es.token({ shape: 'alb', claims: { groups: ['admin'] } })
      const me = await globalThis.fetch(`${url}/me`, { headers: { 'x-amzn-oidc-data': token } })
      expect([me.status, await me.json()]).toEqual([200, { email: 'test-user@example.com' }])
      expect((await globalThis.fetch(`${url}/admin`, { headers: { 'x-amzn-oidc-data': token } })).status).toBe(200)
      const plain = await es.token({ shape: 'alb' })
      expect((await globalThis.fetch(`${url}/admin`, { headers: { 'x-amzn-oidc-data': plain } })).status).toBe(403)
      // An Authorization header is not where this verifier looks.
      const missing = await globalThis.fetch(`${url}/me`, { headers: { authorization: `Bearer ${token}` } })
      expect([missing.status, missing.headers.get('www-authenticate')]).toEqual([401, 'Bearer realm="api"'])
    } finally {
      await close()
    }
  })
})

describe('presets as options', () => {
  it('work as is, spread and overridden (tests point the key source at a local server)', async () => {
    const kit = await kitFor('https://dev-123456.okta.com/oauth2/default', 'api://default')
    const verify = createVerifier({ ...okta({ domain: 'dev-123456.okta.com', audience: 'api://default' }), jwksUri: server.jwksUri, clockTolerance: '30s', realm: 'orders' })
    expect(verify.realm).toBe('orders')
    expect((await verify(bearer(await kit.token({ shape: 'okta-access' })))).claims.cid).toBe('tokengate-test-client')
  })

  it('return plain options naming the documented endpoints', () => {
    expect(cognito({ userPoolId: 'eu-west-1_AbCdEf123', clientId: 'c' })).toMatchObject({
      issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123',
      audience: null,
      jwksUri: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123/.well-known/jwks.json',
      claimValues: { token_use: 'access', client_id: ['c'] },
      roleClaims: ['cognito:groups'],
    })
    // null opts out explicitly, and stays null.
    expect(cognito({ userPoolId: 'eu-west-1_AbCdEf123', clientId: null })).toMatchObject({ audience: null, claimValues: { token_use: 'access' } })
    expect(cognito({ userPoolId: 'eu-west-1_AbCdEf123', clientId: null }).claimValues).not.toHaveProperty('client_id')
    expect(keycloak({ url: 'https://sso.example.com', realm: 'shop', audience: null })).toMatchObject({ audience: null, roleClaims: ['realm_access.roles'] })
    expect(keycloak({ url: 'https://sso.example.com/auth/', realm: 'shop', audience: 'api' })).toMatchObject({
      issuer: 'https://sso.example.com/auth/realms/shop',
      jwksUri: 'https://sso.example.com/auth/realms/shop/protocol/openid-connect/certs',
      roleClaims: ['realm_access.roles', ['resource_access', 'api', 'roles']],
    })
    expect(firebase({ projectId: 'p' })).toMatchObject({ issuer: 'https://securetoken.google.com/p', audience: 'p', x509Uri: FIREBASE_CERTIFICATES })
    expect(entra({ tenant: 'common', audience: '6e74172b-be56-4843-9ff4-e66a39bb12e3' })).toMatchObject({ issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0' })
    expect(alb({ albArn: TEST_ALB_ARN })).toMatchObject({ header: 'x-amzn-oidc-data', allowPadding: true, algorithms: ['ES256'], issuer: null, audience: null })
  })
})
