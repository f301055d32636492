/**
 * @module
 * DPoP proofs for tests (RFC 9449 §4.2): valid ones, and forged ones each made to fail
 * exactly one check of §4.3, with the outcome a correct resource server gives.
 */
import { createHash, randomBytes } from 'node:crypto'
import type { JWK } from 'jose'
import type { BearerErrorCode, BearerErrorReason } from '../errors/reasons.js'
import type { AsymmetricAlgorithm } from '../keys/algorithms.js'
import { flipSignatureBit } from './hostile-tokens.js'
import { generateSigningKey, type TestSigningKey } from './keys.js'
import { deriveSigningKey } from './seeded-keys.js'
import { signTokenRaw, unsignedToken } from './tokens.js'

/** A client's DPoP key: signs proofs; `jkt` is what a bound token's `cnf.jkt` holds. */
export interface DpopKey {
  readonly alg: AsymmetricAlgorithm
  /** Signs the proofs. */
  readonly key: TestSigningKey
  /** The public JWK a proof carries in its `jwk` header (public members only). */
  readonly publicJwk: JWK
  /** RFC 7638 SHA-256 thumbprint of `publicJwk`: the `cnf.jkt` of tokens bound to this key. */
  readonly jkt: string
}

/** What a proof is for, and anything to change in it. */
export interface DpopProofOptions {
  /** `htu`: the URL of the request (query and fragment are dropped, as clients do). */
  readonly url: string | URL
  /** `htm`. Default `'GET'`. */
  readonly method?: string
  /** The access token the proof goes with: `ath` is its hash. Omit for a token-endpoint proof. */
  readonly accessToken?: string
  /** `nonce`, as the server handed it out in `DPoP-Nonce`. */
  readonly nonce?: string
  /** `iat` in seconds. Default: now on the kit's clock. */
  readonly iat?: number
  /** `jti`. Default: 32 random bytes, base64url. */
  readonly jti?: string
  /** Signing key. Default: the kit's `dpopKey`. */
  readonly key?: DpopKey
  /** Header members set over the proof's (`typ`, `alg`, `jwk`). */
  readonly header?: Readonly<Record<string, unknown>>
  /** Claims set over the proof's; `undefined` removes one. */
  readonly claims?: Readonly<Record<string, unknown>>
}

// RFC 7638 §3.2 members of each key type: the public key, nothing else.
const PUBLIC_MEMBERS: Readonly<Record<string, readonly string[]>> = { EC: ['kty', 'crv', 'x', 'y'], RSA: ['kty', 'n', 'e'], OKP: ['kty', 'crv', 'x'] }

function publicOnly(jwk: JWK): JWK {
  return Object.fromEntries((PUBLIC_MEMBERS[jwk.kty!] ?? []).map((m) => [m, (jwk as Record<string, unknown>)[m]])) as JWK
}

/**
 * RFC 7638 thumbprint (SHA-256, base64url) of a public JWK: the `cnf.jkt` of a token bound to it.
 *
 * Import from `tokengate/testing`.
 *
 * @example
 * const token = await kit.valid({ cnf: { jkt: jwkThumbprintOf(clientPublicJwk) } })
 */
export function jwkThumbprintOf(jwk: JWK): string {
  const members = [...(PUBLIC_MEMBERS[jwk.kty!] ?? [])].sort()
  const canonical = `{${members.map((m) => `"${m}":${JSON.stringify((jwk as Record<string, unknown>)[m])}`).join(',')}}`
  return createHash('sha256').update(canonical).digest('base64url')
}

function dpopKeyOf(key: TestSigningKey): DpopKey {
  const publicJwk = publicOnly(key.publicJwk!)
  return { alg: key.alg as AsymmetricAlgorithm, key: { ...key, kid: undefined }, publicJwk, jkt: jwkThumbprintOf(publicJwk) }
}

/**
 * A fresh DPoP key pair (ES256 unless told otherwise), as a client makes one.
 *
 * Import from `tokengate/testing`.
 *
 * @example
 * const client = await generateDpopKey()
 * const token = await kit.valid({ cnf: { jkt: client.jkt } })
 */
export async function generateDpopKey(alg: AsymmetricAlgorithm = 'ES256'): Promise<DpopKey> {
  return dpopKeyOf(await generateSigningKey(alg))
}

/**
 * The DPoP key a seed derives (purpose `'dpop'`): the same seed, the same key and `jkt`.
 *
 * Import from `tokengate/testing`.
 *
 * @example
 * const key = await deriveDpopKey('ES256', 'my-seed')
 */
export async function deriveDpopKey(alg: AsymmetricAlgorithm = 'ES256', seed?: string | Uint8Array): Promise<DpopKey> {
  return dpopKeyOf(await deriveSigningKey(alg, { purpose: 'dpop', ...(seed === undefined ? {} : { seed }) }))
}

/** `htu` of a URL: without query and fragment (RFC 9449 §4.2). */
function htuOf(url: string | URL): string {
  const u = new URL(url)
  return `${u.origin}${u.pathname}`
}

function proofParts(key: DpopKey, o: DpopProofOptions, nowS: number): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const payload: Record<string, unknown> = {
    jti: o.jti ?? randomBytes(32).toString('base64url'),
    htm: o.method ?? 'GET',
    htu: htuOf(o.url),
    iat: o.iat ?? nowS,
    ...(o.accessToken === undefined ? {} : { ath: createHash('sha256').update(o.accessToken).digest('base64url') }),
    ...(o.nonce === undefined ? {} : { nonce: o.nonce }),
    ...o.claims,
  }
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name]
  return { header: { typ: 'dpop+jwt', alg: key.alg, jwk: key.publicJwk, ...o.header }, payload }
}

/**
 * Signs a DPoP proof with `key` for the request in `options`, `iat` from `nowS` (seconds).
 * Any header and claim can be overridden, so hostile proofs are built the same way.
 *
 * Import from `tokengate/testing`.
 *
 * @example
 * const proof = await signDpopProof(await generateDpopKey(), { url: 'https://api.example.com/orders', accessToken })
 */
export function signDpopProof(key: DpopKey, options: DpopProofOptions, nowS = Math.floor(Date.now() / 1000)): Promise<string> {
  const { header, payload } = proofParts(options.key ?? key, options, nowS)
  return signTokenRaw((options.key ?? key).key, header, payload)
}

/** Forged or broken proofs the test kit makes, each failing one RFC 9449 §4.3 check. */
export type DpopProofCase =
  | 'badSignature'
  | 'otherKey'
  | 'wrongTyp'
  | 'algNone'
  | 'hmac'
  | 'privateKeyInJwk'
  | 'wrongMethod'
  | 'wrongUrl'
  | 'stale'
  | 'future'
  | 'noAth'
  | 'wrongAth'
  | 'noJti'

/** The answer a correct resource server gives a proof: a 401 with this reason and `error=`. */
export interface DpopOutcome {
  readonly status: 401
  readonly reason: BearerErrorReason
  readonly code: BearerErrorCode
}

const proofError = (reason: BearerErrorReason): DpopOutcome => ({ status: 401, reason, code: 'invalid_dpop_proof' })

/**
 * What tokengate answers each forged proof with, presented with a valid token bound to the
 * kit's DPoP key (`kit.dpopBound()`), on the request the options name.
 */
export const DPOP_PROOF_OUTCOMES: Readonly<Record<DpopProofCase, DpopOutcome>> = Object.freeze({
  badSignature: proofError('dpop_proof_invalid'),
  otherKey: { status: 401, reason: 'dpop_key_mismatch', code: 'invalid_token' },
  wrongTyp: proofError('dpop_proof_invalid'),
  algNone: proofError('dpop_proof_invalid'),
  hmac: proofError('dpop_proof_invalid'),
  privateKeyInJwk: proofError('dpop_proof_invalid'),
  wrongMethod: proofError('dpop_request_mismatch'),
  wrongUrl: proofError('dpop_request_mismatch'),
  stale: proofError('dpop_proof_expired'),
  future: proofError('dpop_proof_expired'),
  noAth: proofError('dpop_proof_invalid'),
  wrongAth: proofError('dpop_ath_mismatch'),
  noJti: proofError('dpop_proof_invalid'),
})

/** One line per forged proof: what is wrong with it. */
export const DPOP_PROOF_DESCRIPTIONS: Readonly<Record<DpopProofCase, string>> = Object.freeze({
  badSignature: 'a valid proof with one signature bit flipped',
  otherKey: "a valid proof, but signed by (and carrying) another key than the token's cnf.jkt",
  wrongTyp: 'typ "jwt" instead of "dpop+jwt" (RFC 9449 §11.5)',
  algNone: 'unsigned, alg "none"',
  hmac: 'HS256 (a MAC), never allowed for proofs (RFC 9449 §11.6)',
  privateKeyInJwk: 'the jwk header carries the private key ("d")',
  wrongMethod: 'htm names another method',
  wrongUrl: 'htu names another URL',
  stale: 'iat one hour ago',
  future: 'iat one hour ahead',
  noAth: 'no ath claim although an access token goes with it',
  wrongAth: 'ath is the hash of another access token',
  noJti: 'no jti claim',
})

/** Builds the forged proof `kind` for the request in `options`. */
export async function forgeDpopProof(kind: DpopProofCase, key: DpopKey, options: DpopProofOptions, nowS: number): Promise<string> {
  const sign = (o: Partial<DpopProofOptions> = {}) => signDpopProof(key, { ...options, ...o }, nowS)
  switch (kind) {
    case 'badSignature':
      return flipSignatureBit(await sign())
    case 'otherKey':
      return sign({ key: await generateDpopKey(key.alg) })
    case 'wrongTyp':
      return sign({ header: { typ: 'jwt' } })
    case 'algNone': {
      const { header, payload } = proofParts(key, options, nowS)
      return unsignedToken({ ...header, alg: 'none' }, payload)
    }
    case 'hmac': {
      const secret = randomBytes(32)
      const { header, payload } = proofParts(key, options, nowS)
      return signTokenRaw({ alg: 'HS256', kid: undefined, signingKey: secret, publicJwk: undefined, secret }, { ...header, alg: 'HS256', jwk: { kty: 'oct', k: secret.toString('base64url') } }, payload)
    }
    case 'privateKeyInJwk': {
      const { exportJWK } = await import('jose')
      const d = (await exportJWK(key.key.signingKey as CryptoKey)).d
      return sign({ header: { jwk: { ...key.publicJwk, d } } })
    }
    case 'wrongMethod':
      return sign({ method: (options.method ?? 'GET') === 'GET' ? 'POST' : 'GET' })
    case 'wrongUrl': {
      const url = new URL(options.url)
      url.pathname = `${url.pathname.replace(/\/$/, '')}/elsewhere`
      return sign({ url })
    }
    case 'stale':
      return sign({ iat: (options.iat ?? nowS) - 3600 })
    case 'future':
      return sign({ iat: (options.iat ?? nowS) + 3600 })
    case 'noAth':
      return sign({ claims: { ...options.claims, ath: undefined } })
    case 'wrongAth':
      return sign({ accessToken: `${options.accessToken ?? ''}x` })
    case 'noJti':
      return sign({ claims: { ...options.claims, jti: undefined } })
  }
}
