import { describe, expect, it } from 'vitest'
import { bearer, expectReject, fixture } from '../../test/helpers/setup.js'
import { ConfigError } from '../errors/config-error.js'
import { createLazyVerifier } from './lazy-verifier.js'
import type { VerifierOptions } from './options.js'

const f = await fixture('ES256')

describe('createLazyVerifier', () => {
  it('reads nothing until first use, then builds once: a module can export it while its environment is absent', async () => {
    const env: Record<string, string | undefined> = {}
    let reads = 0
    const verify = createLazyVerifier(() => {
      reads++
      return { ...f.options, issuer: env.ISSUER!, realm: env.REALM! }
    })
    expect(reads).toBe(0)
    // Unset at first use: the call rejects with the ConfigError that says what to write.
    const err = await verify(bearer(await f.sign())).catch((e: unknown) => e)
    expect(ConfigError.is(err)).toBe(true)
    expect((err as ConfigError).message).toBe('tokengate: invalid verifier option issuer: required (a string, a list, or null to skip the check)')
    env.ISSUER = f.options.issuer as string
    env.REALM = 'orders'
    // The next call tries again, now with the environment, and keeps what it built.
    const auth = await verify(bearer(await f.sign()))
    expect(auth.claims.sub).toBe('user-1')
    await verify(bearer(await f.sign()))
    expect(reads).toBe(2)
    expect(verify.realm).toBe('orders')
    await expectReject(verify(bearer(await f.sign({ exp: 1 }))), 'token_expired', { wwwAuthenticate: 'Bearer realm="orders", error="invalid_token", error_description="The token has expired"' })
  })

  it('builds on warm() and on a read of realm too', async () => {
    let reads = 0
    const options = (): VerifierOptions => (reads++, f.options)
    const a = createLazyVerifier(options)
    await a.warm()
    expect(reads).toBe(1)
    const b = createLazyVerifier(options)
    expect(b.realm).toBe('api')
    expect(reads).toBe(2)
  })

  it('refuses options that are not a function, at once', () => {
    expect(() => createLazyVerifier(f.options as never)).toThrow('tokengate: invalid verifier option options: createLazyVerifier takes a function returning the options, e.g. () => ({ issuer, audience, jwksUri })')
  })
})
