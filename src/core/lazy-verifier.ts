/**
 * @module
 * `createLazyVerifier`: a verifier whose options are read, checked and built on first use,
 * not at import. For frameworks that evaluate modules where the runtime configuration does
 * not exist: `next build` imports every route module without your environment variables.
 */
import { ConfigError } from '../errors/config-error.js'
import type { BearerAuth, VerifyRequestOptions } from '../lib/result.js'
import type { AuthorizationInput } from './authorization-header.js'
import { createVerifier, delegateInternals, type Verifier } from './create-verifier.js'
import { verifierEvents } from './events.js'
import type { VerifierOptions } from './options.js'

/**
 * A `Verifier` built on its first call (or `warm()`, or a read of `realm` or `header`) from the options
 * `options()` returns, then reused: one key cache, as with `createVerifier`. Until then nothing
 * is read or checked, so a module can export it while its environment is absent; a mistake
 * (`issuer` unset at run time, ...) rejects that call with the `ConfigError`, and the next call
 * tries again.
 *
 * Import from `tokengate`.
 *
 * @example
 * // lib/auth.ts: `next build` imports this without ISSUER, AUDIENCE and JWKS_URI set
 * export const verifier = createLazyVerifier(() => ({
 *   issuer: process.env.ISSUER!,
 *   audience: process.env.AUDIENCE!,
 *   jwksUri: process.env.JWKS_URI!,
 * }))
 */
export function createLazyVerifier<C extends object = object>(options: () => VerifierOptions<C>): Verifier<C> {
  if (typeof options !== 'function') {
    throw new ConfigError('verifier', 'options', 'createLazyVerifier takes a function returning the options, e.g. () => ({ issuer, audience, jwksUri })')
  }
  let built: Verifier<C> | undefined
  const get = (): Verifier<C> => (built ??= createVerifier(options()))
  const verify = ((authorization: AuthorizationInput, request?: VerifyRequestOptions): Promise<BearerAuth<C>> => {
    let v: Verifier<C>
    try {
      v = get()
    } catch (err) {
      return Promise.reject(err)
    }
    return v(authorization, request)
  }) as Verifier<C>
  Object.defineProperties(verify, {
    warm: { value: () => get().warm(), enumerable: true },
    realm: { get: () => get().realm, enumerable: true },
    // Read by adapters before the call: options that fail to build answer the call itself
    // (rejected with their ConfigError), not this read.
    header: {
      get: () => {
        try {
          return get().header
        } catch {
          return 'authorization'
        }
      },
      enumerable: true,
    },
    // The event hub (outcome and throttle events) of the verifier once built.
    [Symbol.for('tokengate.verifier.events')]: {
      get: () => {
        try {
          return verifierEvents(get())
        } catch {
          return undefined
        }
      },
    },
  })
  delegateInternals(verify, get)
  return verify
}
