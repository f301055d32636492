/**
 * @module
 * Server-provided DPoP nonces (RFC 9449 §9), stateless: a nonce is its time window and an
 * HMAC of it under the verifier's secret, so every instance sharing `nonce.secret` issues and
 * accepts the same nonces without shared storage. The nonce rotates every `lifetime`; the
 * current and the previous window's nonces are accepted, so a nonce lives between one and two
 * lifetimes. Nonce values are unpredictable without the secret (RFC 9449 §8).
 */
import { encodeBase64url } from '../lib/base64url.js'
import { constantTimeEqual } from './digest.js'

/** The nonces of one verifier. */
export interface DpopNonces {
  /** The nonce to hand out now (`DPoP-Nonce`); a promise only until the window's HMAC is computed. */
  current(): string | Promise<string>
  /** True when `nonce` is the current or the previous window's nonce. */
  accepts(nonce: string): boolean | Promise<boolean>
}

const utf8 = new TextEncoder()
/** Bytes of HMAC kept in a nonce: 128 bits. */
const MAC_BYTES = 16

/**
 * Nonces keyed by `secret` (at least 32 bytes), rotating every `lifetime` seconds of `now` (ms).
 *
 * @example
 * const nonces = createDpopNonces(crypto.getRandomValues(new Uint8Array(32)), 60, Date.now)
 */
export function createDpopNonces(secret: Uint8Array, lifetime: number, now: () => number): DpopNonces {
  const key = crypto.subtle.importKey('raw', secret as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  // window → nonce (or its pending computation); a few windows at most.
  const values = new Map<number, string | Promise<string>>()

  const compute = async (window: number): Promise<string> => {
    const label = window.toString(36)
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await key, utf8.encode(`tokengate-dpop-nonce.${label}`)))
    return `${label}.${encodeBase64url(mac.subarray(0, MAC_BYTES))}`
  }
  const valueOf = (window: number): string | Promise<string> => {
    let value = values.get(window)
    if (value === undefined) {
      const pending = compute(window)
      values.set(window, pending)
      pending.then(
        (v) => values.set(window, v),
        () => values.delete(window),
      )
      value = pending
      // Forget windows nobody accepts any more.
      for (const w of values.keys()) if (w < window - 1) values.delete(w)
    }
    return value
  }
  const windowNow = (): number => Math.floor(now() / 1000 / lifetime)
  const matches = (nonce: string, expected: string | Promise<string>): boolean | Promise<boolean> =>
    typeof expected === 'string' ? constantTimeEqual(nonce, expected) : expected.then((e) => constantTimeEqual(nonce, e))

  return {
    current: () => {
      const window = windowNow()
      // Start the next window's value early, so the answer stays synchronous across rotation.
      void valueOf(window + 1)
      return valueOf(window)
    },
    accepts: (nonce) => {
      const window = windowNow()
      // The window is in the nonce: only a nonce naming the current or the previous window is
      // compared (never computing values for windows an attacker names).
      const dot = nonce.indexOf('.')
      const named = dot > 0 && dot <= 12 ? parseInt(nonce.slice(0, dot), 36) : NaN
      if (named !== window && named !== window - 1) return false
      return matches(nonce, valueOf(named))
    },
  }
}
