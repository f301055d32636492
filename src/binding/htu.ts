/**
 * @module
 * Comparing a DPoP proof's `htu` with the request URL (RFC 9449 §4.3 check 9): without query
 * and fragment, after RFC 3986 syntax-based (§6.2.2) and scheme-based (§6.2.3) normalisation.
 */

// RFC 3986 §2.3: unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"
const UNRESERVED = /^[A-Za-z0-9\-._~]$/

/** §6.2.2.1 and §6.2.2.2: percent-encoded unreserved characters decoded, the others' hex upper-cased. */
function normalizePercent(path: string): string {
  if (!path.includes('%')) return path
  return path.replace(/%([0-9A-Fa-f]{2})/g, (escape, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16))
    return UNRESERVED.test(char) ? char : escape.toUpperCase()
  })
}

/**
 * The normalised form of an absolute http(s) URL for `htu` comparison, or `undefined` when it
 * is not one. The WHATWG parser gives §6.2.2.1 case (scheme, host), §6.2.2.3 dot segments and
 * §6.2.3 (default port, empty path as `/`); percent-encodings are normalised here. Query,
 * fragment and userinfo are left out.
 */
export function normalizeHtu(url: string | URL): string | undefined {
  let parsed: URL
  try {
    parsed = typeof url === 'string' ? new URL(url) : url
  } catch {
    return undefined
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined
  return parsed.origin + normalizePercent(parsed.pathname)
}

/** The URL without its query and fragment, as the cheap first comparison. */
function withoutQuery(url: string): string {
  const q = url.indexOf('?')
  const h = url.indexOf('#')
  const end = q === -1 ? h : h === -1 ? q : Math.min(q, h)
  return end === -1 ? url : url.slice(0, end)
}

/** True when the proof's `htu` names the request URL (query and fragment ignored). */
export function htuMatches(htu: string, requestUrl: string | URL): boolean {
  // The usual case: the client wrote the URL as the server rebuilds it.
  if (typeof requestUrl === 'string' && htu === withoutQuery(requestUrl)) return true
  const expected = normalizeHtu(requestUrl)
  return expected !== undefined && normalizeHtu(htu) === expected
}
