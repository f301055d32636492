/**
 * @module
 * `routeFetch`: a `fetch` for the verifier's `fetch` option that answers an IdP's real key
 * URLs from local servers, so a preset is tested with the URLs it really builds.
 */
import { ConfigError } from '../errors/config-error.js'

/**
 * A `fetch` that sends each request whose URL starts with a key of `routes` to that prefix's
 * value instead (the longest matching prefix wins). A URL with no route is refused, so a test
 * never reaches the real IdP; `calls` lists the URLs asked for, as the verifier built them.
 *
 * Import from `tokengate/testing`.
 *
 * @example
 * const server = await kit.server()
 * const verify = createVerifier({ ...firebase({ projectId: 'my-project' }),
 *   fetch: routeFetch({ [FIREBASE_CERTIFICATES]: server.x509Uri }) })
 */
export function routeFetch(routes: Readonly<Record<string, string>>): typeof fetch & { readonly calls: readonly string[] } {
  const prefixes = Object.keys(routes).sort((a, b) => b.length - a.length)
  for (const prefix of prefixes) {
    if (!URL.canParse(prefix) || !URL.canParse(routes[prefix]!)) throw new ConfigError('testing', `routeFetch.${prefix}`, 'expected absolute URLs as both the prefix and its replacement')
  }
  const calls: string[] = []
  const routed = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    calls.push(url)
    const prefix = prefixes.find((p) => url.startsWith(p))
    if (prefix === undefined) throw new TypeError(`routeFetch: no route for ${url}`)
    return fetch(routes[prefix]! + url.slice(prefix.length), init)
  }) as typeof fetch & { calls: readonly string[] }
  Object.defineProperty(routed, 'calls', { value: calls, enumerable: true })
  return routed
}
