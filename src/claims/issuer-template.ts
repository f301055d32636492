/**
 * @module
 * Issuer templates: Microsoft Entra ID's multi-tenant metadata (`common`, `organizations`)
 * names its issuer `https://login.microsoftonline.com/{tenantid}/v2.0` (v1:
 * `https://sts.windows.net/{tenantid}/`). A token matches only when its `tid` is a GUID and
 * the template with `tid` put in is exactly its `iss`: a token from tenant A cannot claim to
 * be from tenant B.
 * https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-the-issuer
 */

/** The placeholder Microsoft's metadata uses. */
export const TENANT_PLACEHOLDER = '{tenantid}'

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A template split around its placeholder. */
export interface IssuerTemplate {
  readonly template: string
  readonly prefix: string
  readonly suffix: string
}

/** The template of an issuer string, or `undefined` when it has no (single) placeholder. */
export function issuerTemplate(issuer: string): IssuerTemplate | undefined {
  const at = issuer.indexOf(TENANT_PLACEHOLDER)
  if (at === -1 || issuer.indexOf(TENANT_PLACEHOLDER, at + 1) !== -1) return undefined
  return Object.freeze({ template: issuer, prefix: issuer.slice(0, at), suffix: issuer.slice(at + TENANT_PLACEHOLDER.length) })
}

/** The tenant part of `iss` when it has the template's shape (any tenant), else `undefined`. */
export function templateTenant(t: IssuerTemplate, iss: string): string | undefined {
  if (iss.length <= t.prefix.length + t.suffix.length || !iss.startsWith(t.prefix) || !iss.endsWith(t.suffix)) return undefined
  const tenant = iss.slice(t.prefix.length, iss.length - t.suffix.length)
  return GUID.test(tenant) ? tenant : undefined
}

/** How `iss` and `tid` fare against a template: a match, a `tid` that is not the issuer's, or no match at all. */
export function matchTemplate(t: IssuerTemplate, iss: string, tid: unknown): 'match' | 'tid_mismatch' | 'no_match' {
  const tenant = templateTenant(t, iss)
  if (tenant === undefined) return 'no_match'
  return typeof tid === 'string' && GUID.test(tid) && tid.toLowerCase() === tenant.toLowerCase() && `${t.prefix}${tid}${t.suffix}` === iss ? 'match' : 'tid_mismatch'
}
