/**
 * @module
 * Minting RFC 9068 access tokens: `typ: at+jwt`, `kid`, and `iss`, `sub`, `aud`, `exp`,
 * `iat`, `jti`, `client_id` (when given), `scope` (when any) and `sid` (the refresh family,
 * so revoking a family reaches its access tokens).
 */
import { SignJWT } from 'jose'
import type { SigningKey } from './signing-key.js'

/**
 * Where a refresh family keeps its DPoP binding (the key thumbprint) inside its stored claims
 * JSON, which every store round-trips. Never a claim: the access token gets `cnf: { jkt }` from
 * it, so neither `issue()` input nor a store record can put a `cnf` of its own into a token.
 */
export const DPOP_BINDING_MEMBER = 'tokengate:dpop_jkt'

/** Claims the issuer sets itself on every access token (or leaves out on purpose), and its own binding member. */
export const ISSUER_CLAIMS: ReadonlySet<string> = new Set(['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'scope', 'client_id', 'sid', 'cnf', DPOP_BINDING_MEMBER])

/**
 * Claims `issue({ claims })` may not carry: the ones the issuer sets, and every claim a
 * verifier or a guard reads as authority (scopes, permissions, roles and groups in each IdP's
 * spelling, key binding, delegation, authentication strength, tenant). Give scopes as
 * `scopes` and roles as `roles`.
 */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  ...ISSUER_CLAIMS,
  'scp',
  'permissions',
  'roles',
  'groups',
  'realm_access',
  'resource_access',
  'cognito:groups',
  'cognito:roles',
  'wids',
  'azp',
  'act',
  'may_act',
  'acr',
  'amr',
  'auth_time',
  'token_use',
  'tid',
])

export interface AccessTokenInput {
  readonly issuer: string
  readonly audience: string | readonly string[]
  readonly sub: string
  /** Space-delimited; omitted from the token when empty. */
  readonly scope: string
  readonly clientId: string | undefined
  readonly familyId: string
  readonly jti: string
  /** NumericDates. */
  readonly iat: number
  readonly exp: number
  readonly claims: Readonly<Record<string, unknown>> | undefined
  /** The RFC 7638 thumbprint of the DPoP key the family is bound to: the token's `cnf.jkt` (RFC 9449 §6). */
  readonly jkt?: string | undefined
}

/** Signs one access token with the active key. */
export function signAccessToken(key: SigningKey, t: AccessTokenInput): Promise<string> {
  // The stored claims passed issue()'s checks; claims the issuer sets are dropped here too, so
  // a record written some other way (an older version, a shared store) cannot set them either.
  const payload: Record<string, unknown> = {}
  if (t.claims) for (const name of Object.keys(t.claims)) if (!ISSUER_CLAIMS.has(name) && name !== '__proto__') payload[name] = t.claims[name]
  payload.sid = t.familyId
  if (t.jkt !== undefined) payload.cnf = { jkt: t.jkt }
  if (t.scope !== '') payload.scope = t.scope
  if (t.clientId !== undefined) payload.client_id = t.clientId
  return new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, typ: 'at+jwt', ...(key.kid === undefined ? {} : { kid: key.kid }) })
    .setIssuer(t.issuer)
    .setSubject(t.sub)
    .setAudience(typeof t.audience === 'string' ? t.audience : [...t.audience])
    .setIssuedAt(t.iat)
    .setExpirationTime(t.exp)
    .setJti(t.jti)
    .sign(key.key)
}
