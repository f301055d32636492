import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createVerifier, type JwksCacheOptions } from '../../src/index.js'
import { expectReject } from '../helpers/setup.js'
import { AUDIENCE, ISSUER, jwks, recorder, signer, testClock, type Signer } from './harness.js'
import { delay, drip, hang, headersOnly, huge, json, raw, startKeyServer, status, type Behaviour, type KeyServer } from './jwks-server.js'

let server: KeyServer
let key: Signer
let token: string

beforeAll(async () => {
  server = await startKeyServer()
  key = await signer('k1')
  token = await key.token()
})
afterAll(() => server.close())

let paths = 0
function setup(behaviour: Behaviour, jwksCache: JwksCacheOptions = {}) {
  const path = `/hostile-${++paths}.json`
  server.route(path, behaviour)
  const events = recorder()
  const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: server.url(path), now: testClock().now, onEvent: events.onEvent, jwksCache })
  return { path, events, verify }
}

describe('hostile or broken key endpoints answer 503 jwks_unavailable with a clear code', () => {
  const fast: JwksCacheOptions = { timeout: '250ms' }
  it.each<[string, () => Behaviour, JwksCacheOptions, string]>([
    ['a server that never answers', () => hang, fast, 'timeout'],
    ['headers later than the timeout', () => delay(1000, json(jwks(key))), fast, 'timeout'],
    ['a slow-drip body (headers at once, a byte every 20 ms)', () => drip(JSON.stringify(jwks(key)), 20), fast, 'timeout'],
    ['a 2 MiB chunked body', () => huge(2 * 1024 * 1024), {}, 'too_large'],
    ['a declared Content-Length over the cap', () => huge(2 * 1024 * 1024, true), {}, 'too_large'],
    // Refused from the header alone: reading the body first would wait for the timeout instead.
    ['a declared Content-Length over the cap, body never sent', () => headersOnly({ 'content-type': 'application/json', 'content-length': String(2 * 1024 * 1024) }), fast, 'too_large'],
    ['a body over a configured maxBytes', () => json(jwks(key)), { maxBytes: 100 }, 'too_large'],
    ['HTTP 500', () => status(500), {}, 'http_status'],
    ['HTTP 404', () => status(404), {}, 'http_status'],
    ['HTTP 204', () => status(204), {}, 'http_status'],
    ['an HTML error page with a 200', () => raw('<html>gateway</html>', { 'content-type': 'text/html' }), {}, 'not_json'],
    ['invalid UTF-8', () => raw(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), {}, 'not_json'],
    ['truncated JSON', () => raw('{"keys":[{"kty":"EC"'), {}, 'not_json'],
    ['a JSON array', () => json([key.jwk]), {}, 'not_jwks'],
    ['an object without keys', () => json({ key: [key.jwk] }), {}, 'not_jwks'],
    ['keys that is not an array', () => json({ keys: { 0: key.jwk } }), {}, 'not_jwks'],
    ['an empty key set', () => json({ keys: [] }), {}, 'no_usable_keys'],
  ])('%s', async (_name, behaviour, cache, code) => {
    const { events, verify, path } = setup(behaviour(), cache)
    await expectReject(verify(token), 'jwks_unavailable', { status: 503, wwwAuthenticate: undefined })
    expect(events.of('jwks_error')).toMatchObject([{ uri: server.url(path), code }])
    expect(server.count(path)).toBe(1)
  })

  it('does not follow a redirect, even to a valid key set', async () => {
    server.route('/moved-target.json', json(jwks(key)))
    const { events, verify } = setup(status(302, { location: '/moved-target.json' }))
    await expectReject(verify(token), 'jwks_unavailable', { status: 503 })
    expect(events.of('jwks_error')[0]).toMatchObject({ code: 'http_status', error: 'HTTP 302 (redirects are not followed)' })
    expect(server.count('/moved-target.json')).toBe(0)
  })

  it('keeps the good keys of a set when others are unusable, reporting each skipped key', async () => {
    const ed = await signer('ed', 'EdDSA')
    const { events, verify } = setup(
      json({
        keys: [
          { ...key.jwk, kid: 'enc', use: 'enc' },
          { kty: 'AKP', kid: 'pq', alg: 'ML-DSA-44', pub: 'AAAA' },
          { ...key.jwk, kid: 'wrong-alg', alg: 'RS256' },
          { kty: 'oct', kid: 'hmac', k: 'c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0' },
          'not a key',
          key.jwk,
          ed.jwk,
        ],
      }),
    )
    await expect(verify(token)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    await expect(verify(await ed.token())).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    expect(events.of('key_skipped').map((e) => [e.kid, e.reason])).toEqual([
      ['enc', '"use" is "enc", not "sig"'],
      ['pq', 'unsupported key type "AKP"'],
      ['wrong-alg', '"alg" "RS256" does not fit a EC key'],
      ['hmac', 'symmetric ("oct") keys are not accepted from a key set; use the `secret` option'],
      [undefined, 'not a JSON object'],
    ])
    expect(events.of('jwks_fetch')).toMatchObject([{ keys: 2 }])
    await expectReject(verify(await key.token({}, { kid: 'enc' })), 'kid_not_found', { status: 401 })
  })

  it('times out a body that never ends even when an injected fetch ignores the abort signal', async () => {
    const events = recorder()
    // Headers at once, then a body stream that never yields: only our own deadline can end it.
    const stubborn: typeof fetch = async () => new Response(new ReadableStream({ pull: () => new Promise<void>(() => {}) }), { status: 200 })
    const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: 'https://idp.example.com/jwks', fetch: stubborn, jwksCache: { timeout: '100ms' }, now: testClock().now, onEvent: events.onEvent })
    await expectReject(verify(token), 'jwks_unavailable', { status: 503 })
    expect(events.of('jwks_error')).toMatchObject([{ code: 'timeout' }])
  })

  it('times out an injected fetch that never settles and ignores the abort signal', async () => {
    const events = recorder()
    const never: typeof fetch = () => new Promise<Response>(() => {})
    const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: 'https://idp.example.com/jwks', fetch: never, jwksCache: { timeout: '100ms' }, now: testClock().now, onEvent: events.onEvent })
    await expectReject(verify(token), 'jwks_unavailable', { status: 503 })
    expect(events.of('jwks_error')).toMatchObject([{ code: 'timeout' }])
  })

  it('keeps the failure as the cause of the 503, with its code', async () => {
    const { verify } = setup(status(500))
    const err = await expectReject(verify(token), 'jwks_unavailable')
    expect(err.cause).toMatchObject({ name: 'FetchFailure', code: 'http_status', message: 'HTTP 500' })
    expect(err.message).toBe('The signing keys are temporarily unavailable')
  })
})
