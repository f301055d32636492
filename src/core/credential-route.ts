/**
 * @module
 * Step 1 with opaque credentials (`introspection` or `apiKeys` configured): which path a
 * credential takes, decided by its shape before anything is decoded or sent anywhere
 * (DESIGN.md "Opaque credentials"), and the two opaque paths themselves.
 *
 * - a key with the API-key prefix → the key store (`apiKeys.verify`);
 * - three (or five) dot-separated segments → the JWT pipeline, when the verifier has a key
 *   source: a JWT the verifier can check is never sent to the introspection endpoint;
 * - anything else → introspection (RFC 7662), or `api_key_invalid` for an API-key-only verifier.
 *
 * `X-API-Key` (passed by the adapters as `request.apiKey`) only ever carries an API key.
 */
import { applyClaimsSchema, type ClaimsSchema } from '../claims/schema.js'
import { BearerError } from '../errors/bearer-error.js'
import type { ApiKeyVerifier } from '../apikeys/verifier.js'
import type { Introspector } from '../introspection/introspector.js'
import { deepFreeze } from '../lib/freeze.js'
import type { ApiKeyAuth, ApiKeyInfo, BearerAuth, IntrospectedAuth, VerifyRequestOptions } from '../lib/result.js'
import { assertScopes } from '../scopes/require.js'
import { grantedPermissions, grantedRoles } from '../scopes/roles.js'
import { assertToken68, readCredentials, type AuthorizationInput } from './authorization-header.js'

/** The path a credential takes. */
export type CredentialRoute = 'jwt' | 'introspect' | 'api_key'

/** What routing needs, derived once at construction. */
export interface OpaqueRouting {
  /** `prefix + '_'` of API keys; `undefined` without `apiKeys`. */
  readonly apiKeyPrefix: string | undefined
  readonly apiKeys: ApiKeyVerifier | undefined
  readonly introspect: Introspector | undefined
  /** The verifier has a key source: JWTs are verified locally. */
  readonly jwt: boolean
  readonly claimsSchema: ClaimsSchema<unknown> | undefined
  /** The verifier serves DPoP: `Authorization: DPoP <jwt>` is a credential (for the JWT path only). */
  readonly dpop: boolean
  /** Where roles are read from (the verifier's `roleClaims`), for `auth.roles`. */
  readonly roleClaims: readonly (readonly string[])[]
}

/** Roles and permissions of an opaque credential's claims, read as a JWT's are. */
function grants(o: OpaqueRouting, claims: Record<string, unknown>): { roles: readonly string[]; permissions: readonly string[] } {
  return { roles: Object.freeze(grantedRoles(claims, o.roleClaims)), permissions: Object.freeze(grantedPermissions(claims)) }
}

/** A credential and where it goes. */
export interface RoutedCredential {
  readonly route: CredentialRoute
  /** The credential; for the `jwt` route, the `Authorization` value goes to the JWT pipeline whole. */
  readonly credential: string
}

function dots(value: string): number {
  let n = 0
  for (let i = value.indexOf('.'); i !== -1; i = value.indexOf('.', i + 1)) n++
  return n
}

/** The route of a bearer credential by its shape alone. */
export function routeOf(o: OpaqueRouting, credential: string): CredentialRoute {
  if (o.apiKeyPrefix !== undefined && credential.startsWith(o.apiKeyPrefix)) return 'api_key'
  if (o.jwt) {
    // A compact JWS has three segments; a JWE five (refused there as token_encrypted).
    const n = dots(credential)
    if (n === 2 || n === 4 || o.introspect === undefined) return 'jwt'
  }
  if (o.introspect !== undefined) return 'introspect'
  throw new BearerError('api_key_invalid', { message: 'Only API keys are accepted here' })
}

/** One header value: a string, or the only element of a list; several are `header_malformed`. */
function single(value: string | readonly string[], name: string): string {
  if (typeof value === 'string') return value
  if (value.length === 1 && typeof value[0] === 'string') return value[0]
  throw new BearerError('header_malformed', { message: `Several ${name} headers were sent` })
}

/**
 * Step 1 for a verifier with opaque credentials: the credential of the request and its route.
 * An `X-API-Key` and bearer credentials in `Authorization` together are one credential too many
 * (RFC 6750 §2: one method per request): 400 `header_malformed`.
 */
export function routeRequest(o: OpaqueRouting, authorization: AuthorizationInput, request: VerifyRequestOptions, maxSize: number): RoutedCredential {
  const header = o.apiKeys === undefined || request.apiKey == null ? undefined : single(request.apiKey, 'X-API-Key').trim()
  if (header !== undefined && header !== '') {
    let bearer = true
    try {
      readCredentials(authorization, maxSize, o.dpop && o.jwt)
    } catch (err) {
      if (!(BearerError.is(err) && err.reason === 'token_missing')) throw err
      bearer = false
    }
    if (bearer) throw new BearerError('header_malformed', { message: 'Send the API key in X-API-Key or in Authorization, not both' })
    if (header.length > maxSize) throw new BearerError('token_too_large')
    if (!header.startsWith(o.apiKeyPrefix!)) throw new BearerError('api_key_invalid')
    return { route: 'api_key', credential: header }
  }
  // DPoP (RFC 9449) binds JWTs here: a DPoP credential goes to the JWT pipeline, which checks
  // its proof. Without a key source the scheme is not served (no credentials, as before).
  const { scheme, token: credential } = readCredentials(authorization, maxSize, o.dpop && o.jwt)
  if (scheme === 'DPoP') return { route: 'jwt', credential }
  const route = routeOf(o, credential)
  if (route !== 'jwt') assertToken68(credential)
  return { route, credential }
}

/** The claims of an API key: its own `claims`, then the registered ones it implies (which win). */
function apiKeyClaims(key: ApiKeyInfo): Record<string, unknown> {
  const claims: Record<string, unknown> = { ...key.claims, jti: key.id, iat: key.createdAt, scope: key.scopes.join(' ') }
  if (key.owner !== undefined) claims.sub = key.owner
  if (key.expiresAt !== undefined) claims.exp = key.expiresAt
  return claims
}

async function withSchema(o: OpaqueRouting, claims: Record<string, unknown>): Promise<Record<string, unknown>> {
  if (!o.claimsSchema) return claims
  const checked = applyClaimsSchema(o.claimsSchema, claims)
  return typeof (checked as Promise<unknown>).then === 'function' ? await checked : (checked as Record<string, unknown>)
}

function checkScopes(auth: BearerAuth, request: VerifyRequestOptions): BearerAuth {
  if (request.scopes) assertScopes(auth.scopes, request.scopes, request.scopeMode ?? 'all')
  return auth
}

/** The API-key path: the store's verdict, the claims schema, then the request's scopes. */
export async function verifyApiKeyCredential(o: OpaqueRouting, key: string, request: VerifyRequestOptions): Promise<BearerAuth> {
  let info: ApiKeyInfo
  try {
    info = await o.apiKeys!.verify(key)
  } catch (err) {
    // A custom verifier that fails some other way: fail closed, as an outage.
    throw BearerError.is(err) ? err : new BearerError('api_key_store_unavailable', { cause: err })
  }
  const own = apiKeyClaims(info)
  // Roles and permissions from the key's claims as stored, as a JWT's come from its payload
  // (not from the claims schema's output).
  const granted = grants(o, own)
  const claims = await withSchema(o, own)
  const auth: ApiKeyAuth = Object.freeze({ kind: 'api_key', token: key, claims: deepFreeze(claims), scopes: Object.freeze([...info.scopes]), ...granted, scheme: 'Bearer', apiKey: info })
  return checkScopes(auth, request)
}

/** The introspection path: the (cached) verdict of the authorization server, then the request's scopes. */
export async function verifyIntrospectedCredential(o: OpaqueRouting, token: string, request: VerifyRequestOptions): Promise<BearerAuth> {
  const checked = await o.introspect!(token)
  // The cache holds no token: each request's result carries its own.
  const auth: IntrospectedAuth = Object.freeze({ kind: 'introspected', token, claims: checked.claims, scopes: checked.scopes, roles: checked.roles, permissions: checked.permissions, scheme: 'Bearer' })
  return checkScopes(auth, request)
}
