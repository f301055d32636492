/**
 * @module
 * Keycloak (17 and later; older WildFly builds put `/auth` before `/realms`) access tokens.
 *
 * - `iss` is `{url}/realms/{realm}`; keys (JWKS) at `{iss}/protocol/openid-connect/certs`
 *   (https://www.keycloak.org/securing-apps/oidc-layers, "Available endpoints";
 *   https://www.keycloak.org/migration/migrating-to-quarkus for the removed `/auth`).
 * - Besides the header `typ` (`JWT`, or `at+jwt` when the client opts in), Keycloak writes
 *   its own payload `typ`: `Bearer` for access tokens, `ID` for ID tokens, `Refresh`, ...
 *   Only `Bearer` is accepted, so an ID or refresh token is never taken for an access token
 *   (keycloak/keycloak `core/src/main/java/org/keycloak/util/TokenUtil.java`).
 * - `aud` is only present when an Audience mapper (or the "audience resolve" mapper) adds
 *   it: pass `audience: null` to skip the check if yours adds none; `azp` is the client.
 * - Realm roles are `realm_access.roles`, client roles `resource_access.{clientId}.roles`
 *   (keycloak/keycloak `OIDCLoginProtocolFactory.java`): both are roles here, the client's
 *   being those of `clientId` (default: the `audience`, when it is one string).
 * - The realm chooses the algorithm (RS256 by default); the JWKS names each key's.
 */
import { nonEmptyString, options, stringOrList, v } from '../lib/schema.js'
import { ConfigError } from '../errors/config-error.js'
import { presetOptions, requireOrNull, type PresetOptions } from './shared.js'

/** Options of `keycloak`. */
export interface KeycloakOptions {
  /** The server's base URL, e.g. `https://sso.example.com` (add `/auth` for Keycloak before 17). */
  readonly url: string
  /** The realm name. */
  readonly realm: string
  /** The `aud` your Audience mapper adds (usually the API's client id), or `null` when there is none. Required. */
  readonly audience: string | readonly string[] | null
  /** The client whose client roles count as roles (`resource_access.{clientId}.roles`). Default: `audience` when it is one string. */
  readonly clientId?: string
}

const schema = options(
  {
    url: nonEmptyString('the Keycloak base URL, e.g. "https://sso.example.com"'),
    realm: nonEmptyString('the realm name'),
    audience: v.nullable(stringOrList('the aud your Audience mapper adds')),
    clientId: v.optional(nonEmptyString('the client id whose client roles count')),
  },
  'keycloak options: { url, realm, audience }',
)

/**
 * Verifier options for Keycloak access tokens, with realm and client roles as roles.
 *
 * Import from `tokengate/presets`.
 *
 * @example
 * const verifier = createVerifier(keycloak({ url: 'https://sso.example.com', realm: 'shop', audience: 'orders-api' }))
 * app.delete('/orders/:id', requireRoles('orders-admin'), handler) // realm_access / resource_access roles
 */
export function keycloak(input: KeycloakOptions): PresetOptions<'jwksUri'> {
  requireOrNull('keycloak', input, 'audience', 'the aud your Audience mapper adds (usually the API client id), or null if it adds none')
  const o = presetOptions('keycloak', schema, input)
  const base = URL.canParse(o.url) ? new URL(o.url) : undefined
  if (!base || (base.protocol !== 'https:' && base.protocol !== 'http:') || base.search || base.hash) {
    throw new ConfigError('keycloak', 'url', 'expected the http(s) base URL of the server, e.g. "https://sso.example.com"')
  }
  if (/[/?#]/.test(o.realm)) throw new ConfigError('keycloak', 'realm', 'expected a realm name, not a path')
  const issuer = `${base.href.replace(/\/+$/, '')}/realms/${encodeURIComponent(o.realm)}`
  const clientId = o.clientId ?? (typeof o.audience === 'string' ? o.audience : undefined)
  return {
    issuer,
    audience: o.audience,
    jwksUri: `${issuer}/protocol/openid-connect/certs`,
    claimValues: { typ: 'Bearer' },
    roleClaims: ['realm_access.roles', ...(clientId === undefined ? [] : [['resource_access', clientId, 'roles']])],
  }
}
