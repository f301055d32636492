/**
 * @module
 * Parsed JOSE headers by their encoded text. An issuer sends the same few headers (`alg`,
 * `typ`, `kid`) on every token, so decoding and parsing each one once per verifier saves a
 * base64url decode and a `JSON.parse` per request. Bounded: when full it starts over, so a
 * flood of distinct headers costs what having no cache costs, and no more memory.
 */

/** Distinct headers kept: issuers rotate through a handful of keys. */
export const PARSED_HEADERS_MAX = 64

/** What the token parser needs: a map from encoded header to its frozen parse. */
export interface ParsedHeaders {
  get(encoded: string): Readonly<Record<string, unknown>> | undefined
  set(encoded: string, header: Readonly<Record<string, unknown>>): void
}

/**
 * A bounded store of parsed headers, one per verifier.
 *
 * @example
 * const headers = createParsedHeaders()
 */
export function createParsedHeaders(max = PARSED_HEADERS_MAX): ParsedHeaders {
  const map = new Map<string, Readonly<Record<string, unknown>>>()
  // The header seen last: one string comparison, cheaper than hashing a fresh string, and
  // right most of the time (an issuer signs with one key at a time).
  let lastEncoded = ''
  let lastHeader: Readonly<Record<string, unknown>> | undefined
  return {
    get: (encoded) => {
      if (encoded === lastEncoded) return lastHeader
      const header = map.get(encoded)
      if (header !== undefined) {
        lastEncoded = encoded
        lastHeader = header
      }
      return header
    },
    set: (encoded, header) => {
      if (map.size >= max) map.clear()
      map.set(encoded, header)
    },
  }
}
