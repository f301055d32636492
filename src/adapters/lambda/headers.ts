/**
 * @module
 * Reading headers from API Gateway events: names in any casing (v1 keeps the client's), and
 * every value of a repeated field (v1 `multiValueHeaders`), so two credentials fail.
 */
import type { AuthorizationInput } from '../../core/authorization-header.js'
import type { EventHeaders } from './events.js'

/**
 * Every value of the token header (`lowerName`: `authorization`, or the verifier's `header`),
 * whatever its casing; several fail as `header_malformed`.
 */
export function authorizationOf(lowerName: string, headers: EventHeaders | null | undefined, multi?: { readonly [n: string]: readonly string[] | undefined } | null): AuthorizationInput {
  const is = (name: string) => name.length === lowerName.length && name.toLowerCase() === lowerName
  const all: string[] = []
  for (const [name, values] of Object.entries(multi ?? {})) if (is(name) && values) all.push(...values)
  if (all.length === 0) for (const [name, value] of Object.entries(headers ?? {})) if (is(name) && value !== undefined) all.push(value)
  return all.length <= 1 ? all[0] : all
}

/** The first value of a header, whatever its casing. */
export function headerOf(headers: EventHeaders | null | undefined, lowerName: string): string | undefined {
  for (const [name, value] of Object.entries(headers ?? {})) if (name.toLowerCase() === lowerName) return value
  return undefined
}

