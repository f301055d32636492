/**
 * tokengate/lambda with the events API Gateway documents (typed with @types/aws-lambda):
 * REST TOKEN and REQUEST authorizers, HTTP API payload 2.0 authorizers, proxy integrations
 * v1 and v2 — and the same request/answer table as every adapter, translated to what API
 * Gateway does with an authorizer's answer. Keys come from a real JWKS server where the key
 * cache is the point (warm and cold containers).
 */
import type {
  APIGatewayAuthorizerResult,
  APIGatewayEventIdentity,
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  APIGatewayRequestAuthorizerEvent,
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
  APIGatewayTokenAuthorizerEvent,
} from 'aws-lambda'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createAuthorizer, requireAnyRole, requireAnyScope, requireClaim, requirePermissions, requireRoles, requireScopes, withBearer, type AuthorizerOptions } from '../../src/adapters/lambda/index.js'
import { BearerError, type BearerAuth } from '../../src/index.js'
import { json, startKeyServer, type KeyServer } from '../jwks/jwks-server.js'
import { adapterFixture, appOptions, CHALLENGE, CLAIM_DESCRIPTION, downOptions, failureCases, GUARDED_ROUTES, isGlobex, SEEN, type AdapterFixture, type Expected } from './fixtures.js'

const ARN = 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/GET/api/me'
const ROUTE_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/$default/GET/api/me'
const STAGE = 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/*'

const identity = (sourceIp: string): APIGatewayEventIdentity => ({
  accessKey: null, accountId: null, apiKey: null, apiKeyId: null, caller: null, clientCert: null, cognitoAuthenticationProvider: null,
  cognitoAuthenticationType: null, cognitoIdentityId: null, cognitoIdentityPoolId: null, principalOrgId: null, sourceIp, user: null,
  userAgent: 'test', userArn: null,
})

function splitPath(path: string) {
  const [rawPath, rawQuery = ''] = path.split('?') as [string, string?]
  return { rawPath, rawQuery, query: rawQuery ? Object.fromEntries(new URLSearchParams(rawQuery)) : null }
}
/** Headers as a client sent them (v1 keeps the casing). */
const headersOf = (init: RequestInit) => ({ ...(init.headers as Record<string, string> | undefined) })
const capitalised = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.replace(/(^|-)[a-z]/g, (c) => c.toUpperCase()), v]))

const tokenEvent = (authorizationToken: string): APIGatewayTokenAuthorizerEvent => ({ type: 'TOKEN', methodArn: ARN, authorizationToken })

function requestEvent(path: string, init: RequestInit = {}): APIGatewayRequestAuthorizerEvent {
  const headers = capitalised(headersOf(init))
  const { rawPath, query } = splitPath(path)
  return {
    type: 'REQUEST', methodArn: ARN, resource: rawPath, path: rawPath, httpMethod: init.method ?? 'GET', headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])), pathParameters: null,
    queryStringParameters: query, multiValueQueryStringParameters: null, stageVariables: null,
    requestContext: {
      accountId: '123456789012', apiId: 'a1b2c3d4e5', authorizer: undefined, httpMethod: init.method ?? 'GET', identity: identity('203.0.113.7'),
      path: `/prod${rawPath}`, protocol: 'HTTP/1.1', requestId: 'req-1', requestTimeEpoch: 1_767_225_600_000, resourceId: 'r1', resourcePath: rawPath, stage: 'prod',
    },
  }
}

function httpApiEvent(path: string, init: RequestInit = {}): APIGatewayRequestAuthorizerEventV2 {
  const { rawPath, rawQuery, query } = splitPath(path)
  const method = init.method ?? 'GET'
  return {
    version: '2.0', type: 'REQUEST', routeArn: ROUTE_ARN, identitySource: [], routeKey: `${method} ${rawPath}`, rawPath, rawQueryString: rawQuery, cookies: [],
    headers: headersOf(init), ...(query ? { queryStringParameters: query } : {}),
    requestContext: v2Context(method, rawPath),
  }
}

function v2Context(method: string, path: string): APIGatewayProxyEventV2['requestContext'] {
  return {
    accountId: '123456789012', apiId: 'a1b2c3d4e5', domainName: 'a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com', domainPrefix: 'a1b2c3d4e5',
    http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'test' },
    requestId: 'req-1', routeKey: `${method} ${path}`, stage: '$default', time: '01/Jan/2026:00:00:00 +0000', timeEpoch: 1_767_225_600_000,
  }
}

function proxyV1(path: string, init: RequestInit = {}): APIGatewayProxyEvent {
  const { body: _body, ...rest } = requestEvent(path, init) as APIGatewayRequestAuthorizerEvent & { body?: unknown }
  const { type: _type, methodArn: _arn, ...event } = rest
  return { ...event, headers: event.headers ?? {}, multiValueHeaders: event.multiValueHeaders ?? {}, body: null, isBase64Encoded: false } as APIGatewayProxyEvent
}

function proxyV2(path: string, init: RequestInit = {}): APIGatewayProxyEventV2 {
  const { rawPath, rawQuery, query } = splitPath(path)
  const method = init.method ?? 'GET'
  return {
    version: '2.0', routeKey: `${method} ${rawPath}`, rawPath, rawQueryString: rawQuery, headers: headersOf(init),
    ...(query ? { queryStringParameters: query } : {}), requestContext: v2Context(method, rawPath), isBase64Encoded: false,
  }
}

/** What API Gateway makes of an authorizer's answer: 401 for a thrown `Unauthorized`, 403 for a Deny, 500 for any other throw. */
async function gateway(run: () => Promise<APIGatewayAuthorizerResult | { isAuthorized: boolean }>): Promise<{ status: number; result?: unknown; error?: unknown }> {
  try {
    const result = await run()
    const allowed = 'isAuthorized' in result ? result.isAuthorized : result.policyDocument.Statement.every((s) => s.Effect === 'Allow')
    return { status: allowed ? 200 : 403, result }
  } catch (error) {
    return { status: error instanceof Error && error.message === 'Unauthorized' ? 401 : 500, error }
  }
}

/** The status API Gateway answers when the authorizer gets a request the table answers with `expected`. */
const authorizerStatus = (expected: Expected) => (expected.status === 400 ? 401 : expected.status === 503 ? 500 : expected.status)

const seen = (a: BearerAuth | undefined) => ({ sub: a?.claims.sub, tenant: a?.claims.tenant, scopes: a?.scopes })

describe('tokengate/lambda', () => {
  let f: AdapterFixture
  let authorizers: Record<string, ReturnType<typeof createAuthorizer>>
  let proxies: Record<string, (event: APIGatewayProxyEvent | APIGatewayProxyEventV2, context: unknown) => Promise<unknown>>
  const route = (path: string) => splitPath(path).rawPath

  beforeAll(async () => {
    f = await adapterFixture()
    const app = appOptions(f)
    const table: Record<string, AuthorizerOptions> = {
      '/api/me': app,
      '/api/orders': { ...app, guards: [requireScopes('read:orders')] },
      '/api/any': { ...app, guards: [requireAnyScope('admin', 'read:orders')] },
      '/api/admin': { ...app, guards: [requireRoles('admin')] },
      '/api/editor': { ...app, guards: [requireAnyRole('admin', 'editor')] },
      '/api/perm': { ...app, guards: [requirePermissions('delete:orders')] },
      '/api/claim': { ...app, guards: [requireClaim('tenant', 'globex', { description: CLAIM_DESCRIPTION })] },
      '/api/async-claim': { ...app, guards: [requireClaim('tenant', isGlobex)] },
      '/down/me': downOptions(f),
    }
    authorizers = Object.fromEntries(Object.entries(table).map(([path, o]) => [path, createAuthorizer(o)]))
    const handler = async (_event: unknown, _context: unknown, auth: BearerAuth) => ({ statusCode: 200, body: JSON.stringify(seen(auth)) })
    proxies = Object.fromEntries(Object.entries(table).map(([path, o]) => [path, withBearer(handler, o)]))
  })
  afterAll(() => f.close())

  describe('createAuthorizer: the failure table, as API Gateway answers it', () => {
    it.each(failureCases({} as AdapterFixture).map(([name]) => name))('REST REQUEST authorizer: %s', async (name) => {
      const [, path, init, expected] = failureCases(f).find(([n]) => n === name)!
      const answer = await gateway(() => authorizers[route(path)]!(requestEvent(path, init)))
      expect(answer.status).toBe(authorizerStatus(expected))
      if (answer.status === 500) expect(answer.error).toMatchObject({ name: 'BearerError', reason: expected.reason })
      if (answer.status === 403) expect(answer.result).toEqual({ principalId: 'user-1', policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: STAGE }] } })
    })

    it.each(failureCases({} as AdapterFixture).map(([name]) => name))('HTTP API 2.0 authorizer (simple responses): %s', async (name) => {
      const [, path, init, expected] = failureCases(f).find(([n]) => n === name)!
      const answer = await gateway(() => authorizers[route(path)]!(httpApiEvent(path, init)))
      expect(answer.status).toBe(authorizerStatus(expected))
      if (answer.status === 403) expect(answer.result).toEqual({ isAuthorized: false })
    })
  })

  it('every guarded route: Allow (authorizers) and the handler (proxies) for a token that meets its guard, twice; Deny / 403 for one that does not', async () => {
    for (const path of GUARDED_ROUTES) {
      for (let i = 0; i < 2; i++) {
        expect((await authorizers[path]!(tokenEvent(`Bearer ${f.staff}`))).policyDocument.Statement[0].Effect).toBe('Allow')
        expect(await authorizers[path]!(httpApiEvent(path, { headers: { authorization: `Bearer ${f.staff}` } }))).toMatchObject({ isAuthorized: true })
        for (const event of [proxyV1(path, { headers: { authorization: `Bearer ${f.staff}` } }), proxyV2(path, { headers: { authorization: `Bearer ${f.staff}` } })]) {
          const res = (await proxies[path]!(event, {})) as { statusCode: number; body: string }
          expect([res.statusCode, JSON.parse(res.body).tenant]).toEqual([200, 'globex'])
        }
      }
      expect((await authorizers[path]!(tokenEvent(`Bearer ${f.valid}`))).policyDocument.Statement[0].Effect).toBe('Deny')
      expect(((await proxies[path]!(proxyV2(path, { headers: { authorization: `Bearer ${f.valid}` } }), {})) as { statusCode: number }).statusCode).toBe(403)
    }
  })

  it('TOKEN authorizer: Allow for the stage, with sub and the space-delimited scope in the context', async () => {
    const result = await authorizers['/api/me']!(tokenEvent(`Bearer ${f.valid}`))
    expect(result).toEqual({
      principalId: 'user-1',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: STAGE }] },
      context: { sub: 'user-1', scope: 'read:orders' },
    })
    const typed: APIGatewayAuthorizerResult = result
    void typed
    for (const bad of ['', f.valid, `Basic ${f.valid}`, `Bearer ${f.expired}`, `Bearer ${f.forged}`]) {
      await expect(authorizers['/api/me']!(tokenEvent(bad))).rejects.toThrow(/^Unauthorized$/)
    }
    expect((await authorizers['/api/orders']!(tokenEvent(`Bearer ${f.noScope}`))).policyDocument.Statement[0].Effect).toBe('Deny')
  })

  it('REQUEST authorizer: reads Authorization whatever its casing, and refuses repeated fields', async () => {
    const event = requestEvent('/api/me', { headers: { AUTHORIZATION: `Bearer ${f.valid}` } })
    expect((await authorizers['/api/me']!(event)).context).toEqual({ sub: 'user-1', scope: 'read:orders' })
    const repeated = { ...event, headers: { Authorization: `Bearer ${f.valid}` }, multiValueHeaders: { Authorization: [`Bearer ${f.valid}`, `Bearer ${f.valid}`] } }
    await expect(authorizers['/api/me']!(repeated)).rejects.toThrow(/^Unauthorized$/)
    // HTTP API joins repeated headers with a comma.
    const joined = httpApiEvent('/api/me', { headers: { authorization: `Bearer ${f.valid}, Bearer ${f.valid}` } })
    await expect(authorizers['/api/me']!(joined)).rejects.toThrow(/^Unauthorized$/)
  })

  it('HTTP API 2.0: simple responses by default; IAM policies with responseFormat iam; policyResource method keeps the exact ARN', async () => {
    const event = httpApiEvent('/api/me', { headers: { authorization: `Bearer ${f.valid}` } })
    const simple = await authorizers['/api/me']!(event)
    expect(simple).toEqual({ isAuthorized: true, context: { sub: 'user-1', scope: 'read:orders' } })
    const typed: APIGatewaySimpleAuthorizerWithContextResult<{ sub: string; scope: string }> = simple as never
    void typed
    const iam = createAuthorizer({ ...appOptions(f), responseFormat: 'iam', policyResource: 'method', context: (a) => ({ tenant: String(a.claims.tenant) }) })
    expect(await iam(event)).toEqual({
      principalId: 'user-1',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: ROUTE_ARN }] },
      context: { tenant: 'acme', sub: 'user-1', scope: 'read:orders' },
    })
  })

  it('an outage is a thrown error, never Allow (API Gateway answers 500)', async () => {
    const token = tokenEvent(`Bearer ${f.valid}`)
    await expect(authorizers['/down/me']!(token)).rejects.toSatisfy((err) => BearerError.is(err) && err.reason === 'jwks_unavailable' && err.message !== 'Unauthorized')
    const throwing = createAuthorizer({ ...appOptions(f), isRevoked: () => Promise.reject(new Error('store down')) })
    const answer = await gateway(() => throwing(token))
    expect(answer.status).toBe(500)
  })

  describe('withBearer: the failure table, on proxy events v1 and v2', () => {
    it.each(failureCases({} as AdapterFixture).map(([name]) => name))('%s', async (name) => {
      const [, path, init, expected] = failureCases(f).find(([n]) => n === name)!
      for (const event of [proxyV1(path, init), proxyV2(path, init)]) {
        const res = (await proxies[route(path)]!(event, {})) as { statusCode: number; headers: Record<string, string>; body: string }
        expect(res.statusCode).toBe(expected.status)
        expect(res.headers['WWW-Authenticate']).toBe(expected.wwwAuthenticate ?? undefined)
        expect(res.headers).toMatchObject({ 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store' })
        expect(JSON.parse(res.body)).toMatchObject({ status: expected.status, reason: expected.reason })
      }
    })

    it('calls the handler with (event, context, auth) for a valid token', async () => {
      for (const event of [proxyV1('/api/orders', { headers: { authorization: `Bearer ${f.valid}` } }), proxyV2('/api/orders', { headers: { authorization: `Bearer ${f.valid}` } })]) {
        const res = (await proxies['/api/orders']!(event, {})) as { statusCode: number; body: string }
        expect(res.statusCode).toBe(200)
        expect(JSON.parse(res.body)).toEqual(SEEN)
      }
    })

    it('answers a CORS preflight itself with 204 (the handler never runs without auth); repeated v1 fields fail as header_malformed', async () => {
      const reached: string[] = []
      const handler = withBearer(async (_e: { headers: unknown }, _c, auth: BearerAuth | undefined) => (reached.push(String(auth?.claims.sub)), { statusCode: 200, body: '' }), appOptions(f))
      const preflight = { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET' } }
      expect(await handler(proxyV1('/api/me', preflight), {})).toEqual({ statusCode: 204, headers: {}, body: '' })
      expect(await handler(proxyV2('/api/me', preflight), {})).toEqual({ statusCode: 204, headers: {}, body: '' })
      expect(reached).toEqual([])
      const verifying = withBearer(async () => ({ statusCode: 200, body: '' }), { ...appOptions(f), preflight: 'verify' })
      expect(await verifying(proxyV2('/api/me', preflight), {})).toMatchObject({ statusCode: 401, headers: { 'WWW-Authenticate': CHALLENGE.missing } })
      const repeated = { ...proxyV1('/api/me'), multiValueHeaders: { Authorization: [`Bearer ${f.valid}`, `Bearer ${f.valid}`] } }
      const res = (await handler(repeated, {})) as { statusCode: number; headers: Record<string, string> }
      expect(res.statusCode).toBe(400)
      expect(res.headers['WWW-Authenticate']).toBe(CHALLENGE.repeated)
    })
  })

  it('rejects bad options at setup with a ConfigError naming the option', () => {
    expect(() => createAuthorizer({ ...appOptions(f), responseFormat: 'json' as never })).toThrow("tokengate: invalid lambda option responseFormat: expected 'simple' or 'iam'")
    expect(() => createAuthorizer({ ...appOptions(f), guards: ['read'] as never })).toThrow(/^tokengate: invalid lambda option guards\.0/)
    expect(() => withBearer({} as never, appOptions(f))).toThrow('tokengate: invalid lambda option handler: withBearer(handler, options) takes the handler first')
    expect(() => requireScopes()).toThrow('tokengate: invalid guard option requireScopes(): name at least one scope')
  })
})

describe('tokengate/lambda key cache across invocations', () => {
  let keys: KeyServer
  let f: AdapterFixture

  beforeAll(async () => {
    f = await adapterFixture()
    keys = await startKeyServer()
    keys.route('/jwks.json', json({ keys: [f.key.publicJwk] }))
    vi.stubEnv('TOKENGATE_TEST_JWKS_URI', keys.url('/jwks.json'))
  })
  afterAll(async () => {
    vi.unstubAllEnvs()
    await keys.close()
    await f.close()
  })

  it('a warm container fetches the JWKS once; a cold start (a fresh module) fetches it again', async () => {
    vi.resetModules()
    const cold = await import('./lambda/handler.js')
    for (const token of [f.valid, f.noScope, f.valid]) {
      expect((await cold.handler(tokenEvent(`Bearer ${token}`))).policyDocument.Statement[0].Effect).toBe('Allow')
    }
    expect(keys.count('/jwks.json')).toBe(1)
    // The same module again is the same warm container.
    expect((await import('./lambda/handler.js')).handler).toBe(cold.handler)
    vi.resetModules()
    const next = await import('./lambda/handler.js')
    expect(next.handler).not.toBe(cold.handler)
    await next.handler(tokenEvent(`Bearer ${f.valid}`))
    expect(keys.count('/jwks.json')).toBe(2)
  })
})
