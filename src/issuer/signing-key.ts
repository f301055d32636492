/**
 * @module
 * One signing key: loaded from a private JWK, a PKCS#8 PEM or a CryptoKey, or generated;
 * checked the way the verifier would check its public half, and self-tested once.
 */
import { ConfigError } from '../errors/config-error.js'
import { calculateJwkThumbprint, compactVerify, CompactSign, exportJWK, generateKeyPair, importJWK, importPKCS8, type CryptoKey, type JWK } from 'jose'
import { algorithmsForKeyType, isHmacAlgorithm, type Algorithm, type AsymmetricAlgorithm } from '../keys/algorithms.js'
import { loadJwk } from '../keys/verification-key.js'

/** A private key the issuer signs with, as configured by the user. */
export interface IssuerKey {
  /** A private JWK (with `d`), a PKCS#8 PEM string, or a private `CryptoKey`. */
  readonly privateKey: JWK | string | CryptoKey
  /** Key id published in the JWKS and set in token headers. Default: the RFC 7638 thumbprint. */
  readonly kid?: string
  /**
   * Signing algorithm. Default: the JWK's `alg`, else from the key (`ES256` for P-256,
   * `EdDSA` for Ed25519, `RS256` for RSA), else the issuer's `algorithm`.
   */
  readonly alg?: AsymmetricAlgorithm
  /** The public JWK; needed only for a non-extractable `CryptoKey`. */
  readonly publicJwk?: JWK
}

/** A key ready to sign, with the public JWK verifiers get (no private member, ever). */
export interface SigningKey {
  readonly kid: string | undefined
  readonly alg: Algorithm
  readonly key: CryptoKey | Uint8Array
  /** `undefined` for HMAC secrets, which are never published. */
  readonly publicJwk: JWK | undefined
}

const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e'] as const

/** Only the public members of a JWK: `d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`, `k` never leave. */
export function publicMembers(jwk: JWK): JWK {
  const out: Record<string, unknown> = {}
  for (const m of PUBLIC_MEMBERS) if (jwk[m] !== undefined) out[m] = jwk[m]
  return out as JWK
}

function inferAlg(kty: unknown, crv: unknown, fallback: Algorithm): Algorithm {
  const fits = algorithmsForKeyType(String(kty), crv)
  if (fits.includes(fallback as AsymmetricAlgorithm)) return fallback
  if (kty === 'RSA') return 'RS256'
  return fits[0] ?? fallback
}

function algFromCryptoKey(key: CryptoKey, fallback: Algorithm): Algorithm {
  const a = key.algorithm as { name: string; namedCurve?: string; hash?: { name: string } }
  if (a.name === 'ECDSA') return inferAlg('EC', a.namedCurve, fallback)
  if (a.name === 'Ed25519') return fallback === 'Ed25519' ? 'Ed25519' : 'EdDSA'
  const bits = a.hash?.name.replace('SHA-', '') ?? '256'
  if (a.name === 'RSASSA-PKCS1-v1_5') return `RS${bits}` as Algorithm
  if (a.name === 'RSA-PSS') return `PS${bits}` as Algorithm
  return fallback
}

async function finish(kid: string | undefined, alg: Algorithm, key: CryptoKey, pub: JWK, where: string): Promise<SigningKey> {
  const loaded = loadJwk({ ...pub, alg }, new Set([alg]))
  if ('skipped' in loaded) throw new ConfigError('issuer', where, loaded.skipped)
  const publicJwk = Object.freeze({ ...pub, kid: kid ?? (await calculateJwkThumbprint(pub)), alg, use: 'sig' })
  // Self-test once: a private key that does not match its published half would mint
  // tokens no verifier accepts.
  const probe = new TextEncoder().encode('tokengate')
  try {
    const jws = await new CompactSign(probe).setProtectedHeader({ alg }).sign(key)
    await compactVerify(jws, await importJWK(publicJwk, alg))
  } catch (cause) {
    throw new ConfigError('issuer', where, `the key cannot sign ${alg} verifiable by its public JWK`, { cause })
  }
  return Object.freeze({ kid: publicJwk.kid, alg, key, publicJwk })
}

/** Loads one configured key. `where` names the option path in errors. */
export async function loadSigningKey(input: IssuerKey, fallback: Algorithm, where: string): Promise<SigningKey> {
  const pk = input.privateKey
  try {
    if (typeof pk === 'string') {
      const alg = input.alg ?? fallback
      const key = await importPKCS8(pk, alg, { extractable: true })
      return await finish(input.kid, alg, key, publicMembers(await exportJWK(key)), where)
    }
    if (typeof (pk as JWK).kty === 'string') {
      const jwk = pk as JWK
      if (typeof jwk.d !== 'string') throw new ConfigError('issuer', `${where}.privateKey`, 'a private JWK (with "d") is required; the public half goes to verifiers')
      const alg = input.alg ?? (jwk.alg as Algorithm | undefined) ?? inferAlg(jwk.kty, jwk.crv, fallback)
      const key = (await importJWK({ ...jwk, alg }, alg)) as CryptoKey
      return await finish(input.kid ?? jwk.kid, alg, key, publicMembers(jwk), where)
    }
    const key = pk as CryptoKey
    if (key.type !== 'private') throw new ConfigError('issuer', `${where}.privateKey`, 'expected a private key')
    const alg = input.alg ?? algFromCryptoKey(key, fallback)
    const pub = input.publicJwk ?? (key.extractable ? await exportJWK(key) : undefined)
    if (!pub) throw new ConfigError('issuer', `${where}.publicJwk`, 'required for a non-extractable CryptoKey')
    return await finish(input.kid, alg, key, publicMembers(pub), where)
  } catch (err) {
    if (ConfigError.is(err)) throw err
    throw new ConfigError('issuer', `${where}.privateKey`, `${(err as Error).message}; expected a private JWK, a PKCS#8 PEM or a CryptoKey`, { cause: err })
  }
}

/** Generates a fresh key pair for `alg`; the private half is not extractable. */
export async function generateIssuerKey(alg: AsymmetricAlgorithm): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: false })
  return finish(undefined, alg, privateKey, publicMembers(await exportJWK(publicKey)), 'algorithm')
}

/** An HMAC secret: signs, is never published. */
export function secretSigningKey(secret: Uint8Array, alg: Algorithm): SigningKey {
  if (!isHmacAlgorithm(alg)) throw new ConfigError('issuer', 'algorithm', `${alg} cannot sign with a shared secret`)
  return Object.freeze({ kid: undefined, alg, key: secret, publicJwk: undefined })
}
