/**
 * @module
 * Okta access tokens from a custom authorization server (`default` or your own).
 *
 * Sources: okta/okta-developer-docs `docs/reference/api/oidc/index.md`
 * (https://developer.okta.com/docs/reference/api/oidc/) and `docs/guides/validate-access-tokens`
 * (https://developer.okta.com/docs/guides/validate-access-tokens/).
 *
 * - `iss` is `https://{domain}/oauth2/{authorizationServer}`; keys at `{iss}/v1/keys`; RS256.
 * - `aud` is the authorization server's audience (e.g. `api://default`); `cid` the client.
 * - `scp` is an **array** of scopes (read as scopes here, with `scope`).
 * - Groups, when you add a `groups` claim, are roles here (`requireRoles`).
 * - The org authorization server (`https://{domain}` itself) issues access tokens meant for
 *   Okta alone, which Okta says not to validate: use a custom authorization server.
 */
import { ConfigError } from '../errors/config-error.js'
import { nonEmptyString, options, stringOrList, v } from '../lib/schema.js'
import { hostName, presetOptions, type PresetOptions } from './shared.js'

/** Options of `okta`. */
export interface OktaOptions {
  /** Your Okta domain, e.g. `dev-123456.okta.com`. */
  readonly domain: string
  /** The custom authorization server id. Default `'default'`. */
  readonly authorizationServer?: string
  /** The authorization server's audience, e.g. `api://default`. */
  readonly audience: string | readonly string[]
  /** The client id(s) whose tokens are accepted (`cid`). Default: any client of the server. */
  readonly clientId?: string | readonly string[]
}

const schema = options(
  {
    domain: nonEmptyString('your Okta domain, e.g. "dev-123456.okta.com"'),
    authorizationServer: v.optional(nonEmptyString('the custom authorization server id, e.g. "default"')),
    audience: stringOrList('the authorization server audience, e.g. "api://default"'),
    clientId: v.optional(stringOrList('the client id(s) whose tokens are accepted')),
  },
  'okta options: { domain, authorizationServer, audience }',
)

/**
 * Verifier options for Okta custom authorization server access tokens.
 *
 * Import from `tokengate/presets`.
 *
 * @example
 * const verifier = createVerifier(okta({ domain: 'dev-123456.okta.com', audience: 'api://default' }))
 * app.get('/orders', requireScopes('orders:read'), handler) // scp array
 */
export function okta(input: OktaOptions): PresetOptions<'jwksUri'> {
  const o = presetOptions('okta', schema, input)
  const domain = hostName('okta', 'domain', o.domain)
  const server = o.authorizationServer ?? 'default'
  if (!/^[A-Za-z0-9]+$/.test(server)) throw new ConfigError('okta', 'authorizationServer', 'expected an authorization server id such as "default" or "aus1a2b3c4d5e6f7g8h9"')
  const issuer = `https://${domain}/oauth2/${server}`
  return {
    issuer,
    audience: o.audience,
    jwksUri: `${issuer}/v1/keys`,
    algorithms: ['RS256'],
    roleClaims: ['groups'],
    ...(o.clientId === undefined ? {} : { claimValues: { cid: typeof o.clientId === 'string' ? o.clientId : [...o.clientId] } }),
  }
}
