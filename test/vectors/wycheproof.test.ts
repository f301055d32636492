/**
 * Wycheproof JOSE vectors (test/vectors/wycheproof, Apache-2.0; provenance in its README)
 * through the signature layer. Every vector must get its label, except the eight upstream
 * mislabels the vectors' README documents, which must get the corrected outcome.
 */
import { describe, expect, it } from 'vitest'
import { ASYMMETRIC_ALGORITHMS } from '../../src/keys/algorithms.js'
import { buildKeySet } from '../../src/keys/key-set.js'
import { webSignatureBackend } from '../../src/signature/web.js'
import { nodeParallelSignatureBackend, nodeSignatureBackend } from '../../src/signature/node.js'
import { generateSigningKey } from '../../src/testing/keys.js'
import { decodeBase64url } from '../../src/lib/base64url.js'
import { hasRocaFingerprint } from '../../src/keys/roca.js'
import { accepts, loadVectors, type Vector } from './wycheproof-harness.js'

const FILES = ['json_web_signature_test.json', 'json_web_key_test.json', 'json_web_crypto_test.json']
const vectors = loadVectors(new URL('./wycheproof', import.meta.url).pathname, FILES)

/** Upstream mislabels (see test/vectors/wycheproof/README.md): the outcome a strict validator must give. */
const RELABELLED: Record<string, { accept: boolean; why: string }> = {
  'json_web_signature_test.json#346': { accept: false, why: 'key alg PS256, header PS384: alg pinned to the key (RFC 8725 §3.1)' },
  'json_web_signature_test.json#350': { accept: false, why: 'key alg PS256, header PS384: alg pinned to the key' },
  'json_web_signature_test.json#347': { accept: false, why: 'key alg "ES521" (unregistered), header ES512' },
  'json_web_signature_test.json#351': { accept: false, why: 'key alg "ES521" (unregistered), header ES512' },
  'json_web_signature_test.json#367': { accept: true, why: 'byte-identical to the valid tcId 357: the padding is missing' },
  'json_web_signature_test.json#370': { accept: true, why: 'byte-identical to the valid tcId 357: the padding is missing' },
  'json_web_signature_test.json#372': { accept: false, why: 'a literal "?" inside a segment is not base64url (RFC 7515 §2)' },
  'json_web_signature_test.json#373': { accept: false, why: 'a literal "?" inside a segment is not base64url (RFC 7515 §2)' },
}

const expected = (v: Vector) => RELABELLED[`${v.file}#${v.tcId}`]?.accept ?? v.result === 'valid'

describe('Wycheproof JWS/JWK vectors', () => {
  it('loads every JWS vector of the three files', () => {
    expect(vectors).toHaveLength(475)
    expect(vectors.filter((v) => v.result === 'acceptable')).toHaveLength(0)
  })

  // Every backend, whichever the project runs: WebCrypto (crypto.subtle directly), node:crypto,
  // and node:crypto on the thread pool (`parallel: true`).
  describe.each([webSignatureBackend, nodeSignatureBackend, nodeParallelSignatureBackend])('$name backend', (backend) => {
    it.each(vectors.map((v) => [`${v.file.replace('_test.json', '')} #${v.tcId} ${v.comment || v.flags.join(',')}`, v] as const))(
      '%s',
      async (_name, vector) => {
        expect(await accepts(vector, backend)).toBe(expected(vector))
      },
    )
  })

  it('never takes HMAC keys from a JWK Set, however the set is labelled', () => {
    const hmacSets = vectors.filter((v) => Array.isArray(v.keys.keys) && (v.keys.keys as { kty: string }[]).every((k) => k.kty === 'oct'))
    expect(hmacSets.length).toBeGreaterThan(0)
    for (const v of hmacSets) {
      const set = buildKeySet(v.keys, new Set(ASYMMETRIC_ALGORITHMS))
      expect(typeof set === 'string' ? 0 : set.keys.length).toBe(0)
    }
  })
})

describe('ROCA fingerprint', () => {
  it('does not flag freshly generated RSA keys', async () => {
    for (let i = 0; i < 8; i++) {
      const key = await generateSigningKey('RS256')
      expect(hasRocaFingerprint(decodeBase64url(key.publicJwk!.n!)!)).toBe(false)
    }
  })
})
