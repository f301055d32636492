import { describe, expect, it } from 'vitest'
import { BearerError } from './bearer-error.js'
import { REASONS } from './reasons.js'
import { quoteString } from './www-authenticate.js'

describe('BearerError', () => {
  it('takes status and code from the reasons table', () => {
    for (const [reason, entry] of Object.entries(REASONS)) {
      const err = new BearerError(reason as keyof typeof REASONS)
      expect(err.status).toBe(entry.status)
      expect(err.statusCode).toBe(entry.status)
      expect(err.code).toBe(entry.code)
      expect(err.name).toBe('BearerError')
      expect(err.message).toBe(entry.message)
    }
  })

  it('answers a missing token with a bare challenge (RFC 6750 §3.1)', () => {
    const err = new BearerError('token_missing')
    expect(err.wwwAuthenticate).toBe('Bearer realm="api"')
    expect(err.headers).toEqual({ 'WWW-Authenticate': 'Bearer realm="api"' })
  })

  it('builds error, error_description and scope, escaping the realm', () => {
    const err = new BearerError('insufficient_scope', { realm: 'my "api" \\ x', scope: 'read:users write:users' })
    expect(err.wwwAuthenticate).toBe(
      'Bearer realm="my \\"api\\" \\\\ x", error="insufficient_scope", error_description="The token lacks the required scope", scope="read:users write:users"',
    )
  })

  it('drops characters RFC 6750 §3 forbids in error_description', () => {
    const err = new BearerError('claim_invalid', { message: 'The "exp" claim \\ is bad\néh' })
    expect(err.wwwAuthenticate).toBe('Bearer realm="api", error="invalid_token", error_description="The exp claim  is badh"')
  })

  it('sends no challenge with a 503', () => {
    const err = new BearerError('jwks_unavailable')
    expect(err.status).toBe(503)
    expect(err.wwwAuthenticate).toBeUndefined()
    expect(err.headers).toEqual({})
  })

  it('keeps the cause as given', () => {
    const cause = new Error('jose said no')
    expect(new BearerError('signature_invalid', { cause }).cause).toBe(cause)
  })

  it('is recognised across copies by BearerError.is, not only instanceof', () => {
    const err = new BearerError('token_expired')
    expect(BearerError.is(err)).toBe(true)
    const foreign = Object.create({ [Symbol.for('tokengate.BearerError')]: true })
    expect(BearerError.is(foreign)).toBe(true)
    expect(BearerError.is(new Error('x'))).toBe(false)
    expect(BearerError.is(null)).toBe(false)
    expect(BearerError.is('token_expired')).toBe(false)
  })

  it('renders an RFC 9457 problem+json response', async () => {
    const res = new BearerError('insufficient_scope', { scope: 'read:users' }).toResponse()
    expect(res.status).toBe(403)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer realm="api", error="insufficient_scope", error_description="The token lacks the required scope", scope="read:users"',
    )
    expect(await res.json()).toEqual({
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
      detail: 'The token lacks the required scope',
      reason: 'insufficient_scope',
      error: 'insufficient_scope',
      scope: 'read:users',
    })
  })

  it('renders a 503 problem without a challenge or error code', async () => {
    const res = new BearerError('jwks_unavailable').toResponse()
    expect(res.status).toBe(503)
    expect(res.headers.get('www-authenticate')).toBeNull()
    expect(await res.json()).toEqual({
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      detail: 'The signing keys are temporarily unavailable',
      reason: 'jwks_unavailable',
    })
  })

  it('quotes strings per RFC 9110', () => {
    expect(quoteString('a"b\\c')).toBe('"a\\"b\\\\c"')
    expect(quoteString('line\r\nbreak')).toBe('"linebreak"')
  })

  it('leaves out what does not apply: no error code on a 503, no scope on a 401, no cause when none was given', () => {
    expect(Object.keys(new BearerError('jwks_unavailable').toProblem()).sort()).toEqual(['detail', 'reason', 'status', 'title', 'type'])
    expect(Object.keys(new BearerError('token_expired').toProblem()).sort()).toEqual(['detail', 'error', 'reason', 'status', 'title', 'type'])
    expect('cause' in new BearerError('token_expired')).toBe(false)
  })

  it('marks its response no-store, and prints its reason', () => {
    expect(new BearerError('token_expired').toResponse().headers.get('cache-control')).toBe('no-store')
    expect(String(new BearerError('token_expired'))).toBe('BearerError [token_expired]: The token has expired')
  })

  it('re-issues itself in another realm, keeping everything else', () => {
    const cause = new Error('x')
    const err = new BearerError('insufficient_scope', { scope: 'a b', cause, message: 'The token lacks a required scope' })
    const moved = err.withRealm('orders')
    expect(moved.wwwAuthenticate).toBe('Bearer realm="orders", error="insufficient_scope", error_description="The token lacks a required scope", scope="a b"')
    expect(moved).toMatchObject({ reason: 'insufficient_scope', scope: 'a b', realm: 'orders', message: err.message })
    expect(moved.cause).toBe(cause)
    expect(err.withRealm('api')).toBe(err)
  })

  it('is not fooled by look-alikes: a plain object with a reason, or a brand that is not true', () => {
    expect(BearerError.is({ reason: 'token_expired', status: 401 })).toBe(false)
    expect(BearerError.is({ [Symbol.for('tokengate.BearerError')]: 1 })).toBe(false)
  })
})

