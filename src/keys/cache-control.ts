/**
 * @module
 * How long a response says it stays fresh (RFC 9111 §4.2.1), read as a private cache would:
 * `Cache-Control: max-age` first, then `Expires` against `Date`, less `Age`. The caller clamps
 * the result between its floor and ceiling.
 */

const MAX_AGE = /^max-age\s*=\s*"?(\d+)"?$/i

/**
 * The freshness lifetime a response advertises, in seconds, or `undefined` when it says
 * nothing usable. `no-store` and `no-cache` count as 0 (refresh as soon as the floor allows).
 *
 * @example
 * freshnessLifetime(new Headers({ 'cache-control': 'public, max-age=300' }), Date.now()) // 300
 */
export function freshnessLifetime(headers: Headers, nowMs: number): number | undefined {
  const age = parseSeconds(headers.get('age')) ?? 0
  const cacheControl = headers.get('cache-control')
  if (cacheControl) {
    let maxAge: number | undefined
    for (const raw of cacheControl.split(',')) {
      const directive = raw.trim()
      const lower = directive.toLowerCase()
      if (lower === 'no-store' || lower === 'no-cache') return 0
      // RFC 9111 §4.2.1: with several max-age directives, the first one is used.
      if (maxAge === undefined) {
        const match = MAX_AGE.exec(directive)
        if (match) maxAge = Number(match[1])
      }
    }
    if (maxAge !== undefined) return Math.max(0, maxAge - age)
  }
  const expires = headers.get('expires')
  if (expires !== null) {
    const at = Date.parse(expires)
    // RFC 9111 §5.3: an invalid Expires (e.g. "0") means already expired.
    if (Number.isNaN(at)) return 0
    const date = Date.parse(headers.get('date') ?? '')
    // Against the server's own Date when present, so a skewed local clock does not matter.
    const base = Number.isNaN(date) ? nowMs : date
    return Math.max(0, Math.floor((at - base) / 1000) - age)
  }
  return undefined
}

function parseSeconds(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value.trim())) return undefined
  return Number(value.trim())
}
