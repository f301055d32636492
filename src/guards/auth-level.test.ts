/**
 * RFC 9470 step-up: requireAuthLevel's checks and its challenge (`acr_values`, `max_age`).
 */
import { describe, expect, it } from 'vitest'
import { BearerError } from '../errors/bearer-error.js'
import type { BearerAuth } from '../lib/result.js'
import { requireAuthLevelGuard } from './auth-level.js'
import { runGuard } from './guard.js'

const NOW_S = 1_767_225_600
const now = () => NOW_S * 1000
const auth = (claims: Record<string, unknown>, scheme: 'Bearer' | 'DPoP' = 'Bearer'): BearerAuth =>
  ({ kind: 'jwt', token: 't', claims: { exp: NOW_S + 60, ...claims }, scopes: [], roles: [], permissions: [], header: { alg: 'ES256' }, scheme }) as BearerAuth

function failure(fn: () => unknown): BearerError {
  try {
    fn()
  } catch (err) {
    if (BearerError.is(err)) return err
    throw err
  }
  throw new Error('expected a BearerError')
}

describe('requireAuthLevel (RFC 9470)', () => {
  const guard = requireAuthLevelGuard({ acr: ['urn:example:mfa', 'urn:example:hw'], maxAge: '5m', now })

  it('passes an accepted acr with a recent auth_time', () => {
    expect(runGuard(guard, auth({ acr: 'urn:example:hw', auth_time: NOW_S - 300 }), 'api')).toBeUndefined()
  })

  it.each([
    ['another acr', { acr: 'urn:example:pwd', auth_time: NOW_S }, 'A different authentication level is required'],
    ['no acr', { auth_time: NOW_S }, 'A different authentication level is required'],
    ['an old auth_time', { acr: 'urn:example:mfa', auth_time: NOW_S - 301 }, 'A more recent user authentication is required'],
    ['no auth_time', { acr: 'urn:example:mfa' }, 'The time of the user authentication is unknown'],
    ['a string auth_time', { acr: 'urn:example:mfa', auth_time: String(NOW_S) }, 'The time of the user authentication is unknown'],
  ])('refuses %s with 401 insufficient_user_authentication, asking for everything the route needs', (_name, claims, description) => {
    const err = failure(() => runGuard(guard, auth(claims), 'api'))
    expect(err.status).toBe(401)
    expect(err.reason).toBe('insufficient_user_authentication')
    expect(err.wwwAuthenticate).toBe(
      `Bearer realm="api", error="insufficient_user_authentication", error_description="${description}", acr_values="urn:example:mfa urn:example:hw", max_age="300"`,
    )
    expect(err.toProblem()).toMatchObject({ status: 401, error: 'insufficient_user_authentication', acr_values: 'urn:example:mfa urn:example:hw', max_age: 300 })
  })

  it('answers on the DPoP challenge for a DPoP token, in the verifier\'s context', () => {
    const challenge = { realm: 'orders', bearer: true, dpopAlgs: 'ES256', resourceMetadata: 'https://api.example.com/.well-known/oauth-protected-resource' }
    const err = failure(() => runGuard(requireAuthLevelGuard({ maxAge: 60, now }), auth({ auth_time: NOW_S - 61 }, 'DPoP'), challenge))
    expect(err.wwwAuthenticate).toBe(
      'Bearer realm="orders", resource_metadata="https://api.example.com/.well-known/oauth-protected-resource", DPoP realm="orders", error="insufficient_user_authentication", error_description="A more recent user authentication is required", max_age="60", algs="ES256", resource_metadata="https://api.example.com/.well-known/oauth-protected-resource"',
    )
  })

  it('checks acr alone, or maxAge alone', () => {
    expect(runGuard(requireAuthLevelGuard({ acr: 'urn:example:mfa' }), auth({ acr: 'urn:example:mfa' }), 'api')).toBeUndefined()
    expect(failure(() => runGuard(requireAuthLevelGuard({ acr: 'urn:example:mfa' }), auth({ acr: 'x' }), 'api')).wwwAuthenticate).not.toContain('max_age')
    expect(runGuard(requireAuthLevelGuard({ maxAge: 60, now }), auth({ auth_time: NOW_S - 60 }), 'api')).toBeUndefined()
  })

  it.each([
    ['nothing to require', {}, /requireAuthLevel\(\): give acr .*, maxAge .*, or both/],
    ['an acr with a space', { acr: ['a b'] }, /requireAuthLevel\(\)\.acr\.0: expected an acr value without spaces/],
    ['a bad duration', { maxAge: '5 minutes' }, /requireAuthLevel\(\)\.maxAge/],
    ['an empty acr list', { acr: [] }, /requireAuthLevel\(\)\.acr/],
    ['a misspelt option', { acrs: ['a'] }, /requireAuthLevel\(\)\.acrs: not an option here; did you mean acr\?/],
  ])('refuses %s at setup with a ConfigError', (_name, requirement, message) => {
    expect(() => requireAuthLevelGuard(requirement as never)).toThrow(message)
  })
})

describe('requireAuthLevel reads the token own claims only', () => {
  it('a polluted Object.prototype lends no token an acr or auth_time', () => {
    const guard = requireAuthLevelGuard({ acr: 'urn:example:mfa', maxAge: '5m', now })
    const proto = Object.prototype as Record<string, unknown>
    const pollution: Record<string, unknown> = { acr: 'urn:example:mfa', auth_time: NOW_S }
    try {
      for (const [name, value] of Object.entries(pollution)) Object.defineProperty(proto, name, { value, configurable: true, writable: true, enumerable: false })
      expect(failure(() => runGuard(guard, auth({}), 'api')).message).toBe('A different authentication level is required')
      expect(failure(() => runGuard(guard, auth({ acr: 'urn:example:mfa' }), 'api')).message).toBe('The time of the user authentication is unknown')
      expect(runGuard(guard, auth({ acr: 'urn:example:mfa', auth_time: NOW_S }), 'api')).toBeUndefined()
    } finally {
      for (const name of Object.keys(pollution)) delete proto[name]
    }
  })
})
