/**
 * @module
 * Minting RFC 9068 access tokens: `typ: at+jwt`, `kid`, and `iss`, `sub`, `aud`, `exp`,
 * `iat`, `jti`, `client_id` (when given), `scope` (when any) and `sid` (the refresh family,
 * so revoking a family reaches its access tokens).
 */
import { SignJWT } from 'jose'
import type { SigningKey } from './signing-key.js'

/** Claims `issue()` sets itself; passing them in `claims` is a mistake. */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set(['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'scope', 'client_id', 'sid', 'cnf'])

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
}

/** Signs one access token with the active key. */
export function signAccessToken(key: SigningKey, t: AccessTokenInput): Promise<string> {
  const payload: Record<string, unknown> = { ...t.claims, sid: t.familyId }
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
