import { describe, expect, it } from 'vitest'
import { ConfigError } from '../errors/config-error.js'
import { generateSigningKey } from '../testing/keys.js'
import { signToken } from '../testing/tokens.js'
import { createVerifier } from './create-verifier.js'
import type { VerifierOptions } from './options.js'

const key = await generateSigningKey('ES256', { kid: 'k' })
const jwks = { keys: [key.publicJwk!] }
const base = { issuer: 'https://idp.example.com/', audience: 'api' }

function configError(options: unknown): TypeError {
  try {
    createVerifier(options as VerifierOptions)
  } catch (err) {
    expect(err).toBeInstanceOf(TypeError)
    return err as TypeError
  }
  throw new Error('expected a TypeError')
}

describe('configuration mistakes are TypeErrors at construction, naming the option', () => {
  it.each([
    ['no key source', { ...base }, /options: one key source is required/],
    ['two key sources', { ...base, jwks, secret: 'x'.repeat(32) }, /only one key source may be given, got jwks and secret/],
    ['issuer left out', { audience: 'api', jwks }, /option issuer: required/],
    ['audience left out', { issuer: 'i', jwks }, /option audience: required/],
    ['an empty issuer list', { ...base, issuer: [], jwks }, /option issuer/],
    ['a misspelt option', { ...base, jwks, audiance: 'x' }, /audiance/],
    ['an unknown algorithm', { ...base, jwks, algorithms: ['none'] }, /option algorithms\.0/],
    ['a bad duration', { ...base, jwks, clockTolerance: '5 minutes' }, /option clockTolerance/],
    ['a negative tolerance', { ...base, jwks, clockTolerance: -1 }, /option clockTolerance/],
    // Milliseconds given as seconds: 30000 would accept tokens 8 hours past their exp.
    ['a tolerance in milliseconds', { ...base, jwks, clockTolerance: 30_000 }, /option clockTolerance: at most 300 seconds \("5m"\)[^]*milliseconds/],
    ['a tolerance over 5 minutes', { ...base, jwks, clockTolerance: '301s' }, /option clockTolerance: at most 300 seconds/],
    ['an infinite tolerance', { ...base, jwks, clockTolerance: Infinity }, /option clockTolerance/],
    ['a non-http jwksUri', { ...base, jwksUri: 'file:///etc/passwd' }, /option jwksUri/],
    ['an empty secret', { ...base, secret: '' }, /option secret/],
    ['an empty byte secret', { ...base, secret: new Uint8Array() }, /option secret/],
    ['a claims value that is not a schema', { ...base, jwks, claims: { org: 'string' } }, /option claims/],
    ['a tiny maxTokenSize', { ...base, jwks, maxTokenSize: 10 }, /option maxTokenSize/],
    ['issuers with a top-level key source', { audience: 'api', jwks, issuers: [{ issuer: 'a', jwks }] }, /option jwks: give it per entry/],
    ['an issuers entry without a key source', { audience: 'api', issuers: [{ issuer: 'a' }] }, /option issuers\.0: one key source is required/],
  ])('%s', (_name, options, message) => {
    const err = configError(options)
    expect(err.message).toMatch(message)
  })

  it('is a ConfigError carrying the dotted option path', () => {
    const err = configError({ ...base, jwks, jwksCache: { timeout: 0 } })
    expect(ConfigError.is(err)).toBe(true)
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as ConfigError).option).toBe('jwksCache.timeout')
    expect(err.message).toBe('tokengate: invalid verifier option jwksCache.timeout: must be more than 0, e.g. "5s"')
  })

  it('suggests the option a misspelt name was meant to be', () => {
    expect(configError({ ...base, jwks, audiance: 'x' }).message).toBe('tokengate: invalid verifier option audiance: not an option here; did you mean audience?')
  })

  it('prefixes a key-source mistake inside issuers with the entry path', () => {
    const err = configError({ audience: 'api', issuers: [{ issuer: 'a', jwks }, { issuer: 'b', jwks: { keys: [] } }] }) as ConfigError
    expect(err.option).toBe('issuers.1.jwks')
  })

  it('rejects a secret shorter than the hash (RFC 7518 §3.2)', () => {
    expect(configError({ ...base, secret: 'x'.repeat(31) }).message).toMatch(/secret|HS256/)
    expect(configError({ ...base, secret: 'x'.repeat(32), algorithms: ['HS512'] }).message).toMatch(/HS512 needs a secret of at least 64 bytes, got 32/)
    expect(() => createVerifier({ ...base, secret: 'x'.repeat(64), algorithms: ['HS512'] })).not.toThrow()
  })

  it('accepts a clock tolerance up to 5 minutes, as seconds or a duration', () => {
    for (const clockTolerance of [0, 5, 300, '5m', '300s']) expect(typeof createVerifier({ ...base, jwks, clockTolerance })).toBe('function')
  })

  it('rejects asymmetric algorithms with a shared secret', () => {
    expect(configError({ ...base, secret: 'x'.repeat(32), algorithms: ['RS256'] }).message).toMatch(/RS256 cannot be used with a shared secret/)
  })

  it('rejects a local JWKS with no usable key, saying why each key was skipped', () => {
    const err = configError({ ...base, jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }, { ...key.publicJwk, use: 'enc' }] } })
    expect(err.message).toMatch(/keys\[0\]: symmetric \("oct"\) keys are not accepted/)
    expect(err.message).toMatch(/keys\[1\]: "use" is "enc"/)
  })

  it('rejects the same issuer twice in issuers', () => {
    expect(configError({ audience: 'api', issuers: [{ issuer: 'a', jwks }, { issuer: 'a', jwks }] }).message).toMatch(/issuers\.1\.issuer: listed twice/)
  })
})

describe('a local JWKS reports the keys it cannot use', () => {
  it('emits key_skipped (source "jwks") for each unusable key and verifies with the rest', async () => {
    const events: unknown[] = []
    const other = await generateSigningKey('ES256', { kid: 'enc-key' })
    const verify = createVerifier({
      ...base,
      jwks: { keys: [{ ...other.publicJwk, use: 'enc' }, { kty: 'oct', kid: 'hmac', k: 'c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0' }, key.publicJwk!] },
      onEvent: (e) => events.push(e),
    })
    expect(events).toEqual([
      { type: 'key_skipped', source: 'jwks', kid: 'enc-key', reason: '"use" is "enc", not "sig"' },
      { type: 'key_skipped', source: 'jwks', kid: 'hmac', reason: 'symmetric ("oct") keys are not accepted from a key set; use the `secret` option' },
    ])
    const t = Math.floor(Date.now() / 1000)
    const auth = await verify(`Bearer ${await signToken(key, { iss: base.issuer, aud: base.audience, sub: 'u1', exp: t + 60 })}`)
    expect(auth.claims.sub).toBe('u1')
  })
})
