/**
 * Runs Wycheproof JWS/JWK vectors through tokengate's signature layer: the same split,
 * header policy, key loading, key selection and signature backend the pipeline uses.
 * (The payloads are not JWT claim sets, so the full pipeline would reject every vector.)
 */
import { readFileSync } from 'node:fs'
import { decodeBase64url, isBase64url } from '../../src/lib/base64url.js'
import { assertHeader, DEFAULT_TYPS } from '../../src/core/jws-header.js'
import type { SplitJws } from '../../src/lib/token.js'
import { ASYMMETRIC_ALGORITHMS, isHmacAlgorithm, type Algorithm } from '../../src/keys/algorithms.js'
import { buildKeySet, keyOrThrow, selectKey } from '../../src/keys/key-set.js'
import type { KeySource } from '../../src/keys/key-source.js'
import { secretKey } from '../../src/keys/secret.js'
import type { SignatureBackend } from '../../src/signature/signature-backend.js'

export interface Vector {
  readonly file: string
  readonly tcId: number
  readonly comment: string
  readonly flags: readonly string[]
  readonly result: 'valid' | 'invalid' | 'acceptable'
  readonly jws: string
  readonly keys: Record<string, unknown>
}

export function loadVectors(dir: string, files: readonly string[]): Vector[] {
  const out: Vector[] = []
  for (const file of files) {
    const doc = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8'))
    for (const group of doc.testGroups) {
      for (const test of group.tests) {
        if (typeof test.jws !== 'string') continue // JWE vectors in the crypto file
        out.push({ file, tcId: test.tcId, comment: test.comment, flags: test.flags ?? [], result: test.result, jws: test.jws, keys: group.public ?? group.private })
      }
    }
  }
  return out
}

const noop = () => {}

function keySourceFor(keys: Record<string, unknown>, kid: unknown): { source: KeySource; symmetric: boolean } {
  const ctx = (algorithms: ReadonlySet<Algorithm>) => ({ algorithms, onEvent: noop, fetch, now: Date.now })
  const list = (Array.isArray(keys.keys) ? keys.keys : [keys]) as Record<string, unknown>[]
  if (list.every((k) => k.kty === 'oct')) {
    // HMAC keys reach tokengate only through the `secret` source (a key set never supplies
    // them): use the one the header names, pinned to its alg (throws on short secrets).
    const named = list.length === 1 ? list : list.filter((k) => k.kid === kid)
    if (named.length !== 1) throw new Error('no single secret with that kid')
    const chosen = named[0]!
    const alg = chosen.alg as string
    if (!isHmacAlgorithm(alg)) throw new Error(`oct key with alg ${alg}`)
    return { source: secretKey(decodeBase64url(chosen.k as string) ?? new Uint8Array())(ctx(new Set([alg]))), symmetric: true }
  }
  const set = buildKeySet(Array.isArray(keys.keys) ? keys : { keys: [keys] }, new Set(ASYMMETRIC_ALGORITHMS))
  if (typeof set === 'string') throw new Error(set)
  return { source: { getKey: (header, alg) => keyOrThrow(selectKey(set, header.kid, alg)) }, symmetric: false }
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * A compact JWS split as the pipeline's format step splits a JWT (strict base64url, a
 * JSON-object header with an `alg`), but with any payload: vectors sign non-JSON payloads.
 */
function splitJws(raw: string): SplitJws {
  const [protectedB64, payloadB64, signatureB64, ...rest] = raw.split('.')
  if (rest.length > 0 || signatureB64 === undefined || !protectedB64 || !isBase64url(protectedB64) || !isBase64url(signatureB64)) throw new Error('not a compact JWS')
  const header = JSON.parse(utf8.decode(decodeBase64url(protectedB64))) as unknown
  if (typeof header !== 'object' || header === null || Array.isArray(header) || typeof (header as { alg?: unknown }).alg !== 'string') throw new Error('bad header')
  return { raw, header: header as SplitJws['header'], signingInput: `${protectedB64}.${payloadB64}`, protectedB64, payloadB64: payloadB64!, signatureB64 }
}

/** True when tokengate accepts the vector's JWS with its key. Any throw is a rejection. */
export async function accepts(vector: Vector, backend: SignatureBackend): Promise<boolean> {
  try {
    const jws = splitJws(vector.jws)
    if (decodeBase64url(jws.payloadB64) === undefined) return false
    const { source, symmetric } = keySourceFor(vector.keys, jws.header.kid)
    const allowed = new Set<Algorithm>(symmetric ? ['HS256', 'HS384', 'HS512'] : ASYMMETRIC_ALGORITHMS)
    const alg = assertHeader(jws.header, { algorithms: allowed, typs: DEFAULT_TYPS, typRequired: false })
    const key = await source.getKey(jws.header, alg)
    return await backend.verify(key, alg, jws)
  } catch {
    return false
  }
}
