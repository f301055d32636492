/**
 * @module
 * `ClaimMismatchError`: why `iss` or `aud` was refused, for the operator. It is the `cause`
 * of an `issuer_invalid` / `audience_invalid` `BearerError`; the client never sees it (the
 * challenge and the problem body carry only the reason's message).
 */

/** Longest claim value quoted in a message: the claim is the caller's text. */
const QUOTE_MAX = 200

/** A claim value as it appears in messages: JSON-quoted (no control characters reach a log), capped. */
export function quoteClaim(value: unknown): string {
  if (value === undefined) return 'absent'
  const text = JSON.stringify(value) ?? String(value)
  return text.length > QUOTE_MAX ? `${text.slice(0, QUOTE_MAX)}…` : text
}

/** How `actual` nearly matches one of `expected` (the usual setup mistakes), or `undefined`. */
function nearMiss(actual: unknown, expected: readonly string[]): { readonly value: string; readonly against: string; readonly how: string } | undefined {
  const values = typeof actual === 'string' ? [actual] : Array.isArray(actual) ? actual.filter((a): a is string => typeof a === 'string') : []
  for (const value of values) {
    for (const against of expected) {
      if (`${value}/` === against || `${against}/` === value) return { value, against, how: 'only by a trailing slash' }
      if (value.toLowerCase() === against.toLowerCase()) return { value, against, how: 'only in letter case' }
      if (value.replace(/^http:/, 'https:') === against.replace(/^http:/, 'https:')) return { value, against, how: 'only in http vs https' }
    }
  }
  return undefined
}

/** ` (differs only by a trailing slash)` when `actual` nearly matches `expected`, else `''`. */
export function nearMissNote(actual: unknown, expected: string): string {
  const near = nearMiss(actual, [expected])
  return near ? ` (differs ${near.how})` : ''
}

/**
 * The `cause` of `issuer_invalid` and `audience_invalid`: what the verifier expected and what
 * the token said, with a hint when they nearly match ("differ only by a trailing slash").
 * Operator-facing: it reaches logs (the verifier's `logger`) and your error handling, never
 * the client.
 *
 * Import from `tokengate`.
 *
 * @example
 * catch (err) {
 *   if (BearerError.is(err) && err.cause instanceof ClaimMismatchError) console.warn(err.cause.message)
 *   // iss "https://idp.example.com" is not the configured issuer "https://idp.example.com/" (differs only by a trailing slash)
 * }
 */
export class ClaimMismatchError extends Error {
  override readonly name = 'ClaimMismatchError' as const
  /** The claim that did not match. */
  readonly claim: 'iss' | 'aud'
  /** The configured values, any of which would have passed. */
  readonly expected: readonly string[]
  /** The token's value (`undefined` when the claim is absent). */
  readonly actual: unknown
  /** A near miss worth fixing in the configuration, e.g. "… differ only by a trailing slash". */
  readonly hint: string | undefined

  constructor(claim: 'iss' | 'aud', expected: readonly string[], actual: unknown) {
    const what = claim === 'iss' ? 'issuer' : 'audience'
    const listed = expected.slice(0, 5).map(quoteClaim).join(', ') + (expected.length > 5 ? ` and ${expected.length - 5} more` : '')
    const configured = expected.length === 1 ? `the configured ${what} ${listed}` : `any configured ${what} (${listed})`
    const near = nearMiss(actual, expected)
    const hint = near && `${quoteClaim(near.value)} differs from the configured ${quoteClaim(near.against)} ${near.how}`
    const short = near && (expected.length === 1 ? ` (differs ${near.how})` : ` (differs from ${quoteClaim(near.against)} ${near.how})`)
    super(`${claim} ${quoteClaim(actual)} is not ${configured}${short ?? ''}`)
    this.claim = claim
    this.expected = Object.freeze([...expected])
    this.actual = actual
    this.hint = hint
  }
}
