/**
 * @module
 * Microsoft Entra ID (Azure AD) access tokens, v1.0 and v2.0.
 *
 * Sources: MicrosoftDocs/entra-docs `docs/identity-platform/access-tokens.md`
 * (https://learn.microsoft.com/entra/identity-platform/access-tokens) and
 * `access-token-claims-reference.md` (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference).
 *
 * - The API's manifest (`accessTokenAcceptedVersion`) picks the token version, not the
 *   endpoint the client called: `version: 2` (default) or `1`.
 * - v2.0: `iss` is `https://login.microsoftonline.com/{tid}/v2.0`; keys at
 *   `https://login.microsoftonline.com/{tenant}/discovery/v2.0/keys`; `aud` is **always the
 *   API's client id (a GUID)**.
 * - v1.0: `iss` is `https://sts.windows.net/{tid}/` (trailing slash); keys at
 *   `.../{tenant}/discovery/keys`; `aud` is the client id **or** the App ID URI (`api://...`)
 *   the client asked for: list both.
 * - Multi-tenant (`common`, `organizations`): the metadata names the issuer template
 *   `https://login.microsoftonline.com/{tenantid}/v2.0`; a token passes only when its `tid`
 *   put into the template is exactly its `iss` ("Validate the issuer"). `organizations`
 *   refuses personal Microsoft accounts (tenant `9188040d-6c67-4c5b-b112-36a304b66dad`).
 * - RS256, header `typ` `JWT`. Delegated scopes in `scp` (a space-separated string); app roles
 *   and application permissions in `roles` (an array): `requireRoles`.
 */
import { ConfigError } from '../errors/config-error.js'
import { options, stringOrList, v } from '../lib/schema.js'
import { listOf, presetOptions, type PresetOptions } from './shared.js'

/** Options of `entra`. */
export interface EntraOptions {
  /**
   * Your tenant id (a GUID), several tenant ids, or `'organizations'` (any work or school
   * tenant), `'common'` (those and personal accounts) or `'consumers'` (personal accounts).
   */
  readonly tenant: string | readonly string[]
  /** The API's client id (v2.0), and for v1.0 also its App ID URI (`api://...`). */
  readonly audience: string | readonly string[]
  /** The token version the API accepts (`accessTokenAcceptedVersion`). Default 2. */
  readonly version?: 1 | 2
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
/** The tenant of personal Microsoft accounts (the `consumers` alias). */
export const CONSUMERS_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad'
const LOGIN = 'https://login.microsoftonline.com'

const schema = options(
  {
    tenant: stringOrList('your tenant id (a GUID), a list of them, or "organizations", "common" or "consumers"'),
    audience: stringOrList("the API's client id (and for v1.0 tokens its App ID URI)"),
    version: v.optional(v.picklist([1, 2], 'expected 1 or 2 (the API manifest\'s accessTokenAcceptedVersion)')),
  },
  'entra options: { tenant, audience, version }',
)

/**
 * Verifier options for Microsoft Entra ID access tokens.
 *
 * Import from `tokengate/presets`.
 *
 * @example
 * const verifier = createVerifier(entra({ tenant: '72f988bf-86f1-41af-91ab-2d7cd011db47', audience: '6e74172b-be56-4843-9ff4-e66a39bb12e3' }))
 * app.get('/reports', requireAnyScope('Reports.Read'), handler)   // scp, delegated
 * app.post('/jobs', requireRoles('Jobs.Run'), handler)           // roles, app permissions
 */
export function entra(input: EntraOptions): PresetOptions<'jwksUri'> {
  const o = presetOptions('entra', schema, input)
  const version = o.version ?? 2
  const audiences = listOf(o.audience)
  if (version === 2) {
    const uri = audiences.find((a) => !GUID.test(a))
    if (uri) throw new ConfigError('entra', 'audience', `v2.0 tokens carry the API's client id (a GUID) as aud, never ${JSON.stringify(uri.slice(0, 80))}; App ID URIs appear only in v1.0 tokens (version: 1)`)
  }
  const issuerOf = (tid: string) => (version === 2 ? `${LOGIN}/${tid}/v2.0` : `https://sts.windows.net/${tid}/`)
  const keysOf = (tenant: string) => `${LOGIN}/${tenant}/discovery/${version === 2 ? 'v2.0/' : ''}keys`
  const base = { audience: o.audience, algorithms: ['RS256'] as const, roleClaims: ['roles'] }
  if (typeof o.tenant === 'string' && ['common', 'organizations', 'consumers'].includes(o.tenant)) {
    if (o.tenant === 'consumers') {
      if (version === 1) throw new ConfigError('entra', 'version', 'personal accounts (consumers) get v2.0 tokens only')
      return { ...base, issuer: issuerOf(CONSUMERS_TENANT), jwksUri: keysOf('consumers') }
    }
    return {
      ...base,
      issuer: issuerOf('{tenantid}'),
      jwksUri: keysOf(o.tenant),
      // `organizations` is every work or school tenant: not the personal-accounts tenant.
      ...(o.tenant === 'organizations' ? { claimValues: { tid: (tid: unknown) => typeof tid === 'string' && tid.toLowerCase() !== CONSUMERS_TENANT } } : {}),
    }
  }
  const tenants = listOf(o.tenant)
  tenants.forEach((t, i) => {
    if (!GUID.test(t)) {
      throw new ConfigError('entra', typeof o.tenant === 'string' ? 'tenant' : `tenant.${i}`, 'expected a tenant id (a GUID, as in the token\'s tid), or "organizations", "common" or "consumers"; a domain name cannot be matched against iss')
    }
  })
  const lower = tenants.map((t) => t.toLowerCase())
  return { ...base, issuer: lower.length === 1 ? issuerOf(lower[0]!) : lower.map(issuerOf), jwksUri: keysOf(lower.length === 1 ? lower[0]! : 'common') }
}
