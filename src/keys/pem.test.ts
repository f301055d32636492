/**
 * The PEM / DER reader against node:crypto's own parser: every key type and container gives
 * the JWK node:crypto gives, and hostile or wrong inputs fail with a message (never a crash,
 * never the key text).
 */
import { execFileSync } from 'node:child_process'
import { createPublicKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { certificatePem } from '../testing/certificate.js'
import { deriveSigningKey } from '../testing/seeded-keys.js'
import { pemToJwk, PemError } from './pem.js'

const jwkOf = (key: KeyObject) => {
  const { kty, n, e, crv, x, y } = key.export({ format: 'jwk' })
  return Object.fromEntries(Object.entries({ kty, n, e, crv, x, y }).filter(([, v]) => v !== undefined))
}

const PAIRS: [string, KeyObject][] = [
  ['RSA 2048', generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 }).publicKey],
  ['RSA 3072 with e = 3', generateKeyPairSync('rsa', { modulusLength: 3072, publicExponent: 3 }).publicKey],
  ['EC P-256', generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey],
  ['EC P-384', generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey],
  ['EC P-521', generateKeyPairSync('ec', { namedCurve: 'P-521' }).publicKey],
  ['Ed25519', generateKeyPairSync('ed25519').publicKey],
]

describe('pemToJwk', () => {
  it.each(PAIRS)('reads a %s SPKI as node:crypto does', (_name, key) => {
    expect(pemToJwk(key.export({ type: 'spki', format: 'pem' }) as string)).toEqual(jwkOf(key))
  })

  it('reads a PKCS#1 RSA public key, with CRLF line ends and surrounding whitespace', () => {
    const key = PAIRS[0]![1]
    const pem = (key.export({ type: 'pkcs1', format: 'pem' }) as string).replace(/\n/g, '\r\n')
    expect(pemToJwk(`\n  ${pem}  \n`)).toEqual(jwkOf(key))
  })

  it.each(['RS256', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const)('reads the key of a %s certificate made by the test kit, which node:crypto verifies', async (alg) => {
    const key = await deriveSigningKey(alg)
    const pem = await certificatePem(key)
    const cert = new X509Certificate(pem)
    expect(cert.verify(cert.publicKey)).toBe(true)
    expect(cert.subject).toBe('CN=tokengate test key')
    expect(pemToJwk(pem)).toEqual(jwkOf(cert.publicKey))
  })

  it('reads certificates openssl makes (v3 with extensions), when openssl is installed', (context) => {
    let dir: string | undefined
    try {
      dir = mkdtempSync(join(tmpdir(), 'tokengate-pem-'))
      for (const [name, args] of [
        ['rsa', ['-newkey', 'rsa:2048']],
        ['ec', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384']],
      ] as const) {
        const out = join(dir, `${name}.pem`)
        try {
          execFileSync('openssl', ['req', '-x509', ...args, '-nodes', '-keyout', join(dir, `${name}.key`), '-out', out, '-days', '1', '-subj', '/CN=test', '-addext', 'keyUsage=digitalSignature'], { stdio: 'ignore' })
        } catch {
          return context.skip('openssl is not installed')
        }
        const pem = readFileSync(out, 'utf8')
        expect(pemToJwk(pem)).toEqual(jwkOf(new X509Certificate(pem).publicKey))
      }
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true })
    }
  })

  it('refuses private keys by their label, without reading or quoting them', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    for (const type of ['pkcs8', 'sec1'] as const) {
      const pem = privateKey.export({ type, format: 'pem' }) as string
      let err: unknown
      try {
        pemToJwk(pem)
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(PemError)
      expect((err as Error).message).toMatch(/^a private key: give the public key/)
      expect((err as Error).message).not.toContain(pem.split('\n')[1]!.slice(0, 16))
    }
  })

  it('refuses what is not one well-formed public key with a PemError', () => {
    const spki = PAIRS[2]![1].export({ type: 'spki', format: 'der' })
    const wrap = (der: Uint8Array, label = 'PUBLIC KEY') => `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64')}\n-----END ${label}-----`
    const good = wrap(spki)
    const cases: [string, string, RegExp][] = [
      ['not PEM', 'MIIBIjANBg...', /not a PEM string/],
      ['two blocks', `${good}\n${good}`, /more than one PEM block/],
      ['text around', `hello ${good}`, /text outside the PEM block/],
      ['bad base64', good.replace(/\n[A-Za-z0-9+/]{4}/, '\n!!!!'), /not base64/],
      ['unknown label', wrap(spki, 'SSH2 PUBLIC KEY'), /unsupported PEM label/],
      ['truncated', wrap(spki.subarray(0, spki.length - 5)), /truncated DER/],
      ['trailing byte', wrap(Buffer.concat([spki, Buffer.from([0])])), /trailing bytes/],
      ['indefinite length', wrap(Buffer.from([0x30, 0x80, 0x00, 0x00])), /unsupported DER length/],
      ['non-minimal length', wrap(Buffer.from([0x30, 0x81, 0x01, 0x00])), /non-minimal DER length/],
      ['an RSA key as a certificate', wrap(PAIRS[0]![1].export({ type: 'spki', format: 'der' }), 'CERTIFICATE'), /a Certificate is SEQUENCE/],
      ['a compressed EC point', wrap(Buffer.from(spki).fill(0x03, spki.length - 65, spki.length - 64)), /compressed EC points/],
      ['too long', `-----BEGIN PUBLIC KEY-----\n${'A'.repeat(70_000)}\n-----END PUBLIC KEY-----`, /longer than/],
    ]
    for (const [name, pem, message] of cases) {
      expect(() => pemToJwk(pem), name).toThrow(PemError)
      expect(() => pemToJwk(pem), name).toThrow(message)
    }
  })

  it('never throws anything but a PemError for random corruptions of a key', () => {
    const der = PAIRS[0]![1].export({ type: 'spki', format: 'der' })
    let seed = 7
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff)
    for (let i = 0; i < 2000; i++) {
      const copy = Buffer.from(der)
      for (let j = 0; j < 1 + Math.floor(random() * 4); j++) copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256)
      const pem = `-----BEGIN PUBLIC KEY-----\n${copy.toString('base64')}\n-----END PUBLIC KEY-----`
      try {
        const jwk = pemToJwk(pem)
        // Whatever parses is a structurally valid key that node:crypto reads too (or refuses itself).
        expect(jwk.kty).toMatch(/^(RSA|EC|OKP)$/)
      } catch (err) {
        expect(err).toBeInstanceOf(PemError)
      }
    }
    void createPublicKey
  })
})
