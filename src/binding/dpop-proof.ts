/**
 * @module
 * DPoP proofs (RFC 9449 §4.3), in two steps. Before the access token is looked at (step 1b),
 * the proof header is read: one `DPoP` field, within the size limit, one well-formed JWS whose
 * header says `typ: dpop+jwt`, an allowed asymmetric `alg` and a public `jwk`. After the token
 * verified (step 4b, on every request, cached tokens included): the claims, `htm`, `htu`, the
 * `iat` window, `ath`, the nonce, the signature, the key binding (`cnf.jkt`) and, last, the
 * `jti` replay check.
 */
import { BearerError } from '../errors/bearer-error.js'
import type { AsymmetricAlgorithm } from '../keys/algorithms.js'
import { loadJwk, type VerificationKey } from '../keys/verification-key.js'
import type { ParsedHeaders } from '../lib/parsed-headers.js'
import { own } from '../lib/own.js'
import { parseToken, type JwsHeader, type ParsedToken } from '../lib/token.js'
import type { SignatureBackend } from '../signature/signature-backend.js'
import { sha256Base64url } from './digest.js'
import type { DpopNonces } from './dpop-nonce.js'
import { htuMatches } from './htu.js'
import type { ReplayStore } from './replay-store.js'
import { jwkThumbprint } from './thumbprint.js'

/** The parts of a request a DPoP proof is checked against; adapters fill them in. */
export interface DpopRequest {
  /** The `DPoP` header: its value, or every value when the framework keeps repeated fields apart. */
  readonly proof: string | readonly string[] | null | undefined
  /** The request method, as sent (`GET`, `POST`, ...): compared with `htm`. */
  readonly method: string
  /**
   * The URL the client addressed (scheme, host, path; behind a proxy, the external one):
   * compared with `htu` without query and fragment, after RFC 3986 normalisation.
   */
  readonly url: string | URL
}

/** A verifier's DPoP settings, resolved once. */
export interface ResolvedDpop {
  /** Refuse `Bearer`. */
  readonly required: boolean
  readonly algorithms: ReadonlySet<AsymmetricAlgorithm>
  /** `algorithms` space-delimited: the challenge's `algs`. */
  readonly algs: string
  /** Seconds a proof's `iat` may lie in the past (plus the clock tolerance). */
  readonly maxAge: number
  /** Characters of the `DPoP` header accepted, checked before decoding. */
  readonly maxProofSize: number
  readonly nonces: DpopNonces | undefined
  readonly replay: ReplayStore
  /** Parsed proof headers by their encoded text (a client sends the same header on every proof). */
  readonly headers: ParsedHeaders
}

/** A proof whose header passed step 1b: its key and thumbprint are known, nothing is verified yet. */
export interface ParsedProof {
  readonly token: ParsedToken
  readonly alg: AsymmetricAlgorithm
  readonly key: VerificationKey
  /** RFC 7638 thumbprint of `key`. */
  readonly jkt: string | Promise<string>
}

/** What step 4b needs besides the proof. */
export interface ProofContext {
  /** The access token the proof came with: `ath` must be its hash. `undefined` at a token endpoint. */
  readonly accessToken: string | undefined
  /** `ath` of `accessToken` when already known (a cached token's), else computed. */
  readonly ath?: string | undefined
  /** The `cnf.jkt` the token is bound to; `undefined` when the proof establishes the binding (a token endpoint). */
  readonly jkt: string | undefined
  readonly request: DpopRequest
  /** Seconds. */
  readonly now: number
  readonly clockTolerance: number
}

/** Longest `jti` remembered (RFC 9449 §11.1: refuse "unnecessarily large jti values"). */
export const MAX_JTI_LENGTH = 256

// RFC 7517 / RFC 7518 §6: members that only a private (or symmetric) key has.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const

const invalid = (message: string, cause?: unknown): BearerError =>
  new BearerError('dpop_proof_invalid', { message, ...(cause === undefined ? {} : { cause }) })

interface ProofKey {
  readonly alg: AsymmetricAlgorithm
  readonly key: VerificationKey
  readonly jkt: string | Promise<string>
}

// The key of each parsed (frozen, shared) proof header: a client's proofs share one header
// object while it stays in `ResolvedDpop.headers`, so its key is imported and hashed once.
const keys = new WeakMap<JwsHeader, ProofKey>()

/** RFC 9449 §4.2 / §4.3 (4-7): the header of a proof, checked once per distinct header. */
function proofKey(d: ResolvedDpop, backend: SignatureBackend, header: JwsHeader): ProofKey {
  const known = keys.get(header)
  if (known !== undefined) return known
  // The header's own members only (and the jwk's, and the claims' below): a polluted
  // Object.prototype lends a proof nothing.
  // RFC 7515 §4.1.9: a media type, case-insensitive, `application/` optional.
  const typ = own(header, 'typ')
  if (typeof typ !== 'string' || !/^(?:application\/)?dpop\+jwt$/i.test(typ)) throw invalid('The DPoP proof typ is not dpop+jwt')
  // §4.3 (5), §11.6: an asymmetric algorithm on the allow-list; never none, never a MAC.
  const alg = own(header, 'alg') as AsymmetricAlgorithm
  if (!d.algorithms.has(alg)) throw invalid('The DPoP proof algorithm is not allowed')
  // RFC 7515 §4.1.11: no critical extension is understood here.
  if (own(header, 'crit') !== undefined) throw invalid('The DPoP proof requires an unsupported extension')
  const jwk = own(header, 'jwk')
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw invalid('The DPoP proof has no jwk header')
  // §4.3 (7): the jwk MUST NOT contain a private key.
  if (PRIVATE_MEMBERS.some((m) => own(jwk, m) !== undefined)) throw invalid('The DPoP proof jwk holds private key material')
  const loaded = loadJwk(jwk, new Set([alg]))
  if (!('key' in loaded)) throw invalid(`The DPoP proof jwk is not usable: ${loaded.skipped}`)
  const proofKey: ProofKey = { alg, key: loaded.key, jkt: jwkThumbprint(backend, loaded.key.jwk) }
  keys.set(header, proofKey)
  return proofKey
}

/** §4.3 (1, 2): exactly one `DPoP` field, within the size limit. */
function proofValue(d: ResolvedDpop, proof: DpopRequest['proof']): string {
  let value: string | null | undefined
  if (typeof proof === 'string' || proof == null) value = proof
  else if (Array.isArray(proof)) {
    if (proof.length > 1) throw invalid('Several DPoP headers were sent')
    value = proof[0]
  }
  if (value == null || value === '') throw new BearerError('dpop_proof_missing')
  if (value.length > d.maxProofSize) throw invalid('The DPoP proof exceeds the size limit')
  return value
}

/**
 * Step 1b: the proof of a `DPoP`-scheme request, read and its header checked, before any work
 * on the access token. Throws `dpop_proof_missing` or `dpop_proof_invalid`.
 */
export function parseProof(d: ResolvedDpop, backend: SignatureBackend, request: DpopRequest | undefined): ParsedProof {
  const raw = proofValue(d, request?.proof)
  let token: ParsedToken
  try {
    token = parseToken(raw, d.headers)
  } catch (cause) {
    throw invalid('The DPoP proof is not a well-formed JWT', cause)
  }
  const { alg, key, jkt } = proofKey(d, backend, token.header)
  return { token, alg, key, jkt }
}

const isNumericDate = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value)

/** §4.2: the claims every proof has, well typed. */
function proofClaims(payload: Record<string, unknown>): { jti: string; htm: string; htu: string; iat: number } {
  const [jti, htm, htu, iat] = [own(payload, 'jti'), own(payload, 'htm'), own(payload, 'htu'), own(payload, 'iat')]
  if (typeof jti !== 'string' || jti === '') throw invalid('The DPoP proof has no jti')
  if (jti.length > MAX_JTI_LENGTH) throw invalid('The DPoP proof jti is too long')
  if (typeof htm !== 'string') throw invalid('The DPoP proof has no htm')
  if (typeof htu !== 'string') throw invalid('The DPoP proof has no htu')
  if (!isNumericDate(iat)) throw invalid('The DPoP proof has no iat')
  return { jti, htm, htu, iat }
}

const acceptsNonce = (nonces: DpopNonces, nonce: unknown): boolean | Promise<boolean> => typeof nonce === 'string' && nonces.accepts(nonce)

const isPromise = <T>(value: T | Promise<T>): value is Promise<T> => typeof (value as Promise<T> | null)?.then === 'function'

/** `value`, then `next`: synchronously when `value` is not a promise (the Node path takes no await). */
function then<T, R>(value: T | Promise<T>, next: (resolved: T) => R | Promise<R>): R | Promise<R> {
  return isPromise(value) ? value.then(next) : next(value)
}

const unusableKey = (cause: unknown) => invalid('The DPoP proof signature could not be checked with its jwk', cause)

/** §4.3 (6): the signature verifies with the proof's own `jwk`. */
function verifySignature(backend: SignatureBackend, proof: ParsedProof): void | Promise<void> {
  let valid: boolean | Promise<boolean>
  try {
    valid = backend.verify(proof.key, proof.alg, proof.token)
  } catch (cause) {
    throw unusableKey(cause)
  }
  const assertValid = (ok: boolean): void => {
    if (!ok) throw invalid('The DPoP proof signature is invalid')
  }
  return isPromise(valid)
    ? valid.then(assertValid, (cause: unknown) => {
        throw unusableKey(cause)
      })
    : assertValid(valid)
}

/** §11.1: single use, for as long as the proof could be accepted; a store failure fails closed (503). */
function spend(d: ResolvedDpop, jti: string, ttl: number): void | Promise<void> {
  const unavailable = (cause: unknown): never => {
    throw new BearerError('replay_store_unavailable', { cause })
  }
  const assertFirst = (first: boolean): void => {
    if (!first) throw new BearerError('dpop_proof_replayed')
  }
  let added: boolean | Promise<boolean>
  try {
    added = d.replay.add(jti, ttl)
  } catch (cause) {
    return unavailable(cause)
  }
  return isPromise(added) ? added.then(assertFirst, unavailable) : assertFirst(added)
}

/**
 * Step 4b: everything else RFC 9449 §4.3 and §7.1 ask of a proof presented with an access
 * token (or, without one, at a token endpoint: §5), the replay check last (a proof failing any
 * other check is not spent). Returns the proof key's thumbprint; synchronous when the
 * signature backend, the nonces and the replay store are (Node, memory store).
 */
export function checkProof(d: ResolvedDpop, backend: SignatureBackend, proof: ParsedProof, c: ProofContext): string | Promise<string> {
  const payload = proof.token.payload
  const { jti, htm, htu, iat } = proofClaims(payload)
  // §4.3 (8, 9): the request it was made for.
  if (htm !== c.request.method) throw new BearerError('dpop_request_mismatch', { message: 'The DPoP proof htm is not the request method' })
  if (!htuMatches(htu, c.request.url)) throw new BearerError('dpop_request_mismatch', { message: 'The DPoP proof htu is not the request URL' })
  // §4.3 (11), §11.1: recent, and not from the future.
  if (iat > c.now + c.clockTolerance || iat < c.now - d.maxAge - c.clockTolerance) throw new BearerError('dpop_proof_expired')
  // §4.3 (12), §7: the hash of this access token.
  let athChecked: void | Promise<void> = undefined
  if (c.accessToken !== undefined) {
    const ath = own(payload, 'ath')
    if (typeof ath !== 'string') throw invalid('The DPoP proof has no ath')
    athChecked = then(c.ath ?? sha256Base64url(backend, c.accessToken), (expected) => {
      if (ath !== expected) throw new BearerError('dpop_ath_mismatch')
    })
  }
  return then(athChecked, () =>
    // §4.3 (10), §9, §11.3: once the server hands out nonces, a proof without the current one is refused.
    then(d.nonces === undefined ? true : acceptsNonce(d.nonces, own(payload, 'nonce')), (nonceOk) => {
      if (!nonceOk) throw new BearerError('dpop_nonce_required')
      return then(verifySignature(backend, proof), () =>
        // §6, §7.1: the key the token is bound to.
        then(proof.jkt, (jkt) => {
          if (c.jkt !== undefined && jkt !== c.jkt) throw new BearerError('dpop_key_mismatch')
          return then(spend(d, jti, Math.max(1, iat + d.maxAge + c.clockTolerance - c.now)), () => jkt)
        }),
      )
    }),
  )
}
