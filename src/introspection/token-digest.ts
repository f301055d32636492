/**
 * @module
 * The name a token is cached under: HMAC-SHA-256 of the token with a key drawn at random for
 * this process and never exported. The caches and the in-flight map hold only these digests,
 * so the raw token lives no longer than its own request, and a heap dump yields digests that
 * are useless outside the process (no offline guessing, no matching against another system's
 * plain SHA-256 of the same token).
 */
import { encodeBase64url } from '../lib/base64url.js'

/** Turns a token into its cache name. */
export type TokenDigest = (token: string) => Promise<string>

const utf8 = new TextEncoder()

/**
 * A digest function with its own random key (WebCrypto, so the same on Node and edge runtimes).
 *
 * @example
 * const digest = createTokenDigest()
 * const name = await digest(token) // 43 base64url characters
 */
export function createTokenDigest(): TokenDigest {
  let key: Promise<CryptoKey> | undefined
  return async (token) => {
    key ??= crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']) as Promise<CryptoKey>
    const mac = await crypto.subtle.sign('HMAC', await key, utf8.encode(token))
    return encodeBase64url(new Uint8Array(mac))
  }
}
