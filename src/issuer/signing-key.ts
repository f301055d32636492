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

const PEM_ADVICE: Readonly<Record<string, string>> = {
  'PUBLIC KEY': 'is a public key; the issuer signs with the private key (PKCS#8 PEM, private JWK or CryptoKey) and publishes the public half in jwks()',
  'RSA PUBLIC KEY': 'is a public key; the issuer signs with the private key (PKCS#8 PEM, private JWK or CryptoKey) and publishes the public half in jwks()',
  CERTIFICATE: 'is a certificate, which holds only a public key; give the private key (PKCS#8 PEM, private JWK or CryptoKey)',
  'RSA PRIVATE KEY': 'is PKCS#1; convert it to PKCS#8 (openssl pkcs8 -topk8 -nocrypt -in key.pem) or give it as a private JWK',
  'EC PRIVATE KEY': 'is SEC1; convert it to PKCS#8 (openssl pkcs8 -topk8 -nocrypt -in key.pem) or give it as a private JWK',
  'ENCRYPTED PRIVATE KEY': 'is encrypted; give it decrypted (openssl pkcs8 -in key.pem -out plain.pem) or as a CryptoKey',
}
const KEY_TYPES = ['RSA', 'EC', 'OKP']

/** A `ConfigError` for the issuer, at `where`. */
function invalid(where: string, message: string): ConfigError {
  return new ConfigError('issuer', where, message)
}

/** The algorithm a configured key signs with, when it can be told without importing it; `undefined` for a PEM. */
function declaredAlg(input: IssuerKey, fallback: Algorithm): Algorithm | undefined {
  const pk = input.privateKey
  if (input.alg) return input.alg
  if (typeof pk === 'string') return undefined
  if (typeof (pk as JWK).kty === 'string') return ((pk as JWK).alg as Algorithm | undefined) ?? inferAlg((pk as JWK).kty, (pk as JWK).crv, fallback)
  return algFromCryptoKey(pk as CryptoKey, fallback)
}

/**
 * Everything about one configured key that can be checked without importing it, so a wrong
 * key fails `createIssuer()` itself: a PEM that is not PKCS#8 (a public key, a certificate,
 * PKCS#1, SEC1, encrypted), a public or symmetric JWK, an algorithm that does not fit the
 * key, a weak RSA modulus, a public or non-extractable `CryptoKey` without its `publicJwk`.
 * Returns the `kid` when it is known without a thumbprint.
 */
export function checkSigningKey(input: IssuerKey, fallback: Algorithm, where: string): string | undefined {
  if (typeof input !== 'object' || input === null) throw invalid(where, 'expected { privateKey, kid?, alg?, publicJwk? }')
  const pk = input.privateKey
  if (typeof pk === 'string') {
    const label = /-----BEGIN ([A-Z0-9 ]{1,40})-----/.exec(pk)?.[1]
    if (label === 'PRIVATE KEY') return input.kid
    const advice = label === undefined ? undefined : PEM_ADVICE[label]
    if (advice) throw invalid(`${where}.privateKey`, `this PEM ${advice}`)
    const trimmed = pk.trim()
    if (trimmed.startsWith('{')) throw invalid(`${where}.privateKey`, 'give the JWK as an object (JSON.parse it), not as JSON text')
    throw invalid(`${where}.privateKey`, `expected a PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"), a private JWK or a CryptoKey${label ? `, got a PEM "${label}" block` : ''}`)
  }
  if (typeof pk !== 'object' || pk === null) throw invalid(`${where}.privateKey`, 'expected a private JWK, a PKCS#8 PEM or a CryptoKey')
  if (typeof (pk as JWK).kty === 'string') {
    const jwk = pk as JWK
    if (jwk.kty === 'oct') throw invalid(`${where}.privateKey`, 'an "oct" JWK is a shared secret: give it as `secret` (its "k" bytes), not as a key')
    const alg = declaredAlg(input, fallback)!
    if (isHmacAlgorithm(alg)) throw invalid(`${where}.alg`, 'HMAC signs with the `secret` option, not a key')
    if (!KEY_TYPES.includes(jwk.kty!)) throw invalid(`${where}.privateKey`, `unsupported key type ${JSON.stringify(jwk.kty)}; expected RSA, EC or OKP (Ed25519)`)
    if (typeof jwk.d !== 'string') throw invalid(`${where}.privateKey`, 'a private JWK (with "d") is required; the public half goes to verifiers')
    const pub = loadJwk({ ...publicMembers(jwk), alg }, new Set([alg]))
    if ('skipped' in pub) throw invalid(where, pub.skipped)
    return input.kid ?? jwk.kid
  }
  const key = pk as CryptoKey
  if (typeof key.type !== 'string' || typeof key.algorithm !== 'object' || key.algorithm === null) {
    throw invalid(`${where}.privateKey`, 'expected a private JWK, a PKCS#8 PEM or a CryptoKey')
  }
  if (key.type !== 'private') throw invalid(`${where}.privateKey`, `expected a private key, got a ${key.type === 'public' || key.type === 'secret' ? key.type : 'non-private'} CryptoKey`)
  const alg = declaredAlg(input, fallback)!
  if (Array.isArray(key.usages) && !key.usages.includes('sign')) throw invalid(`${where}.privateKey`, 'the CryptoKey cannot sign (its usages lack "sign")')
  if (!input.publicJwk && !key.extractable) throw invalid(`${where}.publicJwk`, 'required for a non-extractable CryptoKey')
  if (input.publicJwk) {
    const pub = loadJwk({ ...publicMembers(input.publicJwk), alg }, new Set([alg]))
    if ('skipped' in pub) throw invalid(`${where}.publicJwk`, pub.skipped)
  }
  return input.kid
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
