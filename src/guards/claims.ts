/**
 * @module
 * `requireClaim(path, expected | predicate, { description })`: what a route requires of one
 * claim. 403 with RFC 6750's `insufficient_scope` code and the reason `claim_mismatch`; the
 * `description` becomes the `error_description`. A predicate may be async; only `true` passes.
 */
import { BearerError } from '../errors/bearer-error.js'
import { ConfigError } from '../errors/config-error.js'
import { claimAt, formatClaimPath, parseClaimPath, type ClaimPathInput } from '../lib/claim-path.js'
import type { BearerAuth } from '../lib/result.js'
import type { RequireClaimOptions } from './claim-types.js'
import type { Guard } from './guard.js'

type Primitive = string | number | boolean | null
type Predicate = (value: unknown, claims: BearerAuth['claims']) => boolean | Promise<boolean>

// RFC 6750 §3: error_description = *( %x20-21 / %x23-5B / %x5D-7E )
const DESCRIPTION = /^[\x20\x21\x23-\x5b\x5d-\x7e]+$/

const isPrimitive = (x: unknown): x is Primitive => x === null || typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x))

/** True when the claim is `expected`, or an array that includes it. */
const matches = (value: unknown, expected: Primitive): boolean => value === expected || (Array.isArray(value) && value.includes(expected))

function parseExpected(expected: unknown): Predicate | readonly Primitive[] {
  if (typeof expected === 'function') return expected as Predicate
  if (isPrimitive(expected)) return Object.freeze([expected])
  if (Array.isArray(expected) && expected.length > 0 && expected.every(isPrimitive)) return Object.freeze([...(expected as Primitive[])])
  throw new ConfigError(
    'guard',
    'requireClaim().expected',
    'expected a value (string, number, boolean or null), a non-empty list of values (any one passes), or a predicate (value, claims) => boolean | Promise<boolean>',
  )
}

/**
 * The guard of `requireClaim(path, expected, options)`, checked once at setup.
 *
 * @example
 * requireClaimGuard('org.plan', ['pro', 'enterprise'], { description: 'A paid plan is required' })
 */
export function requireClaimGuard(path: ClaimPathInput, expected: unknown, options: RequireClaimOptions = {}): Guard {
  const segments = parseClaimPath('guard', 'requireClaim().path', path)
  const check = parseExpected(expected)
  if (typeof options !== 'object' || options === null) throw new ConfigError('guard', 'requireClaim().options', 'expected { description }')
  const description = options.description
  if (description !== undefined && (typeof description !== 'string' || !DESCRIPTION.test(description))) {
    throw new ConfigError('guard', 'requireClaim().description', 'expected printable ASCII without " or \\ (it becomes the error_description of the challenge, RFC 6750 §3)')
  }
  const claim = formatClaimPath(segments)
  const mismatch = (): BearerError =>
    new BearerError('claim_mismatch', { claim, message: description ?? `The token claim "${claim}" does not have the required value` })

  return {
    name: `requireClaim(${claim})`,
    check(auth) {
      const value = claimAt(auth.claims, segments)
      if (typeof check !== 'function') {
        for (const e of check) if (matches(value, e)) return
        throw mismatch()
      }
      // A predicate that throws (a lookup that failed, say) is not a 403: its error goes on
      // to the framework (500) and the handler does not run. A BearerError it throws is kept.
      const result = check(value, auth.claims)
      if (result === true) return
      if (result !== null && typeof (result as Promise<boolean> | undefined)?.then === 'function') {
        return (result as Promise<boolean>).then((ok) => {
          if (ok !== true) throw mismatch()
        })
      }
      throw mismatch()
    },
  }
}
