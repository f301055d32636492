/**
 * Setup mistakes explain themselves to the operator (the logger, `operator_hint` events,
 * `BearerError.cause`) and never to the client (the challenge and problem body are the
 * reason's, unchanged). Key-fetch hints, which need a real HTTP server, are in
 * test/jwks/operator-hints.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { AUDIENCE, ISSUER, bearer, expectReject, fixture } from '../../test/helpers/setup.js'
import { ClaimMismatchError } from '../errors/claim-mismatch.js'
import { flipSignatureBit } from '../testing/hostile-tokens.js'
import { createVerifier } from './create-verifier.js'
import { BARE_TOKEN_MESSAGE } from './authorization-header.js'
import type { VerifierEvent } from './options.js'

const f = await fixture('ES256')

function capture() {
  const lines: { message: string; details: Readonly<Record<string, unknown>> | undefined }[] = []
  const events: VerifierEvent[] = []
  return {
    lines,
    events,
    hints: () => events.filter((e) => e.type === 'operator_hint'),
    options: { logger: { warn: (message: string, details?: Readonly<Record<string, unknown>>) => void lines.push({ message, details }) }, onEvent: (e: VerifierEvent) => void events.push(e) },
  }
}

afterEach(() => vi.restoreAllMocks())

describe('issuer and audience mismatches', () => {
  it('an issuer configured without the trailing slash: the client gets 401 issuer_invalid as before; the operator gets expected vs actual and the hint, once', async () => {
    const c = capture()
    const verify = createVerifier({ ...f.options, issuer: 'https://idp.example.com', ...c.options })
    const token = await f.sign()
    const err = await expectReject(verify(bearer(token)), 'issuer_invalid', {
      status: 401,
      wwwAuthenticate: 'Bearer realm="api", error="invalid_token", error_description="The token issuer is not accepted"',
    })
    // The client's answer names nothing of the configuration.
    expect(err.toProblem()).toEqual({ type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'The token issuer is not accepted', reason: 'issuer_invalid', error: 'invalid_token' })
    expect(JSON.stringify(err.toProblem())).not.toContain('idp.example.com')
    // The operator's cause does.
    expect(err.cause).toBeInstanceOf(ClaimMismatchError)
    expect(err.cause).toMatchObject({ claim: 'iss', expected: ['https://idp.example.com'], actual: ISSUER })
    expect((err.cause as ClaimMismatchError).message).toBe('iss "https://idp.example.com/" is not the configured issuer "https://idp.example.com" (differs only by a trailing slash)')
    expect((err.cause as ClaimMismatchError).hint).toBe('"https://idp.example.com/" differs from the configured "https://idp.example.com" only by a trailing slash')

    await expectReject(verify(bearer(await f.sign())), 'issuer_invalid')
    expect(c.lines).toHaveLength(1)
    expect(c.lines[0]!.message).toBe(
      'tokengate: a token was refused (401 issuer_invalid): iss "https://idp.example.com/" is not the configured issuer "https://idp.example.com" (differs only by a trailing slash). ' +
        'If your identity provider issues it, configure exactly that value: `issuer` (or an `issuers` entry).',
    )
    expect(c.lines[0]!.details).toEqual({
      reason: 'issuer_invalid',
      claim: 'iss',
      expected: ['https://idp.example.com'],
      actual: '"https://idp.example.com/"',
      hint: '"https://idp.example.com/" differs from the configured "https://idp.example.com" only by a trailing slash',
    })
    expect(c.hints()).toEqual([{ type: 'operator_hint', reason: 'issuer_invalid', message: c.lines[0]!.message, details: c.lines[0]!.details }])
    for (const line of c.lines) expect(line.message).not.toContain(token.split('.')[2]!.slice(0, 16))
  })

  it('an audience that differs only by a trailing slash, among several configured', async () => {
    const c = capture()
    const verify = createVerifier({ ...f.options, audience: ['urn:other', `${AUDIENCE}/`], ...c.options })
    const err = await expectReject(verify(bearer(await f.sign())), 'audience_invalid', { status: 401 })
    expect(err.cause).toMatchObject({ claim: 'aud', expected: ['urn:other', `${AUDIENCE}/`], actual: AUDIENCE })
    expect(c.lines.map((l) => l.message)).toEqual([
      `tokengate: a token was refused (401 audience_invalid): aud "${AUDIENCE}" is not any configured audience ("urn:other", "${AUDIENCE}/") (differs from "${AUDIENCE}/" only by a trailing slash). ` +
        'If your identity provider issues it, configure exactly that value: `audience`.',
    ])
  })

  it('a plain mismatch (no near miss) still says expected vs actual; an absent claim says absent', async () => {
    const c = capture()
    const verify = createVerifier({ ...f.options, ...c.options })
    const other = await expectReject(verify(bearer(await f.sign({ iss: 'https://evil.example/' }))), 'issuer_invalid')
    expect((other.cause as ClaimMismatchError).message).toBe(`iss "https://evil.example/" is not the configured issuer "${ISSUER}"`)
    expect((other.cause as ClaimMismatchError).hint).toBeUndefined()
    const absent = await expectReject(verify(bearer(await f.sign({ aud: undefined }))), 'audience_invalid')
    expect((absent.cause as ClaimMismatchError).message).toBe(`aud absent is not the configured audience "${AUDIENCE}"`)
    // One line per kind of failure: the issuer and the audience each once.
    expect(c.lines.map((l) => l.details?.reason)).toEqual(['issuer_invalid', 'audience_invalid'])
  })

  it('a multi-issuer verifier: an unknown iss names the configured issuers (before any key is fetched)', async () => {
    const c = capture()
    const { issuer: _i, audience: _a, now, ...keys } = f.options
    const verify = createVerifier({ audience: AUDIENCE, now, issuers: [{ issuer: 'https://idp.example.com', ...keys }, { issuer: 'https://b.example/', ...keys }], ...c.options })
    const err = await expectReject(verify(bearer(await f.sign())), 'issuer_invalid')
    expect((err.cause as ClaimMismatchError).message).toBe(
      `iss "${ISSUER}" is not any configured issuer ("https://idp.example.com", "https://b.example/") (differs from "https://idp.example.com" only by a trailing slash)`,
    )
    expect(c.lines).toHaveLength(1)
  })
})

describe('what is not an operator hint', () => {
  it('ordinary client failures (expired, forged, missing scope, no token) log nothing', async () => {
    const c = capture()
    const verify = createVerifier({ ...f.options, ...c.options })
    await expectReject(verify(bearer(await f.sign({ exp: 1 }))), 'token_expired')
    await expectReject(verify(bearer(flipSignatureBit(await f.sign()))), 'signature_invalid')
    await expectReject(verify(bearer(await f.sign()), { scopes: ['admin'] }), 'insufficient_scope')
    await expectReject(verify(undefined), 'token_missing')
    await expectReject(verify('Basic dXNlcjpwYXNz'), 'token_missing')
    expect(c.lines).toEqual([])
    expect(c.hints()).toEqual([])
  })
})

describe('a token without the Bearer scheme', () => {
  it('verify(token): 401 token_missing with the bare challenge (RFC 6750 §3.1), a message saying to pass the whole header value, and a hint', async () => {
    const c = capture()
    const verify = createVerifier({ ...f.options, ...c.options })
    const token = await f.sign()
    const err = await expectReject(verify(token), 'token_missing', { status: 401, wwwAuthenticate: 'Bearer realm="api"' })
    expect(err.message).toBe(BARE_TOKEN_MESSAGE)
    expect(err.message).toBe('The Authorization header holds a token without the "Bearer " scheme: send the whole value, "Bearer <token>"')
    expect(err.toProblem().detail).toBe(BARE_TOKEN_MESSAGE)
    expect(c.lines).toHaveLength(1)
    expect(c.lines[0]!.message).toContain('its Authorization value is a bare token, without the "Bearer " scheme')
    expect(c.lines[0]!.message).toContain('verify(req.headers.authorization)')
    expect(c.lines[0]!.message).not.toContain(token.slice(0, 20))
    await expectReject(verify(token), 'token_missing')
    expect(c.lines).toHaveLength(1)
  })

  it('another scheme and random text keep the plain token_missing message', async () => {
    const verify = createVerifier({ ...f.options, logger: false })
    for (const header of ['Basic dXNlcjpwYXNz', 'Token abc', 'garbage', 'eyJ-not-a-jwt']) {
      const err = await expectReject(verify(header), 'token_missing')
      expect(err.message).toBe('A bearer token is required')
    }
  })
})

describe('claims schema and revocation hook', () => {
  it('a claims schema that refuses a token: the issue paths and messages, once', async () => {
    const c = capture()
    const verify = createVerifier({ ...f.options, claims: z.object({ org_id: z.string() }), ...c.options })
    await expectReject(verify(bearer(await f.sign())), 'claims_schema_failed', { status: 401 })
    await expectReject(verify(bearer(await f.sign())), 'claims_schema_failed')
    expect(c.lines).toHaveLength(1)
    expect(c.lines[0]!.message).toMatch(/^tokengate: a token was refused \(401 claims_schema_failed\): the claims schema says org_id: Invalid input: expected string, received undefined\. /)
  })

  it('a revocation hook that throws: 503 for the client, the error for the operator', async () => {
    const c = capture()
    const verify = createVerifier({ ...f.options, isRevoked: () => { throw new Error('connect ECONNREFUSED 127.0.0.1:6379') }, ...c.options })
    const err = await expectReject(verify(bearer(await f.sign())), 'revocation_unavailable', { status: 503, wwwAuthenticate: undefined })
    expect(err.toProblem().detail).toBe('Token revocation status is temporarily unavailable')
    expect(c.lines.map((l) => l.message)).toEqual([
      'tokengate: a request was refused (503 revocation_unavailable): the isRevoked hook failed: Error: connect ECONNREFUSED 127.0.0.1:6379. Requests are refused while it fails (fail closed).',
    ])
  })
})

describe('an issuers resolver and the clock', () => {
  it('an issuers resolver that throws: 503 issuer_unavailable for the client, the error for the operator, once', async () => {
    const c = capture()
    const verify = createVerifier({
      audience: AUDIENCE,
      now: f.options.now,
      issuers: async () => {
        throw new Error('tenants table unreachable')
      },
      ...c.options,
    })
    const err = await expectReject(verify(bearer(await f.sign())), 'issuer_unavailable', { status: 503, wwwAuthenticate: undefined })
    expect(err.toProblem().detail).toBe('The token issuer could not be looked up')
    await expectReject(verify(bearer(await f.sign())), 'issuer_unavailable')
    expect(c.lines.map((l) => l.message)).toEqual([
      'tokengate: a request was refused (503 issuer_unavailable): the issuers resolver failed: Error: tenants table unreachable. ' +
        'Tokens of an issuer it cannot answer for are refused (fail closed) and it is asked again on the next request.',
    ])
    expect(c.hints()).toHaveLength(1)
  })

  it('a clock that returns nonsense: 503 verifier_misconfigured, and the operator learns which option', async () => {
    const c = capture()
    const verify = createVerifier({ ...f.options, now: () => Number.NaN, ...c.options })
    await expectReject(verify(bearer(await f.sign())), 'verifier_misconfigured', { status: 503, wwwAuthenticate: undefined })
    expect(c.lines).toHaveLength(1)
    expect(c.lines[0]!.message).toMatch(/^tokengate: a request was refused \(503 verifier_misconfigured\): ConfigError: tokengate: invalid verifier option now: the clock returned NaN; /)
  })
})

describe('the logger option', () => {
  it('defaults to one line on console.warn', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const verify = createVerifier({ ...f.options, issuer: 'https://idp.example.com' })
    await expectReject(verify(bearer(await f.sign())), 'issuer_invalid')
    await expectReject(verify(bearer(await f.sign())), 'issuer_invalid')
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn.mock.calls[0]).toEqual([expect.stringMatching(/^tokengate: a token was refused \(401 issuer_invalid\): .*differs only by a trailing slash/)])
  })

  it('false silences it; onEvent still gets the operator_hint', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const events: VerifierEvent[] = []
    const verify = createVerifier({ ...f.options, issuer: 'https://idp.example.com', logger: false, onEvent: (e) => void events.push(e) })
    await expectReject(verify(bearer(await f.sign())), 'issuer_invalid')
    expect(warn).not.toHaveBeenCalled()
    // Beside the outcome event every verification reports (`rejected`).
    expect(events.map((e) => e.type).filter((t) => t !== 'rejected')).toEqual(['operator_hint'])
  })

  it('a throwing logger does not change the answer', async () => {
    const verify = createVerifier({ ...f.options, issuer: 'https://idp.example.com', logger: { warn: () => { throw new Error('logger down') } } })
    await expectReject(verify(bearer(await f.sign())), 'issuer_invalid', { status: 401 })
  })

  it('a logger without warn is a ConfigError that says what to write', () => {
    expect(() => createVerifier({ ...f.options, logger: { info: () => {} } as never })).toThrow(
      'tokengate: invalid verifier option logger: expected false (silence) or a logger with warn(message, details), e.g. console',
    )
  })
})
