/**
 * @module
 * What a store keeps instead of the key: SHA-256 of the whole key, base64url.
 *
 * Why a plain, fast, unkeyed hash: the secret part alone carries ~131 random bits, so a stolen
 * store is useless to an attacker — inverting SHA-256 for one key, or for any of a million, is
 * out of reach — and a slow password hash (bcrypt, scrypt, Argon2) would only add tens of
 * milliseconds to every request. A server-side pepper (HMAC) matters for guessable inputs such
 * as passwords; here it would add a second secret to distribute to every instance and to the
 * CLI, whose loss invalidates every key, for no gain against a 131-bit search. Hashing the whole
 * key (prefix and id included) ties each hash to its own record.
 */
import { encodeBase64url } from '../lib/base64url.js'

const utf8 = new TextEncoder()

/** SHA-256 of the key, base64url (43 characters). WebCrypto: the same on Node and edge runtimes. */
export async function hashApiKey(key: string): Promise<string> {
  return encodeBase64url(new Uint8Array(await crypto.subtle.digest('SHA-256', utf8.encode(key))))
}

/**
 * Compares two hashes in time that depends only on their lengths (which are public: 43
 * characters), so how much of a stored hash a guess matches never shows in the response time.
 */
export function sameHash(a: string, b: string): boolean {
  let diff = a.length ^ b.length
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}

/** Compared against when a key's id is unknown, so that path does the same work as a wrong secret. */
export const NO_HASH = 'A'.repeat(43)
