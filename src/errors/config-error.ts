/**
 * @module
 * `ConfigError`: the one shape of a configuration mistake, from any part of the product
 * (verifier, adapters, guards, issuer, stores, key sources, presets). Thrown at construction,
 * never on the request path.
 */

const BRAND = Symbol.for('tokengate.ConfigError')

/**
 * A configuration mistake: a `TypeError` (so `catch (e) { if (e instanceof TypeError) … }`
 * keeps working) that names the offending option by its dotted path and says what to write
 * instead. The message reads `tokengate: invalid <component> option <option>: <what to do>`.
 *
 * Import from `tokengate`.
 *
 * @example
 * try {
 *   createVerifier({ issuer, jwksUri })
 * } catch (err) {
 *   if (ConfigError.is(err)) console.error(err.option) // 'audience'
 * }
 */
export class ConfigError extends TypeError {
  override readonly name = 'ConfigError' as const
  /** The dotted path of the offending option, e.g. `'jwksCache.timeout'` or `'issuers.1.audience'`. */
  readonly option: string
  /** What was being configured: `'verifier'`, `'issuer'`, `'express'`, `'redisStore'`, ... */
  readonly component: string
  /** What is wrong and what to write instead: the message without its prefix. */
  readonly detail: string

  constructor(component: string, option: string, message: string, options?: { cause?: unknown }) {
    super(`tokengate: invalid ${component} option ${option}: ${message}`, options)
    this.component = component
    this.option = option
    this.detail = message
  }

  /** The same mistake inside a larger option (`jwks` of `issuers.1` is `issuers.1.jwks`). */
  under(prefix: string, component = this.component): ConfigError {
    return new ConfigError(component, prefix === '' ? this.option : `${prefix}.${this.option}`, this.detail, { cause: this.cause })
  }

  /** True for any tokengate `ConfigError`, even from another copy of the package (ESM and CJS). */
  static is(value: unknown): value is ConfigError {
    return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true
  }
}
Object.defineProperty(ConfigError.prototype, BRAND, { value: true })

/** A dotted option path from path segments (`['issuers', 1, 'audience']` → `issuers.1.audience`). */
export function optionPath(segments: readonly PropertyKey[]): string {
  return segments.length === 0 ? 'options' : segments.map(String).join('.')
}
