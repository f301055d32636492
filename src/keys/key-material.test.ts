import { createPublicKey, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createVerifier } from '../core/create-verifier.js'
import { ConfigError } from '../errors/config-error.js'
import { isDerKey, nonSecretKind } from './key-material.js'
import { secretKey } from './secret.js'
import { keyMaterialCases, rsa, spki, TEST_CERTIFICATE } from '../../test/helpers/key-material.js'

const utf8 = new TextEncoder()

describe('nonSecretKind: key material that is not a shared secret', () => {
  it.each(keyMaterialCases())('recognises %s', (_name, value, kind) => {
    expect(nonSecretKind(value)).toMatch(kind)
  })

  it('accepts random secrets in every usual encoding (no false alarm in 4 000 draws)', () => {
    for (let i = 0; i < 1000; i++) {
      const bytes = randomBytes(32 + (i % 33))
      for (const secret of [bytes, bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')]) {
        expect(nonSecretKind(typeof secret === 'string' ? secret : new Uint8Array(secret))).toBeUndefined()
      }
    }
  })

  it('accepts passphrase-like secrets and JSON that is not a key', () => {
    for (const secret of ['correct horse battery staple, and then some more words', 'x'.repeat(64), '{"not":"a key","at":"all"}', '-----not a pem-----'.repeat(3)]) {
      expect(nonSecretKind(secret)).toBeUndefined()
    }
  })

  // A hang (a quadratic scan of a 200 KB input) fails on the test timeout; no wall-clock
  // assertion here, since the machine is shared (speed claims live in npm run bench).
  it('never throws, whatever the input, and returns on 200 KB inputs', { timeout: 30_000 }, () => {
    const inputs: unknown[] = [null, undefined, 42, {}, [], '', '{', '[[[[', '['.repeat(100_000) + ']'.repeat(100_000), '-----BEGIN', `${'A'.repeat(200_000)}=`, `{${' '.repeat(200_000)}`, `"kty"${' '.repeat(200_000)}x`, new Uint8Array(200_000).fill(0x30)]
    for (const input of inputs) expect(() => nonSecretKind(input)).not.toThrow()
  })

  it('isDerKey: a SEQUENCE of well-formed elements, exactly filling the bytes', () => {
    const der = new Uint8Array(rsa.publicKey.export({ type: 'spki', format: 'der' }))
    expect(isDerKey(der)).toBe(true)
    expect(isDerKey(der.subarray(0, der.length - 1))).toBe(false)
    expect(isDerKey(Uint8Array.of(...der, 0))).toBe(false)
    expect(isDerKey(new Uint8Array(64).fill(0x30))).toBe(false)
  })
})

describe('a secret that is key material is a ConfigError at construction', () => {
  const base = { issuer: 'https://idp.example.com/', audience: 'https://api.example.com' }

  it.each(keyMaterialCases())('createVerifier({ secret: %s })', (_name, value, kind) => {
    const err = (() => {
      try {
        createVerifier({ ...base, secret: value as string })
      } catch (e) {
        return e
      }
    })()
    expect(ConfigError.is(err)).toBe(true)
    expect(err).toMatchObject({ component: 'verifier', option: 'secret' })
    expect((err as ConfigError).detail).toMatch(kind)
    // It points to where the material belongs, unless it is a secret in the wrong wrapping.
    if (!/oct|secret key object/.test((err as ConfigError).detail)) expect((err as ConfigError).detail).toMatch(/`publicKey`.*`jwks`/)
  })

  it('inside issuers, the entry is named: issuers.1.secret', () => {
    const entries = [
      { issuer: 'https://a.example.com/', audience: 'a', secret: randomBytes(32) },
      { issuer: 'https://b.example.com/', audience: 'b', secret: spki },
    ]
    expect(() => createVerifier({ issuers: entries })).toThrow('tokengate: invalid verifier option issuers.1.secret: a PEM public key (SPKI) is not a shared secret')
  })

  it('secretKey(), the key source behind `secret`, refuses it too', () => {
    expect(() => secretKey(spki)).toThrow('tokengate: invalid verifier option secret: a PEM public key (SPKI) is not a shared secret')
    expect(() => secretKey(utf8.encode(TEST_CERTIFICATE))).toThrow(/UTF-8 bytes of a PEM X\.509 certificate is not a shared secret/)
  })

  it('the message never quotes the value', () => {
    for (const [, value] of keyMaterialCases()) {
      const message = (() => {
        try {
          createVerifier({ ...base, secret: value as string })
        } catch (e) {
          return (e as Error).message
        }
        return ''
      })()
      expect(message).not.toMatch(/MII|AAAA|"n":|BEGIN [A-Z ]+-----/)
    }
  })

  it('a real shared secret still works, as text and as bytes', () => {
    expect(() => createVerifier({ ...base, secret: randomBytes(32).toString('base64url') })).not.toThrow()
    expect(() => createVerifier({ ...base, secret: new Uint8Array(randomBytes(64)) })).not.toThrow()
    expect(createPublicKey(spki).type).toBe('public') // the fixture is what it claims to be
  })
})
