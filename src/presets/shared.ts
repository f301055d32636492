/**
 * @module
 * What every preset shares: its return type (verifier options with one key source, ready for
 * `createVerifier` and for spreading and overriding), option parsing, and checks of the
 * strings IdP URLs are built from.
 */
import type { CommonVerifierOptions, IssuerAudienceOptions, KeySourceName, KeySourceOptions } from '../core/options.js'
import { ConfigError } from '../errors/config-error.js'
import { parseOptions, type InferOutput, type OptionSchema } from '../lib/schema.js'

/**
 * The verifier options a preset returns: a single issuer (or list, or `{tenantid}` template),
 * an audience, and one key source `K`. Works as is (`createVerifier(cognito({...}))`), and
 * spreads: `{ ...cognito({...}), jwksUri: testServer.jwksUri, clockTolerance: 10 }`.
 */
export type PresetOptions<K extends KeySourceName = KeySourceName> = CommonVerifierOptions &
  IssuerAudienceOptions &
  Extract<KeySourceOptions, { readonly [P in K]: unknown }>

/** Parses a preset's own options; mistakes are `ConfigError`s named after the preset (`cognito`, ...). */
export function presetOptions<S extends OptionSchema>(preset: string, schema: S, input: unknown): InferOutput<S> {
  return parseOptions(preset, schema, input ?? {})
}

// A DNS name (no scheme, path or port): what IdP URLs are built from, checked before they are.
const HOST = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i

/** A bare host name, e.g. `my-tenant.eu.auth0.com`; a URL given instead gets a message saying so. */
export function hostName(preset: string, option: string, value: string): string {
  if (HOST.test(value)) return value.toLowerCase()
  const hint = /^https?:\/\//i.test(value) ? `; give the host only, e.g. ${JSON.stringify(value.replace(/^https?:\/\//i, '').replace(/\/.*$/, ''))}` : ''
  throw new ConfigError(preset, option, `expected a host name such as "my-tenant.example.com"${hint}`)
}

/** A string or a list of strings as a list. */
export const listOf = (value: string | readonly string[]): readonly string[] => (typeof value === 'string' ? [value] : value)

/** An option that must be given, `null` included (`null` opts out of a check explicitly). */
export function requireOrNull(preset: string, input: unknown, option: string, what: string): void {
  if (typeof input === 'object' && input !== null && (input as Record<string, unknown>)[option] === undefined) {
    throw new ConfigError(preset, option, `required: ${what}`)
  }
}
