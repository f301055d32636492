/**
 * @module
 * Step 4b: a sender-constrained token (RFC 7800 `cnf`) is used by its holder. Runs on every
 * request, a cached token's included.
 *
 * - `Bearer` without `cnf`: nothing to do (the hot path returns at once).
 * - `Bearer` with `cnf`: refused (`token_bound`, RFC 9449 §7.2) unless the only binding is a
 *   certificate (`x5t#S256`, RFC 8705) and the request's client certificate matches;
 *   `acceptBoundAsBearer` lets it through (a certificate that is there must still match).
 * - `DPoP`: the token must carry `cnf.jkt`, and the proof pass every check of RFC 9449 §4.3.
 */
import { BearerError } from '../errors/bearer-error.js'
import type { AuthScheme } from '../errors/www-authenticate.js'
import type { SignatureBackend } from '../signature/signature-backend.js'
import { certificateThumbprint, type ClientCertificate } from './certificate.js'
import { sha256Base64url } from './digest.js'
import { own } from '../lib/own.js'
import { checkProof, type DpopRequest, type ParsedProof, type ResolvedDpop } from './dpop-proof.js'

/** The verifier's binding rules, resolved once. */
export interface BindingRules {
  readonly acceptBoundAsBearer: boolean
  readonly dpop: ResolvedDpop | undefined
  readonly signature: SignatureBackend
}

/** The client certificate of the request (RFC 8705): a value, or a function that reads it only when needed. */
export type CertificateInput = ClientCertificate | (() => ClientCertificate | undefined) | undefined

/** What this request brings to prove a binding. */
export interface BindingRequest {
  readonly dpop?: DpopRequest | undefined
  readonly certificate?: CertificateInput
}

/** The token as the binding step sees it. */
export interface BoundToken {
  readonly raw: string
  readonly payload: Record<string, unknown>
}

const X5T = 'x5t#S256'

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

function readCertificate(input: CertificateInput): ClientCertificate | undefined {
  return typeof input === 'function' ? input() : input
}

/**
 * RFC 8705 §3: the request's client certificate hashes to `x5t`. No certificate: `token_bound`
 * (or a pass with `acceptBoundAsBearer`); another one: `certificate_mismatch`.
 */
function assertCertificate(backend: SignatureBackend, x5t: string, input: CertificateInput, lenient: boolean): void | Promise<void> {
  const certificate = readCertificate(input)
  if (certificate === undefined) {
    if (lenient) return
    throw new BearerError('token_bound', { message: 'The token is bound to a client certificate and the request presented none' })
  }
  const thumbprint = certificateThumbprint(backend, certificate)
  const compare = (actual: string | undefined): void => {
    if (actual !== x5t) throw new BearerError('certificate_mismatch')
  }
  return typeof thumbprint === 'object' ? thumbprint.then(compare) : compare(thumbprint)
}

function assertBearerBinding(rules: BindingRules, cnf: unknown, request: BindingRequest): void | Promise<void> {
  const x5t = isObject(cnf) ? own(cnf, X5T) : undefined
  // Only a certificate binding can be proven on a Bearer request: any other member (jkt, jwk,
  // kid, ...) needs a proof this scheme does not carry.
  const certificateOnly = isObject(cnf) && typeof x5t === 'string' && Object.keys(cnf).every((k) => k === X5T)
  if (rules.acceptBoundAsBearer) {
    return typeof x5t === 'string' ? assertCertificate(rules.signature, x5t, request.certificate, true) : undefined
  }
  if (!certificateOnly) throw new BearerError('token_bound')
  return assertCertificate(rules.signature, x5t, request.certificate, false)
}

// `ath` of each cached token (RFC 9449 §4.2), by its payload object: the cache answers every
// request of a token with the same payload, so its hash is computed once.
const aths = new WeakMap<object, string>()

function athOf(rules: BindingRules, token: BoundToken): string | Promise<string> {
  const known = aths.get(token.payload)
  if (known !== undefined) return known
  const computed = sha256Base64url(rules.signature, token.raw)
  const remember = (ath: string): string => (aths.set(token.payload, ath), ath)
  return typeof computed === 'string' ? remember(computed) : computed.then(remember)
}

function assertDpopBinding(
  rules: BindingRules,
  token: BoundToken,
  proof: ParsedProof,
  request: BindingRequest,
  now: number,
  clockTolerance: number,
): void | Promise<void> {
  const cnf = own(token.payload, 'cnf')
  const jkt = isObject(cnf) ? own(cnf, 'jkt') : undefined
  // RFC 9449 §7.1: the DPoP scheme is for DPoP-bound tokens.
  if (typeof jkt !== 'string') throw new BearerError('dpop_token_unbound')
  // A request without `dpop` parts reached here only through a core call that forgot them.
  if (request.dpop === undefined) throw new BearerError('dpop_proof_missing')
  const ath = athOf(rules, token)
  const context = { accessToken: token.raw, jkt, request: request.dpop, now, clockTolerance }
  const checked = typeof ath === 'string' ? checkProof(rules.dpop!, rules.signature, proof, { ...context, ath }) : ath.then((a) => checkProof(rules.dpop!, rules.signature, proof, { ...context, ath: a }))
  // Bound to a certificate as well: both bindings hold.
  const x5t = own(cnf as object, X5T)
  const certificate = () => (typeof x5t === 'string' ? assertCertificate(rules.signature, x5t, request.certificate, false) : undefined)
  return typeof checked === 'string' ? certificate() : checked.then(certificate)
}

/**
 * Step 4b. Synchronous (and allocation-free) for a `Bearer` token without `cnf`; a promise
 * when a proof or a certificate is checked. `proof` is the step-1b parse of a `DPoP` request.
 */
export function assertBinding(
  rules: BindingRules,
  scheme: AuthScheme,
  token: BoundToken,
  proof: ParsedProof | undefined,
  request: BindingRequest,
  now: number,
  clockTolerance: number,
): void | Promise<void> {
  if (scheme === 'Bearer') {
    // The token's own members only (here and below): a polluted Object.prototype binds no token.
    const cnf = own(token.payload, 'cnf')
    return cnf === undefined ? undefined : assertBearerBinding(rules, cnf, request)
  }
  return assertDpopBinding(rules, token, proof!, request, now, clockTolerance)
}
