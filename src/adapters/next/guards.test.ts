/**
 * `guards` of withBearer and bearerMiddleware, in process (plain Fetch `Request`s): each guard
 * answers with its reason and exact challenge, runs for cached tokens too, and a request with
 * no auth reaches no guard.
 */
import { describe, expect, it } from 'vitest'
import { createVerifier } from '../../index.js'
import { fixture } from '../../../test/helpers/setup.js'
import { bearerMiddleware, requireAnyRole, requireClaim, requirePermissions, requireRoles, requireScopes, withBearer } from './index.js'

const request = (token?: string) => new Request('https://app.example.com/api/x', token ? { headers: { authorization: `Bearer ${token}` } } : {})

describe('tokengate/next guards', () => {
  it('runs every guard after verification, cached tokens included, with reason and exact challenge', async () => {
    const f = await fixture('ES256')
    const verifier = createVerifier(f.options)
    let calls = 0
    const GET = withBearer(async (_req, { auth }) => Response.json({ sub: auth.claims.sub }), {
      verifier,
      guards: [
        requireScopes('read:orders'),
        requireAnyRole('admin', 'editor'),
        requirePermissions('delete:orders'),
        requireClaim('tenant', async (t) => (calls++, t === 'globex'), { description: 'Only globex staff' }),
      ],
    })
    const staff = await f.sign({ tenant: 'globex', scope: 'read:orders', roles: ['editor'], permissions: ['delete:orders'] })
    for (let i = 0; i < 2; i++) expect((await GET(request(staff), { params: Promise.resolve({}) })).status).toBe(200)
    expect(calls).toBe(2)
    const cases: [Record<string, unknown>, number, string, string][] = [
      [{ tenant: 'globex', roles: ['editor'], permissions: ['delete:orders'] }, 403, 'insufficient_scope', 'error_description="The token lacks a required scope", scope="read:orders"'],
      [{ tenant: 'globex', scope: 'read:orders', permissions: ['delete:orders'] }, 403, 'role_missing', 'error_description="The token needs one of the required roles"'],
      [{ tenant: 'globex', scope: 'read:orders', roles: ['admin'] }, 403, 'permission_missing', 'error_description="The token lacks a required permission"'],
      [{ tenant: 'acme', scope: 'read:orders', roles: ['admin'], permissions: ['delete:orders'] }, 403, 'claim_mismatch', 'error_description="Only globex staff"'],
    ]
    for (const [claims, status, reason, challenge] of cases) {
      const token = await f.sign(claims)
      for (let i = 0; i < 2; i++) {
        const res = await GET(request(token), { params: Promise.resolve({}) })
        expect(res.status).toBe(status)
        expect(res.headers.get('www-authenticate')).toBe(`Bearer realm="api", error="insufficient_scope", ${challenge}`)
        expect(await res.json()).toMatchObject({ reason })
      }
    }
  })

  it('answers 401 before any guard when optional auth let a request without a token in', async () => {
    const f = await fixture('ES256')
    let ran = false
    const GET = withBearer(async () => ((ran = true), new Response('ok')), { ...f.options, credentialsRequired: false, guards: [requireRoles('admin')] })
    const res = await GET(request(), { params: Promise.resolve({}) })
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="api"')
    expect(ran).toBe(false)
  })

  it('guards bearerMiddleware too, in the verifier realm', async () => {
    const f = await fixture('ES256')
    const middleware = bearerMiddleware({ verifier: createVerifier({ ...f.options, realm: 'admin' }), guards: [requireRoles('admin')] })
    expect(await middleware(request(await f.sign({ roles: ['admin'] })))).toBeUndefined()
    const res = await middleware(request(await f.sign({ roles: ['user'] })))
    expect(res?.status).toBe(403)
    expect(res?.headers.get('www-authenticate')).toBe('Bearer realm="admin", error="insufficient_scope", error_description="The token lacks a required role"')
  })

  it('refuses guards that are not guards at setup', async () => {
    const f = await fixture('ES256')
    expect(() => withBearer(async () => new Response(), { ...f.options, guards: ['admin' as never] })).toThrow('tokengate: invalid next option guards.0')
  })
})
