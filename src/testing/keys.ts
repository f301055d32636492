/**
 * @module
 * Signing keys for tests: generate a key pair for an algorithm and publish its public JWK.
 */
import { exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose'
import type { Algorithm } from '../keys/algorithms.js'

/** A key that signs test tokens, with the public JWK a verifier would trust. */
export interface TestSigningKey {
  readonly alg: Algorithm
  readonly kid: string | undefined
  /** What signs: a private CryptoKey, or the secret bytes for HS*. */
  readonly signingKey: CryptoKey | Uint8Array
  /** The public JWK (with `kid` and `alg`), absent for HS*. */
  readonly publicJwk: JWK | undefined
  /** The shared secret, for HS*. */
  readonly secret: Uint8Array | undefined
}

const SECRET_BYTES: Partial<Record<Algorithm, number>> = { HS256: 32, HS384: 48, HS512: 64 }

/**
 * Generates a fresh key for `alg`. RSA keys are 2048-bit unless `modulusLength` says otherwise.
 *
 * @example
 * const key = await generateSigningKey('EdDSA', { kid: 'k1' })
 * createVerifier({ issuer, audience, jwks: { keys: [key.publicJwk!] } })
 */
export async function generateSigningKey(
  alg: Algorithm,
  options: { kid?: string; modulusLength?: number } = {},
): Promise<TestSigningKey> {
  const kid = options.kid
  const size = SECRET_BYTES[alg]
  if (size !== undefined) {
    const secret = crypto.getRandomValues(new Uint8Array(size))
    return { alg, kid, signingKey: secret, publicJwk: undefined, secret }
  }
  const { privateKey, publicKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(options.modulusLength ? { modulusLength: options.modulusLength } : {}),
  })
  const publicJwk = { ...(await exportJWK(publicKey)), alg, use: 'sig', ...(kid === undefined ? {} : { kid }) }
  return { alg, kid, signingKey: privateKey, publicJwk, secret: undefined }
}
