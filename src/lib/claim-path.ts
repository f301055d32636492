/**
 * @module
 * Claim paths: where a value sits in a token's claims, as `'a.b'` or `['a', 'b']`. Role
 * claims (`realm_access.roles`) and `requireClaim` use them. Lookups read own properties
 * only, so `constructor` or `__proto__` never resolve to something the token did not carry.
 */
import { ConfigError } from '../errors/config-error.js'

/** A claim path: `'realm_access.roles'`, or segments (`['https://example.com/roles']`) for names with dots. */
export type ClaimPathInput = string | readonly string[]

/**
 * The segments of a claim path, checked once at setup. A string is split on dots; a name
 * that contains dots itself (an Auth0 namespaced claim such as `https://example.com/roles`)
 * must be given as a one-element array, and a string that looks like one is refused rather
 * than split into nonsense.
 */
export function parseClaimPath(component: string, option: string, path: unknown): readonly string[] {
  if (typeof path === 'string') {
    if (path === '') throw new ConfigError(component, option, 'expected a claim path such as "roles" or "realm_access.roles", got ""')
    if (path.includes('://')) {
      throw new ConfigError(component, option, `a claim name with dots must be given as an array: [${JSON.stringify(path.length > 60 ? `${path.slice(0, 60)}…` : path)}]`)
    }
    const segments = path.split('.')
    if (segments.some((s) => s === '')) throw new ConfigError(component, option, `expected dot-separated claim names, got ${JSON.stringify(path)}`)
    return Object.freeze(segments)
  }
  if (Array.isArray(path) && path.length > 0 && path.every((s) => typeof s === 'string' && s !== '')) return Object.freeze([...(path as string[])])
  throw new ConfigError(component, option, 'expected a claim path: a string such as "realm_access.roles", or an array of claim names such as ["https://example.com/roles"]')
}

/** The path as people write it, for messages: `realm_access.roles`. */
export function formatClaimPath(segments: readonly string[]): string {
  return segments.join('.')
}

const hasOwn = Object.prototype.hasOwnProperty

/** The value at `segments`, reading own properties only; `undefined` when any step is absent or not an object. */
export function claimAt(claims: unknown, segments: readonly string[]): unknown {
  let value = claims
  for (let i = 0; i < segments.length; i++) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
    const key = segments[i]!
    if (!hasOwn.call(value, key)) return undefined
    value = (value as Record<string, unknown>)[key]
  }
  return value
}
