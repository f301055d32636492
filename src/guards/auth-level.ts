/**
 * @module
 * `requireAuthLevel({ acr, maxAge })`: RFC 9470 step-up authentication. The token must say the
 * user authenticated the right way (`acr`) and recently enough (`auth_time`); otherwise 401
 * `insufficient_user_authentication` with `acr_values` / `max_age`, so the client can send the
 * user back to the authorization server with those parameters (OpenID Connect Core §3.1.2.1).
 */
import { BearerError } from '../errors/bearer-error.js'
import { ConfigError } from '../errors/config-error.js'
import { toSeconds, type Duration } from '../lib/duration.js'
import { own } from '../lib/own.js'
import { duration, fn, options, parseOptions, stringOrList, v } from '../lib/schema.js'
import type { Guard } from './guard.js'

/** What `requireAuthLevel` requires. At least one of `acr` and `maxAge`. */
export interface AuthLevelRequirement {
  /** Acceptable `acr` values, in order of preference (the challenge's `acr_values`). */
  readonly acr?: string | readonly string[]
  /**
   * Longest time since the user last authenticated (`auth_time`), e.g. `'5m'`; the challenge's
   * `max_age` in seconds. A token without `auth_time` is refused.
   */
  readonly maxAge?: Duration
  /** Clock in milliseconds, like `Date.now`. For tests. */
  readonly now?: () => number
}

// acr values travel space-delimited in a quoted string: no spaces, quotes or backslashes.
const ACR_VALUE = /^[\x21\x23-\x5b\x5d-\x7e]+$/

const schema = options(
  {
    acr: v.optional(stringOrList('the acceptable acr value(s), e.g. "urn:example:mfa"')),
    maxAge: v.optional(duration()),
    now: v.optional(fn<() => number>('a clock in milliseconds, like Date.now')),
  },
  'the step-up requirement { acr?, maxAge? }',
)

/**
 * The guard of `requireAuthLevel(requirement)`, validated once.
 *
 * @example
 * const guard = requireAuthLevelGuard({ acr: ['urn:example:mfa'], maxAge: '5m' })
 */
export function requireAuthLevelGuard(requirement: AuthLevelRequirement): Guard {
  const r = parseOptions('guard', schema, requirement, ['requireAuthLevel()'])
  if (r.acr === undefined && r.maxAge === undefined) {
    throw new ConfigError('guard', 'requireAuthLevel()', 'give acr (the acceptable acr values), maxAge (the longest time since the user authenticated), or both')
  }
  const acr = r.acr === undefined ? undefined : typeof r.acr === 'string' ? [r.acr] : [...r.acr]
  acr?.forEach((value, i) => {
    if (!ACR_VALUE.test(value)) throw new ConfigError('guard', `requireAuthLevel().acr.${i}`, 'expected an acr value without spaces, quotes or backslashes')
  })
  const accepted = acr === undefined ? undefined : new Set(acr)
  const maxAge = r.maxAge === undefined ? undefined : Math.floor(toSeconds(r.maxAge))
  const now = r.now ?? Date.now
  // The challenge asks for everything this route requires, so one step-up satisfies it.
  const fail = (message: string) =>
    new BearerError('insufficient_user_authentication', {
      message,
      ...(acr === undefined ? {} : { acrValues: acr.join(' ') }),
      ...(maxAge === undefined ? {} : { maxAge }),
    })
  const name = `requireAuthLevel(${[acr === undefined ? '' : `acr: ${acr.join(' ')}`, maxAge === undefined ? '' : `maxAge: ${maxAge}s`].filter(Boolean).join(', ')})`
  return {
    name,
    check(auth) {
      // The token's own claims only: a polluted Object.prototype lends it no acr or auth_time.
      const tokenAcr = own(auth.claims, 'acr')
      if (accepted !== undefined && !(typeof tokenAcr === 'string' && accepted.has(tokenAcr))) {
        throw fail('A different authentication level is required')
      }
      if (maxAge !== undefined) {
        const authTime = own(auth.claims, 'auth_time')
        if (typeof authTime !== 'number' || !Number.isFinite(authTime)) throw fail('The time of the user authentication is unknown')
        if (now() / 1000 - authTime > maxAge) throw fail('A more recent user authentication is required')
      }
    },
  }
}
