/**
 * The parser and the pipeline cannot be weakened by what they are given (issue #13): no input
 * exhausts the stack or takes superlinear time at any allowed maxTokenSize, claims are own
 * members only, and faults in what the user plugs in (revocation hook, clock) fail closed.
 */
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../errors/config-error.js'
import { encodeBase64url } from '../lib/base64url.js'
import { MAX_JSON_DEPTH } from '../lib/token.js'
import { encodeSegment, signToken } from '../testing/tokens.js'
import { bearer, claims, createVerifier, expectReject, fixture, MATRIX, now, NOW_S } from '../../test/helpers/setup.js'
import { MAX_MAX_TOKEN_SIZE } from './authorization-header.js'
import { parseVerifierOptions } from './parse-options.js'
import type { VerifierOptions } from './options.js'

const utf8 = new TextEncoder()
const nested = (depth: number) => '['.repeat(depth - 1) + ']'.repeat(depth - 1) // a value at `depth` levels inside an object
/** A JSON object whose member `x` nests so the whole document is `depth` levels deep. */
const deepJson = (base: Record<string, unknown>, depth: number) => `${JSON.stringify(base).slice(0, -1)},"x":${nested(depth)}}`
/** The deepest nesting a segment can carry within `size` characters of header. */
const depthFor = (size: number) => Math.floor((size * 0.75 - 600) / 2)

describe('deeply nested JSON: 401 token_malformed, at any allowed maxTokenSize', () => {
  it.each(MATRIX)('%s: nesting beyond 32 levels in the payload or header is refused before the signature step', async (alg) => {
    const f = await fixture(alg)
    const verify = createVerifier(f.options)
    const [h, p] = (await f.sign()).split('.')
    const header = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(h!.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))))
    for (const depth of [MAX_JSON_DEPTH + 1, 1000]) {
      await expectReject(verify(bearer(`${h}.${encodeBase64url(utf8.encode(deepJson(claims(), depth)))}.AAAA`)), 'token_malformed', { status: 401 })
      await expectReject(verify(bearer(`${encodeBase64url(utf8.encode(deepJson(header, depth)))}.${p}.AAAA`)), 'token_malformed', { status: 401 })
    }
  })

  it('a validly signed token nesting 32 levels passes; 33 levels is token_malformed, signature or not', async () => {
    const f = await fixture('HS256')
    const verify = createVerifier(f.options)
    const at = async (depth: number) => signToken(f.key, deepJson(claims(), depth))
    await expect(verify(bearer(await at(MAX_JSON_DEPTH)))).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    const err = await expectReject(verify(bearer(await at(MAX_JSON_DEPTH + 1))), 'token_malformed')
    expect(err.message).toBe(`The token payload nests deeper than ${MAX_JSON_DEPTH} levels`)
  })

  it.each(MATRIX)('%s: at maxTokenSize 65536 (the most allowed), the deepest header and payload are 401s, never a stack overflow', async (alg) => {
    const f = await fixture(alg)
    const verify = createVerifier({ ...f.options, maxTokenSize: MAX_MAX_TOKEN_SIZE })
    const [h, p, s] = (await f.sign()).split('.')
    const depth = depthFor(MAX_MAX_TOKEN_SIZE)
    const deepPayload = `${h}.${encodeBase64url(utf8.encode(`{"x":${nested(depth)}}`))}.${s}`
    const deepHeader = `${encodeBase64url(utf8.encode(`{"alg":"${alg}","x":${nested(depth)}}`))}.${p}.${s}`
    // Also as a validly signed token (the signature is checked after parsing, but prove it anyway).
    const signedDeep = await signToken(f.key, `{"x":${nested(depth - 100)}}`)
    for (const token of [deepPayload, deepHeader, signedDeep]) {
      expect(bearer(token).length).toBeGreaterThan(MAX_MAX_TOKEN_SIZE * 0.9)
      expect(bearer(token).length).toBeLessThanOrEqual(MAX_MAX_TOKEN_SIZE)
      await expectReject(verify(bearer(token)), 'token_malformed', { status: 401 })
    }
    expect(() => createVerifier({ ...f.options, maxTokenSize: MAX_MAX_TOKEN_SIZE + 1 })).toThrow('tokengate: invalid verifier option maxTokenSize: expected at most 65536')
  })
})

describe('surrounding whitespace is trimmed in linear time', () => {
  // A regex trim (/[ \t]+$/) retries from every space of an inner run: quadratic, ~4 s for
  // 64 KiB here. The bound below is a hang detector with a wide margin, not a speed claim.
  it('a 64 KiB header of spaces and tabs, at maxTokenSize 65536, answers without a quadratic scan', async () => {
    const f = await fixture('ES256')
    const verify = createVerifier({ ...f.options, maxTokenSize: MAX_MAX_TOKEN_SIZE })
    const run = MAX_MAX_TOKEN_SIZE - 16
    const cases: [string, string][] = [
      [`Bearer${' '.repeat(run)}x `, 'token_malformed'],
      [` Bearer${' \t'.repeat(run / 2)}x`, 'header_malformed'],
      [`${' '.repeat(run)}Bearer x\t`, 'token_malformed'],
      [`${' \t'.repeat(run / 2)}`, 'token_missing'],
      [`Bearer ${await f.sign()}${' '.repeat(run - 1000)}`, 'ok'],
    ]
    for (const [header, reason] of cases) {
      const started = performance.now()
      if (reason === 'ok') await expect(verify(header)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
      else await expectReject(verify(header), reason)
      // A hang detector with a wide margin for a shared machine: a quadratic scan of 64 KiB takes minutes.
      expect(performance.now() - started, `${reason}: ${header.length} characters`).toBeLessThan(5000)
    }
  })
})

describe('claims are the token own members: never Object.prototype', () => {
  const PROTOTYPE_NAMES = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__', 'isPrototypeOf', '__defineGetter__']

  it.each(PROTOTYPE_NAMES)('requiredClaims: [%j] fails for a token without it (401 claim_missing)', async (name) => {
    const f = await fixture('ES256')
    const verify = createVerifier({ ...f.options, requiredClaims: [name] })
    const err = await expectReject(verify(bearer(await f.sign())), 'claim_missing', { status: 401 })
    expect(err.claim).toBe(name)
    // A token that carries it passes.
    const carrying = await signToken(f.key, `${JSON.stringify(claims()).slice(0, -1)},${JSON.stringify(name)}:"present"}`)
    await expect(verify(bearer(carrying))).resolves.toBeDefined()
  })

  it('a polluted Object.prototype lends no token its claims or header members', async () => {
    const f = await fixture('ES256')
    const verify = createVerifier({ ...f.options, requiredClaims: ['tenant'], cache: false })
    const { issuer, audience } = f.options
    const exp = NOW_S + 600
    // Signed before the pollution (jose reads headers through the prototype too).
    const tokens = {
      noExp: await signToken(f.key, { iss: issuer, aud: audience, sub: 'u', tenant: 'acme' }),
      noAud: await signToken(f.key, { iss: issuer, exp, sub: 'u', tenant: 'acme' }),
      noIss: await signToken(f.key, { aud: audience, exp, sub: 'u', tenant: 'acme' }),
      noTenant: await signToken(f.key, { iss: issuer, aud: audience, exp, sub: 'u' }),
      bare: await signToken(f.key, { iss: issuer, aud: audience, exp, tenant: 'acme', sub: 'u' }, { kid: undefined }),
    }
    const proto = Object.prototype as Record<string, unknown>
    // Not `crit` or `b64`: jose's own signature check reads those through the prototype.
    const pollution: Record<string, unknown> = { aud: audience, iss: issuer, exp, tenant: 'acme', scope: 'admin', scp: ['admin'], permissions: ['admin'], kid: 'nope', typ: 'dpop+jwt' }
    try {
      for (const [name, value] of Object.entries(pollution)) Object.defineProperty(proto, name, { value, configurable: true, writable: true, enumerable: false })
      // Each claim the token lacks is missing, whatever the prototype says.
      await expectReject(verify(bearer(tokens.noExp)), 'claim_missing')
      await expectReject(verify(bearer(tokens.noAud)), 'audience_invalid')
      await expectReject(verify(bearer(tokens.noIss)), 'issuer_invalid')
      await expectReject(verify(bearer(tokens.noTenant)), 'claim_missing')
      // No scope comes from the prototype; no kid or typ either (the header names neither).
      const auth = await verify(bearer(tokens.bare))
      expect(auth.scopes).toEqual([])
      await expectReject(verify(bearer(tokens.bare), { scopes: ['admin'] }), 'insufficient_scope', { status: 403 })
    } finally {
      for (const name of Object.keys(pollution)) delete proto[name]
    }
  })
})

describe('a revocation hook that misbehaves fails closed with 503 revocation_unavailable', () => {
  it('a hook that never settles is bounded by revocationTimeout', async () => {
    const f = await fixture('ES256')
    const verify = createVerifier({ ...f.options, isRevoked: () => new Promise<boolean>(() => {}), revocationTimeout: 0.05 })
    const started = performance.now()
    const err = await expectReject(verify(bearer(await f.sign())), 'revocation_unavailable', { status: 503, wwwAuthenticate: undefined })
    expect(performance.now() - started).toBeGreaterThanOrEqual(45)
    expect((err.cause as Error).message).toBe('isRevoked did not settle within 50 ms (revocationTimeout)')
    // A cached token too: the hook runs on every request.
    await expectReject(verify(bearer(await f.sign())), 'revocation_unavailable')
  })

  it('the default bound is 5 s; the option takes a duration', () => {
    const base = { issuer: 'i', audience: 'a', secret: 'x'.repeat(32) }
    expect(parseVerifierOptions(base).revocationTimeoutMs).toBe(5000)
    expect(parseVerifierOptions({ ...base, revocationTimeout: '250ms' } as VerifierOptions).revocationTimeoutMs).toBe(250)
    for (const bad of [0, -1, 'forever', '0s']) {
      expect(() => createVerifier({ ...base, revocationTimeout: bad } as VerifierOptions)).toThrow(/invalid verifier option revocationTimeout/)
    }
  })

  it.each([
    ['undefined (a forgotten return)', () => undefined, 'isRevoked returned undefined (a forgotten return?); it must return (or resolve to) true or false'],
    ['the string "false"', () => 'false', 'isRevoked returned a string; it must return (or resolve to) true or false'],
    ['0', () => 0, 'isRevoked returned a number; it must return (or resolve to) true or false'],
    ['null', () => null, 'isRevoked returned null; it must return (or resolve to) true or false'],
    ['an object', () => ({ revoked: false }), 'isRevoked returned a object; it must return (or resolve to) true or false'],
    ['a promise of "no"', async () => 'no', 'isRevoked returned a string; it must return (or resolve to) true or false'],
    ['a promise of undefined', async () => undefined, 'isRevoked returned undefined (a forgotten return?); it must return (or resolve to) true or false'],
  ])('a hook answering %s', async (_name, hook, message) => {
    const f = await fixture('ES256')
    const verify = createVerifier({ ...f.options, isRevoked: hook as never })
    const err = await expectReject(verify(bearer(await f.sign())), 'revocation_unavailable', { status: 503 })
    expect(err.cause).toBeInstanceOf(TypeError)
    expect((err.cause as Error).message).toBe(message)
  })

  it('true revokes and false passes, sync or async', async () => {
    const f = await fixture('ES256')
    for (const hook of [() => true, async () => true]) await expectReject(createVerifier({ ...f.options, isRevoked: hook })(bearer(await f.sign())), 'token_revoked', { status: 401 })
    for (const hook of [() => false, async () => false]) await expect(createVerifier({ ...f.options, isRevoked: hook })(bearer(await f.sign()))).resolves.toBeDefined()
  })
})

describe('a clock that returns a non-finite number fails closed: 503 verifier_misconfigured', () => {
  it.each([NaN, Infinity, -Infinity, undefined, '1767225600000', null])('now() returning %j, on a fresh token and on a cached one', async (value) => {
    const f = await fixture('ES256')
    let broken = false
    const verify = createVerifier({ ...f.options, now: () => (broken ? (value as number) : now()) })
    const expired = await f.sign({ iat: NOW_S - 7200, exp: NOW_S - 3600 })
    const good = await f.sign()
    await verify(bearer(good)) // cached now
    broken = true
    for (const token of [expired, good, await f.sign({ jti: 'fresh' })]) {
      const err = await expectReject(verify(bearer(token)), 'verifier_misconfigured', { status: 503, wwwAuthenticate: undefined })
      expect(err.cause).toBeInstanceOf(ConfigError)
      expect(err.cause).toMatchObject({ option: 'now' })
      expect(err.toProblem()).toMatchObject({ status: 503, detail: 'The token cannot be checked: the verifier is misconfigured' })
    }
  })
})

describe('siblings: the same classes at other entry points', () => {
  it('a claims schema answering neither { value } nor { issues } fails closed (401 claims_schema_failed), never lets the payload through', async () => {
    const f = await fixture('ES256')
    const schema = (validate: () => unknown) => ({ '~standard': { version: 1 as const, vendor: 'hand-written', validate } }) as never
    for (const answer of [{}, { value: undefined, extra: 1 }, null, undefined, 'ok', Promise.resolve({})]) {
      const verify = createVerifier({ ...f.options, claims: schema(() => answer) })
      if (answer !== null && typeof answer === 'object' && 'value' in answer) {
        await expect(verify(bearer(await f.sign()))).resolves.toMatchObject({ claims: { sub: 'user-1' } })
        continue
      }
      const err = await expectReject(verify(bearer(await f.sign())), 'claims_schema_failed', { status: 401 })
      expect((err.cause as Error).message).toBe('the claims schema returned neither { value } nor { issues } (Standard Schema v1)')
    }
  })

  it('discovery metadata nesting deep enough to exhaust the stack is a clean 503 (issuer_mismatch), not a crash', async () => {
    const issuer = 'https://idp.example.com/'
    const events: { type: string; code?: string }[] = []
    const fetchStub = (async () => new Response(JSON.stringify({ issuer: 'x' }).replace('"x"', '['.repeat(200_000) + ']'.repeat(200_000)), { headers: { 'content-type': 'application/json' } })) as typeof fetch
    const verify = createVerifier({ issuer, audience: 'a', discovery: true, fetch: fetchStub, now, onEvent: (e) => void events.push(e as never), jwksCache: { maxBytes: 1_048_576 } })
    const f = await fixture('ES256')
    await expectReject(verify(bearer(await signToken(f.key, claims({ iss: issuer, aud: 'a' })))), 'jwks_unavailable', { status: 503 })
    expect(events.find((e) => e.type === 'jwks_error')).toMatchObject({ code: 'issuer_mismatch' })
  })
})
