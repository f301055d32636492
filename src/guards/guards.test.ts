/**
 * The guards every adapter shares, in process: roles from the verifier's role claims,
 * permissions, claim requirements (values, lists, sync and async predicates), their exact
 * challenges, their setup mistakes, and the 401 for a request that reached them without auth.
 */
import { describe, expect, it } from 'vitest'
import { BearerError, createVerifier } from '../index.js'
import { bearer, expectReject, fixture } from '../../test/helpers/setup.js'
import { runGuard, type Guard } from './guard.js'
import { requireClaimGuard } from './claims.js'
import { requireAnyRoleGuard, requirePermissionsGuard, requireRolesGuard } from './roles.js'

const ROLE = 'Bearer realm="api", error="insufficient_scope", error_description="The token lacks a required role"'

async function authFor(claims: Record<string, unknown>, options: Record<string, unknown> = {}) {
  const f = await fixture('ES256')
  return createVerifier({ ...f.options, ...options })(bearer(await f.sign(claims)))
}

const run = async (guard: Guard, claims: Record<string, unknown>, options: Record<string, unknown> = {}) => runGuard(guard, await authFor(claims, options), 'api')

describe('roles', () => {
  it('reads roles from `roles` by default, as an array or one string', async () => {
    expect((await authFor({ roles: ['admin', 'editor', 'admin'] })).roles).toEqual(['admin', 'editor'])
    expect((await authFor({ roles: 'Global Reader' })).roles).toEqual(['Global Reader'])
    expect((await authFor({})).roles).toEqual([])
  })

  it("reads the configured role claims only: Keycloak's realm and client roles, Cognito groups", async () => {
    const keycloak = { roleClaims: ['realm_access.roles', ['resource_access', 'orders.api', 'roles']] }
    const claims = { roles: ['ignored'], realm_access: { roles: ['user'] }, resource_access: { 'orders.api': { roles: ['admin'] }, other: { roles: ['root'] } } }
    expect((await authFor(claims, keycloak)).roles).toEqual(['user', 'admin'])
    expect((await authFor({ 'cognito:groups': ['ops'] }, { roleClaims: ['cognito:groups'] })).roles).toEqual(['ops'])
    // An absent step on the path grants nothing; an inherited property is never read.
    expect((await authFor({ realm_access: 'x' }, keycloak)).roles).toEqual([])
    expect((await authFor({}, { roleClaims: ['constructor.name'] })).roles).toEqual([])
  })

  it('rejects a role claim of the wrong shape with 401 claim_invalid', async () => {
    await expectReject(authFor({ roles: ['a', 1] }), 'claim_invalid', { status: 401 })
    await expectReject(authFor({ realm_access: { roles: { admin: true } } }, { roleClaims: ['realm_access.roles'] }), 'claim_invalid')
  })

  it('refuses a role claim path that cannot be meant at setup', async () => {
    const f = await fixture('ES256')
    expect(() => createVerifier({ ...f.options, roleClaims: ['https://example.com/roles'] })).toThrow(
      'tokengate: invalid verifier option roleClaims.0: a claim name with dots must be given as an array: ["https://example.com/roles"]',
    )
    expect(() => createVerifier({ ...f.options, roleClaims: ['a..b'] })).toThrow('roleClaims.0')
    expect(() => createVerifier({ ...f.options, roleClaims: [[]] })).toThrow('roleClaims.0')
  })

  it('requireRoles needs every role, requireAnyRole one: 403 role_missing', async () => {
    await run(requireRolesGuard(['admin', 'editor']), { roles: ['editor', 'admin'] })
    await run(requireAnyRoleGuard(['admin', 'editor']), { roles: ['editor'] })
    const err = await expectReject(run(requireRolesGuard(['admin', 'editor']), { roles: ['editor'] }), 'role_missing', { status: 403, wwwAuthenticate: ROLE })
    expect(err.code).toBe('insufficient_scope')
    expect(err.scope).toBeUndefined()
    await expectReject(run(requireAnyRoleGuard(['admin']), { roles: ['editor'] }), 'role_missing', {
      wwwAuthenticate: 'Bearer realm="api", error="insufficient_scope", error_description="The token needs one of the required roles"',
    })
  })

  it('a scope or a permission is never a role', async () => {
    await expectReject(run(requireRolesGuard(['admin']), { scope: 'admin', permissions: ['admin'] }), 'role_missing')
  })
})

describe('requirePermissions', () => {
  it('needs every permission from the permissions claim: 403 permission_missing; scopes never count', async () => {
    await run(requirePermissionsGuard(['read:orders', 'write:orders']), { permissions: ['read:orders', 'write:orders'] })
    await expectReject(run(requirePermissionsGuard(['read:orders']), { scope: 'read:orders' }), 'permission_missing', {
      status: 403,
      wwwAuthenticate: 'Bearer realm="api", error="insufficient_scope", error_description="The token lacks a required permission"',
    })
  })
})

describe('requireClaim', () => {
  const mismatch = (description: string) => `Bearer realm="api", error="insufficient_scope", error_description="${description}"`

  it('passes a claim equal to the value, an array claim including it, or one of a list', async () => {
    await run(requireClaimGuard('tid', 't1'), { tid: 't1' })
    await run(requireClaimGuard('groups', 'ops'), { groups: ['dev', 'ops'] })
    await run(requireClaimGuard('org.plan', ['pro', 'enterprise']), { org: { plan: 'enterprise' } })
    await run(requireClaimGuard(['https://example.com/tier'], 2), { 'https://example.com/tier': 2 })
    await run(requireClaimGuard('email_verified', true), { email_verified: true })
  })

  it('refuses another value, an absent claim, or a string where a boolean is required: 403 claim_mismatch', async () => {
    const guard = requireClaimGuard('email_verified', true, { description: 'Verify your email first' })
    for (const claims of [{ email_verified: false }, {}, { email_verified: 'true' }]) {
      const err = await expectReject(run(guard, claims), 'claim_mismatch', { status: 403, wwwAuthenticate: mismatch('Verify your email first') })
      expect(err.claim).toBe('email_verified')
      expect(err.toProblem()).toMatchObject({ status: 403, detail: 'Verify your email first', reason: 'claim_mismatch', error: 'insufficient_scope' })
    }
    await expectReject(run(requireClaimGuard('org.plan', 'pro'), { org: { plan: ['free'] }, 'org.plan': 'pro' }), 'claim_mismatch', {
      wwwAuthenticate: mismatch('The token claim org.plan does not have the required value'),
    })
  })

  it('runs sync and async predicates with the value and the claims: only true passes', async () => {
    const seen: unknown[] = []
    await run(requireClaimGuard('sub', (sub: unknown, claims: { iss?: string }) => (seen.push(sub, claims.iss), sub === 'user-1')), {})
    expect(seen).toEqual(['user-1', 'https://idp.example.com/'])
    await run(requireClaimGuard('tid', async (tid: unknown) => tid === 't1'), { tid: 't1' })
    await expectReject(run(requireClaimGuard('tid', async () => false), { tid: 't1' }), 'claim_mismatch')
    // Truthy is not true: a predicate that returns a string or a number passes nothing.
    await expectReject(run(requireClaimGuard('tid', (() => 'yes') as never), { tid: 't1' }), 'claim_mismatch')
    await expectReject(run(requireClaimGuard('tid', (async () => 1) as never), { tid: 't1' }), 'claim_mismatch')
  })

  it('lets a failing predicate fail the request as an error (500), not as a 403, and keeps a BearerError it throws', async () => {
    const outage = new Error('directory down')
    await expect(run(requireClaimGuard('tid', async () => Promise.reject(outage)), {})).rejects.toBe(outage)
    await expect(run(requireClaimGuard('tid', () => { throw outage }), {})).rejects.toBe(outage)
    const own = new BearerError('claim_mismatch', { message: 'Tenant suspended' })
    const err = await expectReject(run(requireClaimGuard('tid', () => { throw own }), {}), 'claim_mismatch')
    expect(err.message).toBe('Tenant suspended')
  })

  it('refuses mistakes at setup with a ConfigError naming them', () => {
    expect(() => requireClaimGuard('', 'x')).toThrow('tokengate: invalid guard option requireClaim().path')
    expect(() => requireClaimGuard('tid', { a: 1 })).toThrow('tokengate: invalid guard option requireClaim().expected')
    expect(() => requireClaimGuard('tid', [])).toThrow('requireClaim().expected')
    expect(() => requireClaimGuard('tid', 'x', { description: 'say "no"' })).toThrow('tokengate: invalid guard option requireClaim().description')
    expect(() => requireRolesGuard([])).toThrow('tokengate: invalid guard option requireRoles(): name at least one role')
    expect(() => requirePermissionsGuard([''])).toThrow('requirePermissions().0')
  })
})

describe('runGuard', () => {
  it('answers 401 with the bare challenge of the realm when a request reaches a guard without auth', async () => {
    for (const guard of [requireRolesGuard(['admin']), requirePermissionsGuard(['p']), requireClaimGuard('tid', 't1')]) {
      expect(() => runGuard(guard, undefined, 'orders')).toThrow(BearerError)
      await expectReject((async () => runGuard(guard, null, 'orders'))(), 'token_missing', { status: 401, wwwAuthenticate: 'Bearer realm="orders"' })
    }
  })

  it('answers in the realm it is given, for async guards too', async () => {
    const auth = await authFor({})
    await expectReject((async () => runGuard(requireRolesGuard(['admin']), auth, 'orders'))(), 'role_missing', {
      wwwAuthenticate: 'Bearer realm="orders", error="insufficient_scope", error_description="The token lacks a required role"',
    })
    await expectReject(runGuard(requireClaimGuard('tid', async () => false), auth, 'orders') as Promise<void>, 'claim_mismatch', {
      wwwAuthenticate: 'Bearer realm="orders", error="insufficient_scope", error_description="The token claim tid does not have the required value"',
    })
  })
})
