/**
 * @module
 * A validated JWK Set (RFC 7517 §5) and key selection by `kid` and algorithm, shared by the
 * local and remote key sources.
 */
import { BearerError } from '../errors/bearer-error.js'
import type { Algorithm } from './algorithms.js'
import { loadJwk, type VerificationKey } from './verification-key.js'

/** A key left out of a set, and why. */
export interface SkippedKey {
  readonly index: number
  readonly kid: string | undefined
  readonly reason: string
}

export interface KeySet {
  readonly keys: readonly VerificationKey[]
  readonly skipped: readonly SkippedKey[]
  readonly byKid: ReadonlyMap<string, readonly VerificationKey[]>
}

/**
 * Builds a key set from a parsed JWKS document. Returns a string when the document is not
 * a JWK Set at all; single unusable keys are skipped and listed, never fatal for the rest.
 */
export function buildKeySet(document: unknown, allowed: ReadonlySet<Algorithm>): KeySet | string {
  if (typeof document !== 'object' || document === null || !Array.isArray((document as { keys?: unknown }).keys)) {
    return 'not a JWK Set (an object with a "keys" array)'
  }
  const raw = (document as { keys: unknown[] }).keys
  const skipped: SkippedKey[] = []
  const loaded: { index: number; key: VerificationKey }[] = []
  raw.forEach((value, index) => {
    const result = loadJwk(value, allowed)
    if ('key' in result) loaded.push({ index, key: result.key })
    else skipped.push({ index, kid: kidOf(value), reason: result.skipped })
  })
  // Two usable keys with one kid and a common algorithm are ambiguous: use neither.
  const keys: VerificationKey[] = []
  for (const entry of loaded) {
    const twin = entry.key.kid !== undefined && loaded.some((o) => o !== entry && o.key.kid === entry.key.kid && overlaps(o.key, entry.key))
    if (twin) skipped.push({ index: entry.index, kid: entry.key.kid, reason: 'another key has the same "kid"' })
    else keys.push(entry.key)
  }
  const byKid = new Map<string, VerificationKey[]>()
  for (const key of keys) {
    if (key.kid === undefined) continue
    const list = byKid.get(key.kid)
    if (list) list.push(key)
    else byKid.set(key.kid, [key])
  }
  return { keys, skipped, byKid }
}

function kidOf(value: unknown): string | undefined {
  const kid = typeof value === 'object' && value !== null ? (value as { kid?: unknown }).kid : undefined
  return typeof kid === 'string' ? kid : undefined
}

function overlaps(a: VerificationKey, b: VerificationKey): boolean {
  for (const alg of a.algorithms) if (b.algorithms.has(alg)) return true
  return false
}

/** What key selection found: the key, or the reason there is none. */
export type Selection = VerificationKey | 'kid_not_found' | 'kid_missing' | 'alg_not_allowed'

/**
 * Picks the key for a token. With a `kid`, only keys with that `kid` are candidates
 * (a key without a `kid` never matches one). Without a `kid`, the single key that fits
 * the algorithm is used; several are ambiguous (`kid_missing`).
 */
export function selectKey(set: KeySet, kid: string | undefined, alg: Algorithm): Selection {
  if (kid !== undefined) {
    const candidates = set.byKid.get(kid)
    if (!candidates) return 'kid_not_found'
    for (const key of candidates) if (key.algorithms.has(alg)) return key
    return 'alg_not_allowed'
  }
  let found: VerificationKey | undefined
  for (const key of set.keys) {
    if (!key.algorithms.has(alg)) continue
    if (found) return 'kid_missing'
    found = key
  }
  return found ?? (set.keys.length === 0 ? 'kid_not_found' : 'alg_not_allowed')
}

/** Turns a failed selection into the `BearerError` the request gets. */
export function keyOrThrow(selection: Selection): VerificationKey {
  if (typeof selection !== 'string') return selection
  throw new BearerError(selection, {
    ...(selection === 'alg_not_allowed' ? { message: 'The token algorithm does not match its key' } : {}),
  })
}
