/**
 * @module
 * Step 2 (selection): which trusted issuer a token claims, chosen by its unverified `iss`
 * before any key is fetched. A fixed list (`issuers: [...]`, exact match or a `{tenantid}`
 * template), or an async resolver (`issuers: (iss) => entry | undefined`) whose answers are
 * held in a bounded cache (`tenantCache`): a flood of made-up issuers costs one resolver call
 * each, no key fetch, and at most `max` entries of memory.
 */
import { LRUCache } from 'lru-cache'
import { issuerTemplate, templateTenant, type IssuerTemplate } from '../claims/issuer-template.js'
import { BearerError } from '../errors/bearer-error.js'
import { ClaimMismatchError } from '../errors/claim-mismatch.js'
import { own } from '../lib/own.js'
import type { Tenant } from './pipeline.js'

/** Finds the tenant of a token's (unverified) payload, or throws `issuer_invalid` / `issuer_unavailable`. */
export interface TenantDirectory {
  /** Synchronous for a fixed list and for a cached answer; a promise while the resolver runs. */
  select(payload: Record<string, unknown>): Tenant | Promise<Tenant>
  /** Whether answers may change over time (a resolver): a cached token re-selects its tenant. */
  readonly dynamic: boolean
}

/** Longest `iss` handed to a resolver or kept in the cache. */
export const MAX_ISSUER_LENGTH = 1024

/** `issuer_invalid`; with the configured issuers, its cause tells the operator what was expected. */
const unknownIssuer = (expected?: readonly string[], iss?: unknown): BearerError =>
  new BearerError('issuer_invalid', { claim: 'iss', ...(expected ? { cause: new ClaimMismatchError('iss', expected, iss) } : {}) })

/** The directory of a fixed `issuers` list: exact `iss` first, then `{tenantid}` templates. */
export function fixedDirectory(entries: readonly { readonly issuer: string; readonly tenant: Tenant }[]): TenantDirectory {
  const exact = new Map<string, Tenant>()
  const templates: { readonly template: IssuerTemplate; readonly tenant: Tenant }[] = []
  const issuers = entries.map((e) => e.issuer)
  for (const { issuer, tenant } of entries) {
    const template = issuerTemplate(issuer)
    if (template) templates.push({ template, tenant })
    else exact.set(issuer, tenant)
  }
  return {
    dynamic: false,
    select(payload) {
      const iss = own(payload, 'iss')
      if (typeof iss !== 'string') throw unknownIssuer(issuers, iss)
      const tenant = exact.get(iss)
      if (tenant) return tenant
      // The template only selects; the claims step then ties `iss` to the token's `tid`.
      for (const t of templates) if (templateTenant(t.template, iss) !== undefined) return t.tenant
      throw unknownIssuer(issuers, iss)
    },
  }
}

/** Settings of the resolver's cache, in milliseconds. */
export interface TenantCacheSettings {
  readonly max: number
  readonly ttlMs: number
  readonly negativeTtlMs: number
}

interface Answer {
  /** The tenant, or `null` for "not one of ours". */
  readonly tenant: Tenant | null
  readonly until: number
}

/**
 * The directory of an `issuers` resolver. Its answer for an `iss` (a tenant, or none) is
 * cached for `ttlMs` / `negativeTtlMs`; concurrent requests for one `iss` share one call. An
 * entry for another issuer (a loose resolver handing a `{tenantid}` template to an `iss` of
 * another shape) counts as none. A resolver that throws, or returns an invalid entry, answers
 * 503 `issuer_unavailable` (fail closed) and is asked again on the next request.
 */
export function resolverDirectory(
  resolve: (iss: string) => unknown,
  build: (entry: unknown, iss: string) => Tenant | null,
  settings: TenantCacheSettings,
  now: () => number,
): TenantDirectory {
  // ttlResolution 0, as every cache here: no timer a Workers request can cancel (test/edge/lru-cache.test.ts).
  const answers = new LRUCache<string, Answer>({ max: settings.max, ttlResolution: 0 })
  const pending = new Map<string, Promise<Tenant | null>>()

  function answer(iss: string, entry: unknown): Tenant | null {
    if (entry === undefined || entry === null) {
      answers.set(iss, { tenant: null, until: now() + settings.negativeTtlMs })
      return null
    }
    const tenant = build(entry, iss)
    answers.set(iss, { tenant, until: now() + (tenant ? settings.ttlMs : settings.negativeTtlMs) })
    return tenant
  }

  function lookup(iss: string): Promise<Tenant | null> {
    let call = pending.get(iss)
    if (!call) {
      call = (async () => answer(iss, await resolve(iss)))()
        .catch((cause: unknown) => {
          throw BearerError.is(cause) ? cause : new BearerError('issuer_unavailable', { cause })
        })
        .finally(() => pending.delete(iss))
      pending.set(iss, call)
    }
    return call
  }

  const found = (tenant: Tenant | null): Tenant => {
    if (!tenant) throw unknownIssuer()
    return tenant
  }

  return {
    dynamic: true,
    select(payload) {
      const iss = own(payload, 'iss')
      if (typeof iss !== 'string' || iss === '' || iss.length > MAX_ISSUER_LENGTH) throw unknownIssuer()
      const cached = answers.get(iss)
      if (cached && now() < cached.until) return found(cached.tenant)
      return lookup(iss).then(found)
    },
  }
}

/** Whether an entry's `issuer` is the `iss` it was returned for (exactly, or by its `{tenantid}` template). */
export function entryFits(issuer: string, iss: string): boolean {
  if (issuer === iss) return true
  const template = issuerTemplate(issuer)
  return template !== undefined && templateTenant(template, iss) !== undefined
}
