/**
 * @module
 * A key source over a remote `{ kid: PEM certificate }` document (`x509Uri` option): how
 * Google (`https://www.googleapis.com/oauth2/v1/certs`) and Firebase
 * (`https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com`)
 * publish their signing keys. Fetched and cached exactly as a JWKS (`jwks-cache.ts`: single
 * flight, cooldown, `Cache-Control` within bounds, stale if error), through the same loader.
 */
import { ConfigError } from '../errors/config-error.js'
import type { Algorithm } from './algorithms.js'
import type { RemoteJwksOptions } from './jwks-cache-options.js'
import { buildKeySet, type KeySet, type SkippedKey } from './key-set.js'
import type { KeySourceFactory } from './key-source.js'
import { pemToJwk, PemError } from './pem.js'
import { remoteKeySource, type KeyDocumentFormat } from './remote-jwks.js'

/**
 * The key set of a `{ kid: PEM certificate }` document. A certificate that cannot be read is
 * skipped with the reason (like an unusable JWK); the others still verify.
 */
export function buildX509KeySet(document: unknown, allowed: ReadonlySet<Algorithm>): KeySet | string {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return 'not an x509 key document (an object of kid: PEM certificate)'
  const entries = Object.entries(document as Record<string, unknown>)
  const jwks: object[] = []
  const unreadable: SkippedKey[] = []
  entries.forEach(([kid, pem], index) => {
    if (typeof pem !== 'string') return void unreadable.push({ index, kid, reason: 'not a PEM string' })
    try {
      jwks.push({ ...pemToJwk(pem), kid })
    } catch (err) {
      if (!(err instanceof PemError)) throw err
      unreadable.push({ index, kid, reason: err.message })
    }
  })
  const set = buildKeySet({ keys: jwks }, allowed)
  if (typeof set === 'string') return set
  return { ...set, skipped: [...unreadable, ...set.skipped] }
}

const X509_FORMAT: KeyDocumentFormat = Object.freeze({ accept: 'application/json', build: buildX509KeySet })

/**
 * A key source over a remote `{ kid: PEM certificate }` document (what `x509Uri` builds),
 * cached like a JWKS. Only the certificates' public keys are used: their validity dates and
 * signatures are not checked (Google rotates the document, not the certificates' trust).
 *
 * Import from `tokengate`.
 *
 * @example
 * createVerifier({ issuer: 'https://securetoken.google.com/my-project', audience: 'my-project',
 *   keys: x509Keys('https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com') })
 */
export function x509Keys(uri: string | URL, options: RemoteJwksOptions = {}): KeySourceFactory {
  const url = new URL(uri)
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('verifier', 'x509Uri', `expected an http(s) URL, got a ${url.protocol} URL`)
  const href = url.href
  return remoteKeySource(() => ({ label: () => href, resolve: () => href }), options, X509_FORMAT)
}
