/**
 * @module
 * Loading a signing key for `tokengate mint --key`: a PKCS#8 PEM, a private JWK, a JWK Set
 * holding one private key, or an `oct` JWK for HS*.
 */
import { createPrivateKey } from 'node:crypto'
import { importJWK, type CryptoKey, type JWK } from 'jose'
import { decodeBase64url } from '../lib/base64url.js'
import { nonSecretKind } from '../keys/key-material.js'
import { ALGORITHMS, algorithmsForKeyType, isHmacAlgorithm, type Algorithm } from '../keys/algorithms.js'
import type { TestSigningKey } from '../testing/keys.js'
import { UsageError } from './exit-codes.js'
import { jsonErrorPosition, readFlagFile } from './io.js'

function privateJwkFrom(text: string, path: string): JWK {
  const trimmed = text.trim()
  if (!trimmed.startsWith('{')) {
    try {
      return createPrivateKey(trimmed).export({ format: 'jwk' }) as JWK
    } catch (err) {
      throw new UsageError(`--key: ${path} is neither a JWK nor a private key PEM (${(err as Error).message})`)
    }
  }
  let doc: { keys?: unknown } & JWK
  try {
    doc = JSON.parse(trimmed)
  } catch (err) {
    // JSON.parse quotes the text around the error, which here is private key material: say
    // only where it is.
    throw new UsageError(`--key: ${path} is not valid JSON${jsonErrorPosition(err)}`)
  }
  if (!Array.isArray(doc.keys)) return doc
  const privates = (doc.keys as JWK[]).filter((k) => k && (k.d !== undefined || k.kty === 'oct'))
  if (privates.length !== 1) throw new UsageError(`--key: ${path} is a JWK Set with ${privates.length} private keys; expected exactly one`)
  return privates[0]!
}

function defaultAlg(jwk: JWK): string | undefined {
  if (jwk.alg) return jwk.alg
  if (jwk.kty === 'oct') return 'HS256'
  return algorithmsForKeyType(jwk.kty ?? '', jwk.crv)[0]
}

/** Reads a private key file; `alg` and `kid` from the flags win over the JWK's own members. */
export async function loadSigningKey(path: string, algFlag: string | undefined, kidFlag: string | undefined): Promise<TestSigningKey> {
  const jwk = privateJwkFrom(await readFlagFile(path, 'key'), path)
  const alg = (algFlag ?? defaultAlg(jwk)) as Algorithm | undefined
  if (!alg || !ALGORITHMS.includes(alg)) throw new UsageError(`--alg: cannot use ${JSON.stringify(alg)}; expected one of ${ALGORITHMS.join(', ')}`)
  const kid = kidFlag ?? jwk.kid
  if (jwk.kty === 'oct') {
    const secret = typeof jwk.k === 'string' ? decodeBase64url(jwk.k) : undefined
    if (!secret || secret.length === 0) throw new UsageError(`--key: ${path} is an "oct" JWK without a base64url "k"`)
    // The same rule as the verifier's `secret`: an HMAC key that is really a public key forges tokens.
    const kind = nonSecretKind(secret)
    if (kind !== undefined) throw new UsageError(`--key: the "k" of ${path} is ${kind}, not a shared secret: an HMAC key anyone with the public key can reproduce; mint with the private key instead`)
    if (!isHmacAlgorithm(alg)) throw new UsageError(`--alg: ${alg} cannot be used with a shared secret`)
    return { alg, kid, signingKey: secret, publicJwk: undefined, secret }
  }
  if (jwk.d === undefined) throw new UsageError(`--key: ${path} holds a public key; minting needs the private key`)
  if (!algorithmsForKeyType(jwk.kty ?? '', jwk.crv).includes(alg as never)) throw new UsageError(`--alg: ${alg} does not fit a ${jwk.kty}${jwk.crv ? ` ${jwk.crv}` : ''} key`)
  let signingKey: CryptoKey
  try {
    signingKey = (await importJWK({ ...jwk, alg }, alg)) as CryptoKey
  } catch (err) {
    throw new UsageError(`--key: ${path} cannot be used for ${alg} (${(err as Error).message})`)
  }
  return { alg, kid, signingKey, publicJwk: undefined, secret: undefined }
}
