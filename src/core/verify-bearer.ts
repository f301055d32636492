/**
 * @module
 * `verifyBearer(authorization, options)`: the one-shot form of `createVerifier`.
 */
import type { AuthorizationInput } from './authorization-header.js'
import { createVerifier, type Verifier } from './create-verifier.js'
import type { JwtVerifierOptions, VerifierOptions } from './options.js'
import type { BearerAuth, JwtAuth, VerifyRequestOptions } from '../lib/result.js'

/** Options of the one-shot `verifyBearer`: the verifier's options plus per-call requirements. */
export type VerifyBearerOptions<C extends object = object> = VerifierOptions<C> & VerifyRequestOptions

// Verifiers built for an options object, so its JWKS cache lives as long as the object does.
const verifiers = new WeakMap<object, Verifier<object>>()

/**
 * Verifies an `Authorization` header in one call. The verifier for an options object is
 * built on first use and kept while the object lives, so define the options once (a module
 * constant) rather than inline per request.
 *
 * Import from `tokengate`.
 *
 * @example
 * const options = { issuer, audience, jwksUri, scopes: ['read:users'] }
 * const auth = await verifyBearer(req.headers.authorization, options)
 */
export function verifyBearer<C extends object = object>(authorization: AuthorizationInput, options: JwtVerifierOptions<C> & VerifyRequestOptions): Promise<JwtAuth<C>>
export function verifyBearer<C extends object = object>(authorization: AuthorizationInput, options: VerifyBearerOptions<C>): Promise<BearerAuth<C>>
export function verifyBearer<C extends object = object>(
  authorization: AuthorizationInput,
  options: VerifyBearerOptions<C>,
): Promise<BearerAuth<C>> {
  let verifier = verifiers.get(options) as Verifier<C> | undefined
  if (!verifier) {
    const { scopes: _scopes, scopeMode: _mode, apiKey: _apiKey, ...verifierOptions } = options
    verifier = createVerifier(verifierOptions as VerifierOptions<C>)
    verifiers.set(options, verifier as Verifier<object>)
  }
  const request = options.scopes ? { scopes: options.scopes, scopeMode: options.scopeMode ?? 'all' } : undefined
  return verifier(authorization, options.apiKey == null ? request : { ...request, apiKey: options.apiKey })
}
