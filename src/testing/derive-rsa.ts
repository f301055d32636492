/**
 * @module
 * Deterministic RSA test keys: two primes found from an HKDF byte stream, checked with
 * OpenSSL's Miller-Rabin (`node:crypto` `checkPrimeSync`), assembled into a private JWK.
 *
 * WebCrypto cannot generate a key from a seed, and shipping fixed private keys in a package
 * trips secret scanners, so RSA keys are derived. This is for TEST keys only: the seed is
 * the whole secret, and the default seed is public.
 */
import { checkPrimeSync, createPrivateKey, hkdfSync, sign, verify, type JsonWebKey } from 'node:crypto'

const E = 65537n
/** Trial division by small primes first: it rules out most candidates for the price of a `%`. */
const SMALL_PRIMES: readonly bigint[] = (() => {
  const out: bigint[] = []
  for (let n = 3; out.length < 1000; n += 2) if (out.every((p) => n % Number(p) !== 0)) out.push(BigInt(n))
  return out
})()

const toBigInt = (bytes: Uint8Array): bigint => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`)

function toBase64url(value: bigint): string {
  let hex = value.toString(16)
  if (hex.length % 2) hex = `0${hex}`
  return Buffer.from(hex, 'hex').toString('base64url')
}

/** a⁻¹ mod m (extended Euclid); m > a > 0 and gcd(a, m) = 1 by construction. */
function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [((a % m) + m) % m, m]
  let [oldS, s] = [1n, 0n]
  while (r !== 0n) {
    const q = oldR / r
    ;[oldR, r] = [r, oldR - q * r]
    ;[oldS, s] = [s, oldS - q * s]
  }
  return ((oldS % m) + m) % m
}

const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b))

/**
 * The first probable prime at or after a candidate drawn from `ikm`/`info`: top two bits set
 * (so p·q has exactly `2 × bits` bits), odd, and with p − 1 coprime to e.
 */
function derivePrime(ikm: Uint8Array, info: string, bits: number): bigint {
  const bytes = new Uint8Array(hkdfSync('sha256', ikm, 'tokengate/testing/rsa', info, bits / 8))
  bytes[0]! |= 0xc0
  bytes[bytes.length - 1]! |= 1
  for (let candidate = toBigInt(bytes); ; candidate += 2n) {
    if (SMALL_PRIMES.some((p) => candidate % p === 0n)) continue
    if ((candidate - 1n) % E === 0n) continue
    if (checkPrimeSync(candidate)) return candidate
  }
}

/**
 * Derives an RSA private JWK (`kty`, `n`, `e`, `d`, `p`, `q`, `dp`, `dq`, `qi`) from `ikm`
 * and a label. Same inputs, same key, on every machine and Node version.
 */
export function deriveRsaJwk(ikm: Uint8Array, label: string, modulusLength: number): JsonWebKey {
  if (modulusLength % 16 !== 0 || modulusLength < 2048) throw new TypeError(`modulusLength: expected a multiple of 16, at least 2048, got ${modulusLength}`)
  let p = derivePrime(ikm, `${label}/p`, modulusLength / 2)
  let q = derivePrime(ikm, `${label}/q`, modulusLength / 2)
  if (p === q) throw new Error('tokengate/testing: derived equal RSA primes') // probability ~2^-1000
  if (p < q) [p, q] = [q, p]
  const n = p * q
  const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n)
  const d = modInverse(E, lambda)
  const jwk: JsonWebKey = {
    kty: 'RSA',
    n: toBase64url(n),
    e: toBase64url(E),
    d: toBase64url(d),
    p: toBase64url(p),
    q: toBase64url(q),
    dp: toBase64url(d % (p - 1n)),
    dq: toBase64url(d % (q - 1n)),
    qi: toBase64url(modInverse(q, p)),
  }
  selfTest(jwk)
  return jwk
}

/** Refuses to hand out a key that does not sign and verify (OpenSSL imports it and uses it). */
function selfTest(jwk: JsonWebKey): void {
  const privateKey = createPrivateKey({ key: jwk, format: 'jwk' })
  const message = Buffer.from('tokengate self-test')
  const signature = sign('sha256', message, privateKey)
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk
  if (!verify('sha256', message, { key: pub, format: 'jwk' }, signature)) throw new Error('tokengate/testing: derived RSA key failed its self-test')
}
