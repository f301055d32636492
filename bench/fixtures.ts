/**
 * @module
 * One typical access token per algorithm, and the same key in every form the contenders take
 * (JWK, CryptoKey, KeyObject, PEM, secret bytes).
 */
import { createPublicKey, createSecretKey, randomBytes, type KeyObject } from 'node:crypto'
import { exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK } from 'jose'

export type BenchAlg = 'HS256' | 'RS256' | 'ES256' | 'EdDSA'
export const ALGS: readonly BenchAlg[] = ['HS256', 'RS256', 'ES256', 'EdDSA']

export const ISSUER = 'https://idp.example.com/'
export const AUDIENCE = 'https://api.example.com'

export interface Fixture {
  readonly alg: BenchAlg
  readonly kid: string
  readonly token: string
  /** `Bearer <token>` as bytes: each call decodes a fresh string, as an HTTP parser does. */
  readonly header: Buffer
  readonly secret: Buffer | undefined
  readonly publicJwk: JWK | undefined
  readonly cryptoKey: CryptoKey
  readonly keyObject: KeyObject
  /** PEM (SPKI) or the secret, for libraries that take key text. */
  readonly keyText: string | Buffer
}

export async function makeFixture(alg: BenchAlg): Promise<Fixture> {
  const kid = `${alg.toLowerCase()}-2026-01`
  const now = Math.floor(Date.now() / 1000)
  const claims = {
    iss: ISSUER,
    sub: 'auth0|5f7c8ec7c33c6c004bbafe82',
    aud: AUDIENCE,
    iat: now,
    nbf: now,
    exp: now + 3600,
    jti: 'a3c1e0f2-9f1d-4c7b-8a55-0d7e2b6c9f41',
    client_id: 's6BhdRkqt3',
    scope: 'openid profile email read:users write:users',
  }
  const jwt = new SignJWT(claims).setProtectedHeader({ alg, typ: 'at+jwt', kid })
  if (alg === 'HS256') {
    const secret = randomBytes(32)
    const token = await jwt.sign(secret)
    return {
      alg, kid, token, header: Buffer.from(`Bearer ${token}`, 'latin1'), secret, publicJwk: undefined,
      // A CryptoKey, imported once: given bytes, jose would import them on every call.
      cryptoKey: await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']),
      keyObject: createSecretKey(secret), keyText: secret,
    }
  }
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }
  const token = await jwt.sign(privateKey)
  return {
    alg, kid, token, header: Buffer.from(`Bearer ${token}`, 'latin1'), secret: undefined, publicJwk,
    cryptoKey: (await importJWK(publicJwk, alg)) as CryptoKey,
    keyObject: createPublicKey({ key: publicJwk as never, format: 'jwk' }),
    keyText: await exportSPKI(publicKey),
  }
}
