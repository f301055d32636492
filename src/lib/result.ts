/**
 * @module
 * What a successful verification returns, and what a call may ask for.
 */
import type { ScopeMode } from '../scopes/require.js'
import type { CertificateInput } from '../binding/binding-step.js'
import type { DpopRequest } from '../binding/dpop-proof.js'
import type { AuthScheme } from '../errors/www-authenticate.js'
import type { JwsHeader } from './token.js'

/** What kind of credential a request carried: a JWT verified locally, an introspected opaque token, or an API key. */
export type AuthKind = 'jwt' | 'introspected' | 'api_key'

/** Claims of any verified credential: the registered claims where known, plus anything else. */
export interface TokenClaims {
  readonly iss?: string
  readonly sub?: string
  readonly aud?: string | readonly string[]
  readonly exp?: number
  readonly nbf?: number
  readonly iat?: number
  readonly jti?: string
  readonly [claim: string]: unknown
}

/** Registered claims (RFC 7519 §4.1) as tokengate has checked them; `exp` is always there. */
export interface JwtClaims extends TokenClaims {
  readonly exp: number
}

/**
 * An RFC 7662 §2.2 introspection response, `active` removed: the members the authorization
 * server chose to return (`exp` and the others are optional there).
 */
export interface IntrospectionClaims extends TokenClaims {
  readonly scope?: string
  readonly client_id?: string
  readonly username?: string
  readonly token_type?: string
}

/** An API key's record, as `verify` and `list` return it: never the key, never its hash. */
export interface ApiKeyInfo {
  /** The key's public id (also inside the key, after the prefix). */
  readonly id: string
  /** A label for people, e.g. `'billing export'`. */
  readonly name: string
  /** Who the key acts for (a user, team or service id); the `sub` of its auth. */
  readonly owner: string | undefined
  readonly scopes: readonly string[]
  /** NumericDate (seconds) of creation. */
  readonly createdAt: number
  /** NumericDate the key stops working; `undefined` when it does not expire. */
  readonly expiresAt: number | undefined
  /** NumericDate of the last successful verification, to the minute; `undefined` before the first. */
  readonly lastUsedAt: number | undefined
  /** NumericDate it was revoked (or rotated without overlap); `undefined` while it is not. */
  readonly revokedAt: number | undefined
  /** The id of the key that replaced it through `rotate`. */
  readonly rotatedTo: string | undefined
  /** Its own rate limit, overriding the default of `createApiKeys`. */
  readonly rateLimit: { readonly points: number; readonly duration: number } | undefined
  /** Extra claims the key carries into `auth.claims` (a tenant, roles, ...). */
  readonly claims: Readonly<Record<string, unknown>> | undefined
}

/** A JWT verified locally: signature, time, claims. */
export interface JwtAuth<C extends object = object> {
  readonly kind: 'jwt'
  /** The raw token. */
  readonly token: string
  /** The verified claims, typed by the `claims` schema when one is given. */
  readonly claims: JwtClaims & C
  /** Distinct scopes granted by `scope` and `scp` (the verifier's `scopeClaims`). */
  readonly scopes: readonly string[]
  /** Distinct roles from the verifier's `roleClaims` (default `roles`; a preset adds its IdP's claim). */
  readonly roles: readonly string[]
  /** Distinct Auth0-style RBAC permissions, from the `permissions` claim. Never scopes. */
  readonly permissions: readonly string[]
  /** The verified JOSE header. */
  readonly header: JwsHeader
  /**
   * The scheme the token came with: `'DPoP'` when the request proved possession of the key the
   * token is bound to (RFC 9449), else `'Bearer'`.
   */
  readonly scheme?: AuthScheme
}

/** An opaque token the authorization server's introspection endpoint called active (RFC 7662). */
export interface IntrospectedAuth<C extends object = object> {
  readonly kind: 'introspected'
  /** The raw token. */
  readonly token: string
  /** The introspection response (without `active`), checked like a JWT's claims and by the `claims` schema. */
  readonly claims: IntrospectionClaims & C
  /** Distinct scopes granted by the response's `scope` (and `scp`, `permissions`). */
  readonly scopes: readonly string[]
  /** Opaque tokens have no JOSE header. */
  /** Distinct roles from the verifier's `roleClaims`, read from the claims as for a JWT. */
  readonly roles: readonly string[]
  /** Distinct Auth0-style RBAC permissions, from a `permissions` claim. Never scopes. */
  readonly permissions: readonly string[]
  /** Always `'Bearer'`: opaque credentials are never sender-constrained here. */
  readonly scheme?: AuthScheme
  readonly header?: undefined
}

/** An API key from `tokengate/apikeys`. */
export interface ApiKeyAuth<C extends object = object> {
  readonly kind: 'api_key'
  /** The key as sent. */
  readonly token: string
  /**
   * `sub` (the owner), `jti` (the key id), `iat`, `exp` (when it expires), `scope`, plus the
   * key's own `claims`, checked by the `claims` schema.
   */
  readonly claims: TokenClaims & C
  /** The key's scopes. */
  readonly scopes: readonly string[]
  /** The key's record. */
  readonly apiKey: ApiKeyInfo
  /** API keys have no JOSE header. */
  /** Distinct roles from the verifier's `roleClaims`, read from the claims as for a JWT. */
  readonly roles: readonly string[]
  /** Distinct Auth0-style RBAC permissions, from a `permissions` claim. Never scopes. */
  readonly permissions: readonly string[]
  /** Always `'Bearer'`: opaque credentials are never sender-constrained here. */
  readonly scheme?: AuthScheme
  readonly header?: undefined
}

/**
 * The result of a successful verification; `kind` says which credential it was. A verifier
 * without `introspection` or `apiKeys` only ever returns `JwtAuth`.
 */
export type BearerAuth<C extends object = object> = JwtAuth<C> | IntrospectedAuth<C> | ApiKeyAuth<C>

/** Per-call requirements. */
export interface VerifyRequestOptions {
  /** Scopes the request requires. Default none. */
  readonly scopes?: readonly string[]
  /** `all` (default): every scope is required; `any`: one is enough. */
  readonly scopeMode?: ScopeMode
  /** The route pattern (e.g. `/orders/:id`) reported in the outcome event; adapters pass it when they know it. */
  readonly route?: string
  /**
   * The request's DPoP parts (RFC 9449): the `DPoP` header, the method and the external URL.
   * Needed for `Authorization: DPoP` on a verifier with `dpop`; adapters pass them for you.
   */
  readonly dpop?: DpopRequest
  /**
   * The request's client certificate (RFC 8705 mTLS), PEM or DER, or a function returning it
   * (called only for a certificate-bound token). Adapters pass it through their `certificate` option.
   */
  readonly certificate?: CertificateInput
  /**
   * The request's `X-API-Key` header value(s), for a verifier with `apiKeys` (adapters pass it).
   * Ignored by verifiers without `apiKeys`.
   */
  readonly apiKey?: string | readonly string[] | null
}
