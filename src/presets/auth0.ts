/**
 * @module
 * Auth0 access tokens (both token profiles, "Auth0" and "RFC 9068").
 *
 * - `iss` is `https://{domain}/`, with the trailing slash; keys at
 *   `https://{domain}/.well-known/jwks.json` (https://auth0.com/docs/secure/tokens/access-tokens/access-token-profiles,
 *   https://auth0.com/docs/secure/tokens/json-web-tokens/locate-json-web-key-sets).
 * - RS256 (PS256 selectable per API; HS256 needs the API's secret, not a JWKS)
 *   (https://auth0.com/docs/get-started/applications/signing-algorithms).
 * - `aud` may be an array (the API identifier and `https://{domain}/userinfo`); any match passes.
 * - `scope` is a space-separated string. With RBAC and "Add Permissions in the Access Token",
 *   `permissions` is an array: `requirePermissions`, never scopes
 *   (https://auth0.com/docs/get-started/apis/enable-role-based-access-control-for-apis).
 * - RFC 9068 profile tokens carry `typ: at+jwt`; the default profile `JWT` (or none): both pass.
 * - Roles are custom, namespaced claims you add in an Action: set `roleClaims` to read them,
 *   e.g. `roleClaims: [['https://my-app.example.com/roles']]`.
 */
import { nonEmptyString, options, stringOrList } from '../lib/schema.js'
import { hostName, presetOptions, type PresetOptions } from './shared.js'

/** Options of `auth0`. */
export interface Auth0Options {
  /** Your tenant's domain (or custom domain), e.g. `my-tenant.eu.auth0.com`. */
  readonly domain: string
  /** Your API's identifier(s): the `aud` Auth0 puts in access tokens for it. */
  readonly audience: string | readonly string[]
}

const schema = options(
  { domain: nonEmptyString('your Auth0 domain, e.g. "my-tenant.eu.auth0.com"'), audience: stringOrList('the API identifier, e.g. "https://api.example.com"') },
  'auth0 options: { domain, audience }',
)

/**
 * Verifier options for Auth0 access tokens.
 *
 * Import from `tokengate/presets`.
 *
 * @example
 * const verifier = createVerifier(auth0({ domain: 'my-tenant.eu.auth0.com', audience: 'https://api.example.com' }))
 * app.post('/messages', requirePermissions('create:messages'), handler) // RBAC permissions
 */
export function auth0(input: Auth0Options): PresetOptions<'jwksUri'> {
  const o = presetOptions('auth0', schema, input)
  const domain = hostName('auth0', 'domain', o.domain)
  return {
    issuer: `https://${domain}/`,
    audience: o.audience,
    jwksUri: `https://${domain}/.well-known/jwks.json`,
    algorithms: ['RS256', 'PS256'],
  }
}
