/**
 * @module
 * Step 4c: `claimValues`, the values claims must hold for the token to be accepted at all
 * (401): the token kind an IdP writes into its own claim (Cognito `token_use`, Keycloak's
 * payload `typ`), a client id where the IdP puts it instead of `aud` (Cognito `client_id`).
 * Presets set them; a route's own requirements are guards (`requireClaim`, 403).
 */
import { BearerError } from '../errors/bearer-error.js'

/** A value a claim may equal. */
export type ClaimScalar = string | number | boolean

/** What a claim must hold: a value, one of a list, or a predicate over the value (`undefined` when absent). */
export type ClaimValueRule = ClaimScalar | readonly ClaimScalar[] | ((value: unknown) => boolean)

/** The rules as checked: one per claim. */
export type ClaimValueRules = readonly (readonly [claim: string, rule: readonly ClaimScalar[] | ((value: unknown) => boolean)])[]

const hasOwn = Object.prototype.hasOwnProperty

/** Normalises `claimValues` once, at construction. */
export function claimValueRules(input: Readonly<Record<string, ClaimValueRule>>): ClaimValueRules {
  return Object.freeze(
    Object.entries(input).map(([claim, rule]) => Object.freeze([claim, typeof rule === 'function' ? rule : Object.freeze(Array.isArray(rule) ? [...rule] : [rule])] as const)),
  )
}

/**
 * Throws unless every claim holds an accepted value (strict equality; an array claim is not
 * searched). An absent claim is `claim_missing`, another value (or a predicate that returns
 * anything but `true`, or throws) `claim_invalid`.
 */
export function assertClaimValues(payload: Record<string, unknown>, rules: ClaimValueRules): void {
  for (const [claim, rule] of rules) {
    const value = hasOwn.call(payload, claim) ? payload[claim] : undefined
    if (typeof rule === 'function') {
      let ok: unknown
      try {
        ok = rule(value)
      } catch (cause) {
        throw new BearerError('claim_invalid', { claim, cause, message: `The "${claim}" claim does not have an accepted value` })
      }
      if (ok === true) continue
    } else if (value !== undefined && rule.includes(value as ClaimScalar)) {
      continue
    }
    if (value === undefined) throw new BearerError('claim_missing', { claim, message: `The token has no "${claim}" claim` })
    throw new BearerError('claim_invalid', { claim, message: `The "${claim}" claim does not have an accepted value` })
  }
}
