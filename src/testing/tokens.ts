/**
 * @module
 * Building test tokens, including ones no honest issuer would produce.
 */
import { CompactSign } from 'jose'
import { encodeBase64url } from '../lib/base64url.js'
import type { TestSigningKey } from './keys.js'
import { assertSharedSecret } from '../keys/key-material.js'

const utf8 = new TextEncoder()

/**
 * base64url(JSON) of a value, for hand-built segments.
 *
 * @example
 * const header = encodeSegment({ alg: 'none' }) // 'eyJhbGciOiJub25lIn0'
 */
export function encodeSegment(value: unknown): string {
  return encodeBase64url(utf8.encode(typeof value === 'string' ? value : JSON.stringify(value)))
}

/**
 * Signs `payload` with `key`. The header gets `alg` (and `kid` when the key has one) unless
 * `header` overrides them: any header is signed as given. An HS* key whose bytes are a public
 * key, a certificate or a JWK is refused with a `ConfigError`, as the verifier refuses it.
 *
 * @example
 * const token = await signToken(await generateSigningKey('ES256', { kid: 'k1' }), { sub: 'alice', exp: 2e9 }, { typ: 'at+jwt' })
 */
export async function signToken(
  key: TestSigningKey,
  payload: Record<string, unknown> | string | Uint8Array,
  header: Record<string, unknown> = {},
): Promise<string> {
  // The verifier's rule for `secret`, so a test never signs HS* with a public key by accident.
  // Algorithm-confusion tokens are built on purpose by `kit.hsWithPublicKey()` / `signTokenRaw`.
  if (key.signingKey instanceof Uint8Array) assertSharedSecret('testing', 'key.signingKey', key.signingKey)
  return signUnchecked(key, payload, header)
}

/** `signToken` without the shared-secret check: for the kit's deliberately forged tokens only. */
export async function signUnchecked(
  key: TestSigningKey,
  payload: Record<string, unknown> | string | Uint8Array,
  header: Record<string, unknown> = {},
): Promise<string> {
  const bytes =
    payload instanceof Uint8Array ? payload : utf8.encode(typeof payload === 'string' ? payload : JSON.stringify(payload))
  const protectedHeader = { alg: key.alg, ...(key.kid === undefined ? {} : { kid: key.kid }), ...header }
  return new CompactSign(bytes).setProtectedHeader(protectedHeader as { alg: string }).sign(key.signingKey)
}

/**
 * An unsigned token with the given header and payload (for `alg: none` and malformed cases).
 *
 * @example
 * const attack = unsignedToken({ alg: 'none' }, { sub: 'admin', exp: 2e9 }) // a verifier must answer 401 alg_not_allowed
 */
export function unsignedToken(header: unknown, payload: unknown, signature = ''): string {
  return `${encodeSegment(header)}.${encodeSegment(payload)}.${signature}`
}

const SUBTLE_PARAMS: Record<string, (hash: string) => AlgorithmIdentifier | RsaPssParams | EcdsaParams> = {
  HS: () => ({ name: 'HMAC' }),
  RS: () => ({ name: 'RSASSA-PKCS1-v1_5' }),
  PS: (hash) => ({ name: 'RSA-PSS', saltLength: Number(hash.slice(4)) / 8 }),
  ES: (hash) => ({ name: 'ECDSA', hash }),
  Ed: () => ({ name: 'Ed25519' }),
}

/**
 * Signs any header as given, bypassing jose's own checks (jose refuses to sign, say, an
 * unknown `crit`). For building hostile tokens, and tokens encoded as no JOSE library would
 * (`input`: the exact signing input, such as AWS ALB's padded segments).
 *
 * @example
 * const token = await signTokenRaw(key, { alg: 'ES256', kid: 'k1', crit: ['exp'] }, claims) // 401 crit_unsupported
 */
export async function signTokenRaw(key: TestSigningKey, header: Record<string, unknown>, payload: unknown, input = `${encodeSegment(header)}.${encodeSegment(payload)}`): Promise<string> {
  const hash = `SHA-${key.alg.slice(2) || '512'}`
  const params = SUBTLE_PARAMS[key.alg.slice(0, 2)]!(hash)
  const signingKey =
    key.signingKey instanceof Uint8Array
      ? await crypto.subtle.importKey('raw', key.signingKey as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash }, false, ['sign'])
      : key.signingKey
  const signature = await crypto.subtle.sign(params, signingKey, utf8.encode(input))
  return `${input}.${encodeBase64url(new Uint8Array(signature))}`
}
