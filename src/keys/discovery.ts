/**
 * @module
 * Discovery (`discovery: true | url`): find an issuer's `jwks_uri` from its OpenID Connect
 * (`/.well-known/openid-configuration`) or RFC 8414 (`/.well-known/oauth-authorization-server`)
 * metadata, after checking the document speaks for that exact issuer.
 */
import { nearMissNote } from '../errors/claim-mismatch.js'
import { ConfigError } from '../errors/config-error.js'
import { fetchJson, FetchFailure } from './fetch-json.js'
import type { RemoteKeySourceOptions } from './remote-jwks.js'
import type { KeySourceFactory } from './key-source.js'
import { remoteKeySource } from './remote-jwks.js'

/** Options of `discoveryJwks`: where the metadata lives, plus the key cache settings. */
export interface DiscoveryOptions extends RemoteKeySourceOptions {
  /** The metadata document URL. Default: derived from the issuer, OIDC first, then RFC 8414. */
  readonly url?: string | URL
}

function httpUrl(value: string | URL, what: string): URL {
  const url = URL.canParse(value) ? new URL(value) : undefined
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) throw new ConfigError('verifier', what, 'expected an http(s) URL')
  return url
}

/**
 * The metadata URLs for an issuer, in the order they are tried: OpenID Connect Discovery 1.0
 * §4 (path + `/.well-known/openid-configuration`), then RFC 8414 §3.1 (well-known segment
 * inserted between host and path).
 *
 * @example
 * discoveryUrls('https://idp.example.com/tenant1')
 * // ['https://idp.example.com/tenant1/.well-known/openid-configuration',
 * //  'https://idp.example.com/.well-known/oauth-authorization-server/tenant1']
 */
export function discoveryUrls(issuer: string): readonly string[] {
  const url = httpUrl(issuer, 'issuer')
  // Both specs: an issuer identifier has no query and no fragment.
  if (url.search || url.hash) throw new ConfigError('verifier', 'issuer', 'discovery needs an issuer without query or fragment')
  const path = url.pathname.replace(/\/$/, '')
  return [`${url.origin}${path}/.well-known/openid-configuration`, `${url.origin}/.well-known/oauth-authorization-server${path}`]
}

/** A value of the metadata for a message: strings cut short, anything else by its type (never serialised: it may nest deep enough to exhaust the stack). */
const short = (value: unknown): string =>
  typeof value === 'string' ? JSON.stringify(value.slice(0, 200)) : value === undefined || value === null ? String(value) : `a ${Array.isArray(value) ? 'list' : typeof value}`

/** The `jwks_uri` of a metadata document, or a `FetchFailure` saying what is wrong with it. */
export function jwksUriOf(document: unknown, issuer: string, source: string): string {
  return metadataEndpoint(document, issuer, source, 'jwks_uri')
}

/**
 * An endpoint URL of a metadata document (`jwks_uri`, `introspection_endpoint`, ...), after
 * checking the document names exactly `issuer`; https unless the issuer itself is http.
 */
export function metadataEndpoint(document: unknown, issuer: string, source: string, member: string): string {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new FetchFailure('discovery_invalid', 'metadata is not a JSON object', source)
  }
  const { issuer: stated, [member]: endpoint } = document as Record<string, unknown>
  // OIDC Discovery §4.3, RFC 8414 §3.3: the document must name exactly the configured issuer,
  // or it may be an attacker's (or another tenant's) metadata.
  if (stated !== issuer) throw new FetchFailure('issuer_mismatch', `metadata issuer ${short(stated)} is not the configured ${short(issuer)}${nearMissNote(stated, issuer)}`, source)
  if (typeof endpoint !== 'string' || !URL.canParse(endpoint)) {
    throw new FetchFailure('discovery_invalid', `metadata ${member} ${short(endpoint)} is not a URL`, source)
  }
  const url = new URL(endpoint)
  const issuerHttps = new URL(issuer).protocol === 'https:'
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && !issuerHttps)) {
    throw new FetchFailure('discovery_invalid', `metadata ${member} must be ${issuerHttps ? 'https' : 'http(s)'}`, source)
  }
  return url.href
}

/**
 * A key source that discovers the issuer's `jwks_uri`, then behaves as `remoteJwks` on it.
 * Discovery runs on first use (or `warm()`), once; a failure is retried after the cooldown
 * and answers 503 `jwks_unavailable` meanwhile.
 *
 * Import from `tokengate`.
 *
 * @example
 * createVerifier({ issuer: 'https://idp.example.com/', audience, discovery: true })
 * createVerifier({ issuer, audience, keys: discoveryJwks(issuer, { cooldown: '1m' }) })
 */
export function discoveryJwks(issuer: string, options: DiscoveryOptions = {}): KeySourceFactory {
  const { url, ...cacheOptions } = options
  const candidates = url === undefined ? discoveryUrls(issuer) : [httpUrl(url, 'discovery').href]
  return remoteKeySource((ctx, o) => {
    let jwksUri: string | undefined

    async function discover(): Promise<string> {
      for (let i = 0; ; i++) {
        const source = candidates[i]!
        try {
          const { body } = await fetchJson(source, { fetch: ctx.fetch, timeoutMs: o.timeoutMs, maxBytes: o.maxBytes, accept: 'application/json' })
          jwksUri = jwksUriOf(body, issuer, source)
          ctx.onEvent({ type: 'discovery', uri: source, issuer, jwksUri })
          return jwksUri
        } catch (err) {
          // Only "not here" moves on to the next well-known location; anything else is an answer.
          const notHere = err instanceof FetchFailure && err.code === 'http_status' && i + 1 < candidates.length
          if (!notHere) throw err
        }
      }
    }

    return {
      label: () => jwksUri ?? candidates[0]!,
      resolve: () => jwksUri ?? discover(),
      pendingFetches: () => (jwksUri === undefined ? candidates.length : 0),
    }
  }, cacheOptions)
}
