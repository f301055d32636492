/**
 * @module
 * Opaque secrets: refresh tokens (256 random bits) and ids (128 bits), and the SHA-256 under
 * which a refresh token is stored. The token itself is never stored: a leaked store gives
 * nobody a usable token. A fast unsalted hash is enough for 256-bit random input.
 */
import { encodeBase64url } from '../lib/base64url.js'

/** 32 random bytes in base64url: 43 characters. */
const REFRESH_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/

/** A random base64url string of `bytes` bytes (WebCrypto CSPRNG). */
export function randomId(bytes = 16): string {
  return encodeBase64url(crypto.getRandomValues(new Uint8Array(bytes)))
}

/** A new refresh token: 256 bits from the CSPRNG. */
export function newRefreshToken(): string {
  return randomId(32)
}

/** True when `value` has the shape of a refresh token this issuer mints (checked before any store lookup). */
export function isRefreshTokenShape(value: unknown): value is string {
  return typeof value === 'string' && REFRESH_TOKEN_PATTERN.test(value)
}

/** SHA-256 of the token, base64url: the only form a store ever sees. */
export async function hashRefreshToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))
  return encodeBase64url(new Uint8Array(digest))
}
