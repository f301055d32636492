/**
 * @module
 * What a successful verification returns, and what a call may ask for.
 */
import type { ScopeMode } from '../scopes/require.js'
import type { CertificateInput } from '../binding/binding-step.js'
import type { DpopRequest } from '../binding/dpop-proof.js'
import type { AuthScheme } from '../errors/www-authenticate.js'
import type { JwsHeader } from './token.js'

/** Registered claims (RFC 7519 §4.1) as tokengate has checked them; `exp` is always there. */
export interface JwtClaims {
  readonly iss?: string
  readonly sub?: string
  readonly aud?: string | readonly string[]
  readonly exp: number
  readonly nbf?: number
  readonly iat?: number
  readonly jti?: string
  readonly [claim: string]: unknown
}

/** The result of a successful verification. */
export interface BearerAuth<C extends object = object> {
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

/** Per-call requirements. */
export interface VerifyRequestOptions {
  /** Scopes the request requires. Default none. */
  readonly scopes?: readonly string[]
  /** `all` (default): every scope is required; `any`: one is enough. */
  readonly scopeMode?: ScopeMode
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
}
