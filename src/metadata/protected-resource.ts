/**
 * @module
 * RFC 9728 OAuth 2.0 Protected Resource Metadata: the document a client (an MCP client, say)
 * reads at `/.well-known/oauth-protected-resource` to learn which authorization servers issue
 * tokens for this resource, which scopes exist and how tokens may be sent.
 */
import { ConfigError } from '../errors/config-error.js'
import { verifierInternals } from '../core/create-verifier.js'
import { bool, fn, nonEmptyString, options, parseOptions, v } from '../lib/schema.js'

/** Options of `protectedResourceMetadata`; each becomes the RFC 9728 §2 member of the same name in snake_case. */
export interface ProtectedResourceMetadataOptions {
  /** The resource identifier: an https URL without fragment (RFC 9728 §1.2), usually the API's base URL. */
  readonly resource: string
  /** Issuer identifiers of the authorization servers whose tokens this resource accepts. */
  readonly authorizationServers?: readonly string[]
  /** Scopes this resource understands. */
  readonly scopesSupported?: readonly string[]
  /**
   * The verifier guarding the resource: with `dpop`, the document lists
   * `dpop_signing_alg_values_supported` (and `dpop_bound_access_tokens_required` with `dpop.required`).
   */
  readonly verifier?: { readonly realm: string }
  /** `jwks_uri`: this resource's own keys, when it signs responses. */
  readonly jwksUri?: string
  /** `resource_name`: a human-readable name. */
  readonly resourceName?: string
  /** `resource_documentation`: a URL of developer documentation. */
  readonly resourceDocumentation?: string
  /** `resource_policy_uri`. */
  readonly resourcePolicyUri?: string
  /** `resource_tos_uri`. */
  readonly resourceTosUri?: string
  /** `tls_client_certificate_bound_access_tokens` (RFC 8705). */
  readonly tlsClientCertificateBoundAccessTokens?: boolean
  /** More members, as they appear in the document (snake_case); they never replace the ones above. */
  readonly extra?: Readonly<Record<string, unknown>>
}

/** The RFC 9728 §2 document. */
export interface ProtectedResourceMetadata {
  readonly resource: string
  readonly authorization_servers?: readonly string[]
  readonly scopes_supported?: readonly string[]
  /** Always `['header']`: tokengate reads tokens from the `Authorization` header only. */
  readonly bearer_methods_supported: readonly string[]
  readonly dpop_signing_alg_values_supported?: readonly string[]
  readonly dpop_bound_access_tokens_required?: boolean
  readonly tls_client_certificate_bound_access_tokens?: boolean
  readonly jwks_uri?: string
  readonly resource_name?: string
  readonly resource_documentation?: string
  readonly resource_policy_uri?: string
  readonly resource_tos_uri?: string
  readonly [member: string]: unknown
}

const httpsOrLocal = (what: string) =>
  v.custom<string>((x) => typeof x === 'string' && isResourceUrl(x), `expected ${what}: an https URL (http only for localhost) without fragment`)

function isResourceUrl(value: string): boolean {
  if (!URL.canParse(value)) return false
  const url = new URL(value)
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]'
  return (url.protocol === 'https:' || (url.protocol === 'http:' && local)) && url.hash === '' && !value.includes('#')
}

const list = (what: string) => v.pipe(v.array(nonEmptyString(what), `expected a list of ${what}`), v.minLength(1, `expected at least one ${what}`))

const schema = options(
  {
    resource: httpsOrLocal('the resource identifier'),
    authorizationServers: v.optional(v.array(httpsOrLocal('an issuer identifier'), 'expected a list of issuer identifiers')),
    scopesSupported: v.optional(list('scope')),
    verifier: v.optional(fn('a verifier from createVerifier')),
    jwksUri: v.optional(httpsOrLocal('the JWKS URL')),
    resourceName: v.optional(nonEmptyString()),
    resourceDocumentation: v.optional(httpsOrLocal('a documentation URL')),
    resourcePolicyUri: v.optional(httpsOrLocal('a policy URL')),
    resourceTosUri: v.optional(httpsOrLocal('a terms-of-service URL')),
    tlsClientCertificateBoundAccessTokens: v.optional(bool()),
    extra: v.optional(v.looseObject({}, 'expected an object of extra members')),
  },
  'protected resource metadata options { resource, authorizationServers?, scopesSupported?, verifier?, ... }',
)

/**
 * The RFC 9728 protected resource metadata document for this API, frozen. Serve it at
 * `protectedResourceMetadataUrl(resource)` (the adapters' `resourceMetadataHandler` does), and
 * point challenges at it with the verifier option `resourceMetadata`.
 *
 * Import from `tokengate`.
 *
 * @example
 * const metadata = protectedResourceMetadata({
 *   resource: 'https://api.example.com',
 *   authorizationServers: ['https://idp.example.com/'],
 *   scopesSupported: ['read:orders'],
 *   verifier,
 * })
 */
export function protectedResourceMetadata(input: ProtectedResourceMetadataOptions): ProtectedResourceMetadata {
  const o = parseOptions('protectedResourceMetadata', schema, input)
  const challenge = o.verifier === undefined ? undefined : verifierInternals(o.verifier as unknown as { realm: string }).challenge
  const set = (name: string, value: unknown) => (value === undefined ? {} : { [name]: value })
  const own = {
    resource: o.resource,
    ...set('authorization_servers', o.authorizationServers),
    ...set('scopes_supported', o.scopesSupported),
    bearer_methods_supported: ['header'],
    ...set('dpop_signing_alg_values_supported', challenge?.dpopAlgs?.split(' ')),
    ...(challenge?.dpopAlgs !== undefined && !challenge.bearer ? { dpop_bound_access_tokens_required: true } : {}),
    ...set('tls_client_certificate_bound_access_tokens', o.tlsClientCertificateBoundAccessTokens),
    ...set('jwks_uri', o.jwksUri),
    ...set('resource_name', o.resourceName),
    ...set('resource_documentation', o.resourceDocumentation),
    ...set('resource_policy_uri', o.resourcePolicyUri),
    ...set('resource_tos_uri', o.resourceTosUri),
  }
  const clash = Object.keys(o.extra ?? {}).find((k) => k in own)
  if (clash !== undefined) throw new ConfigError('protectedResourceMetadata', `extra.${clash}`, 'set by its own option; give it there')
  return deepFreezeDocument({ ...o.extra, ...own })
}

function deepFreezeDocument<T extends object>(doc: T): T {
  for (const value of Object.values(doc)) if (typeof value === 'object' && value !== null) Object.freeze(value)
  return Object.freeze(doc)
}

/**
 * Where RFC 9728 §3.1 puts the metadata of `resource`: `/.well-known/oauth-protected-resource`
 * between the host and the path (`https://api.example.com/v1` →
 * `https://api.example.com/.well-known/oauth-protected-resource/v1`).
 *
 * Import from `tokengate`.
 *
 * @example
 * protectedResourceMetadataUrl('https://api.example.com') // 'https://api.example.com/.well-known/oauth-protected-resource'
 */
export function protectedResourceMetadataUrl(resource: string | URL): string {
  const url = new URL(resource)
  // §3.1: a terminating slash after the host is removed before inserting.
  const path = url.pathname === '/' ? '' : url.pathname
  return `${url.origin}/.well-known/oauth-protected-resource${path}${url.search}`
}

/**
 * The metadata as adapters serve it: the JSON body and its headers, computed once. Public
 * metadata, so any origin may read it (browser-based clients fetch it cross-origin).
 */
export function metadataResponse(input: ProtectedResourceMetadataOptions): { readonly body: string; readonly headers: Readonly<Record<string, string>> } {
  const document = protectedResourceMetadata(input)
  return Object.freeze({
    body: JSON.stringify(document),
    headers: Object.freeze({ 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=3600', 'Access-Control-Allow-Origin': '*' }),
  })
}
