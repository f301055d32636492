/**
 * RFC 9449 §7.2 / RFC 7800: a sender-constrained token (one with `cnf`) presented as a plain
 * bearer token is refused, on a fresh verification and on every later request alike.
 */
import { signatureBackend } from '#signature-backend'
import { describe, expect, it } from 'vitest'
import { createVerifierOn } from '../core/create-verifier.js'
import type { VerifierOptions } from '../core/options.js'
import type { SignatureBackend } from '../signature/signature-backend.js'
import { bearer, expectReject, fixture } from '../../test/helpers/setup.js'

const BOUND = 'Bearer realm="api", error="invalid_token", error_description="The token is bound to a key and cannot be used as a plain bearer token"'

async function setup(extra: Partial<VerifierOptions> = {}) {
  const f = await fixture('ES256')
  let calls = 0
  const backend: SignatureBackend = { name: 'counting', verify: (key, alg, token) => (calls++, signatureBackend.verify(key, alg, token)) }
  return { f, verify: createVerifierOn(backend, { ...f.options, ...extra } as VerifierOptions), calls: () => calls }
}

describe('RFC 9449 §7.2: a bound token presented as Bearer', () => {
  it.each([
    ['cnf.jkt (DPoP)', { jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I' }],
    ['cnf.jkt beside x5t#S256', { jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I', 'x5t#S256': 'bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2' }],
    ['an unknown confirmation method', { kid: 'k1' }],
    ['an empty cnf', {}],
  ])('is refused with 401 token_bound: %s', async (_name, cnf) => {
    const { f, verify } = await setup()
    await expectReject(verify(bearer(await f.sign({ cnf }))), 'token_bound', { status: 401, wwwAuthenticate: BOUND })
  })

  it('is refused on every request, the cached path included: the refusal is never cached as a pass', async () => {
    const { f, verify, calls } = await setup()
    const header = bearer(await f.sign({ cnf: { jkt: 'x' }, scope: 'read' }))
    for (let i = 0; i < 3; i++) await expectReject(verify(header, { scopes: ['read'] }), 'token_bound')
    // Refused before it could be remembered: every request is verified afresh.
    expect(calls()).toBe(3)
  })

  it('is refused before the scope check: a bound token never reaches 403', async () => {
    const { f, verify } = await setup()
    await expectReject(verify(bearer(await f.sign({ cnf: { jkt: 'x' } })), { scopes: ['admin'] }), 'token_bound')
  })

  it('passes with acceptBoundAsBearer: true, fresh and cached', async () => {
    const { f, verify, calls } = await setup({ acceptBoundAsBearer: true })
    const header = bearer(await f.sign({ cnf: { jkt: 'x' } }))
    expect((await verify(header)).claims.cnf).toEqual({ jkt: 'x' })
    expect((await verify(header)).claims.cnf).toEqual({ jkt: 'x' })
    expect(calls()).toBe(1)
  })

  it('leaves tokens without cnf alone', async () => {
    const { f, verify } = await setup()
    expect((await verify(bearer(await f.sign()))).claims.sub).toBe('user-1')
  })

  it('refuses a non-boolean acceptBoundAsBearer at construction', async () => {
    const { f } = await setup()
    expect(() => createVerifierOn(signatureBackend, { ...f.options, acceptBoundAsBearer: 'yes' } as unknown as VerifierOptions)).toThrow(
      /invalid verifier option acceptBoundAsBearer: expected true or false/,
    )
  })
})
