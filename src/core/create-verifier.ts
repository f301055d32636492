/**
 * @module
 * `createVerifier`: validate options once, derive everything the request path needs, and
 * return the `verifyBearer` closure.
 */
import { DEFAULT_REALM } from '../errors/bearer-error.js'
import { ASYMMETRIC_ALGORITHMS, isHmacAlgorithm, type Algorithm } from '../keys/algorithms.js'
import { discoveryJwks } from '../keys/discovery.js'
import type { KeySourceContext, KeySourceEvent, KeySourceFactory } from '../keys/key-source.js'
import { localJwks, type JSONWebKeySet } from '../keys/local-jwks.js'
import { remoteJwks } from '../keys/remote-jwks.js'
import { hmacAlgorithmsFor, secretBytes, secretKey } from '../keys/secret.js'
import { DEFAULT_SCOPE_CLAIMS } from '../scopes/parse.js'
// Resolved by export condition (package.json "imports"): node:crypto under "node", jose/WebCrypto
// on edge runtimes and by default, so this module never names `node:` itself.
import { signatureBackend } from '#signature-backend'
import { createParsedHeaders } from '../lib/parsed-headers.js'
import { createVerifiedTokenCache, DEFAULT_CACHE_MAX } from './verified-token-cache.js'
import type { SignatureBackend } from '../signature/signature-backend.js'
import { DEFAULT_MAX_TOKEN_SIZE, type AuthorizationInput } from './authorization-header.js'
import { toSeconds } from '../lib/duration.js'
import { DEFAULT_TYPS, normalizeTyp } from './jws-header.js'
import { parseOptions, type VerifierOptions } from './options.js'
import { runPipeline, type ResolvedVerifier, type Tenant } from './pipeline.js'
import type { BearerAuth, VerifyRequestOptions } from '../lib/result.js'

/** Default leeway for `exp`, `nbf` and `iat`, in seconds. */
export const DEFAULT_CLOCK_TOLERANCE = 5

/**
 * A configured verifier: call it with the `Authorization` header value. Resolves with the
 * verified token, or rejects with a `BearerError`.
 */
export interface Verifier<C extends object = object> {
  (authorization: AuthorizationInput, options?: VerifyRequestOptions): Promise<BearerAuth<C>>
  /** Loads remote keys now, so the first request does not wait for them. */
  warm(): Promise<void>
}

type ParsedOptions = ReturnType<typeof parseOptions>
type KeySourceInput = Pick<ParsedOptions, 'jwksUri' | 'discovery' | 'jwks' | 'secret' | 'keys'>

function toSet(value: string | readonly string[] | null | undefined): ReadonlySet<string> | null {
  if (value === null || value === undefined) return null
  return new Set(typeof value === 'string' ? [value] : value)
}

function keySourceFactory(input: KeySourceInput, o: ParsedOptions, issuer: ParsedOptions['issuer']): KeySourceFactory {
  if (input.secret !== undefined) return secretKey(input.secret)
  if (input.jwks !== undefined) return localJwks(input.jwks as JSONWebKeySet)
  if (input.jwksUri !== undefined) return remoteJwks(input.jwksUri, o.jwksCache)
  // The schema guarantees a single issuer string beside `discovery`.
  if (input.discovery !== undefined) {
    return discoveryJwks(issuer as string, { ...o.jwksCache, ...(input.discovery === true ? {} : { url: input.discovery }) })
  }
  return input.keys as KeySourceFactory
}

/** The allow-list: tied to the key source, so HS* never meets a key set and RS* never a secret. */
function allowList(input: KeySourceInput, configured: readonly Algorithm[] | undefined, where: string): ReadonlySet<Algorithm> {
  if (input.secret !== undefined) {
    const length = secretBytes(input.secret).length
    const fitting = hmacAlgorithmsFor(length)
    if (!configured && fitting.length === 0) {
      throw new TypeError(`tokengate: invalid verifier option ${where}secret: HS256 needs a secret of at least 32 bytes, got ${length}`)
    }
    return new Set(configured ?? fitting)
  }
  if (configured) {
    const hmac = configured.find(isHmacAlgorithm)
    if (hmac && input.keys === undefined) {
      throw new TypeError(`tokengate: invalid verifier option ${where}algorithms: ${hmac} needs a shared secret, never a key set`)
    }
    return new Set(configured)
  }
  return new Set(ASYMMETRIC_ALGORITHMS)
}

/**
 * Builds a verifier. Options are validated once (a mistake throws a `TypeError` naming the
 * option); keys, sets and the allow-list are derived once; the returned function only runs
 * the pipeline.
 *
 * Import from `tokengate`.
 *
 * @example
 * const verifyBearer = createVerifier({
 *   issuer: 'https://idp.example.com/',
 *   audience: 'https://api.example.com',
 *   jwksUri: 'https://idp.example.com/.well-known/jwks.json',
 * })
 * const auth = await verifyBearer(req.headers.authorization, { scopes: ['read:users'] })
 */
export function createVerifier<C extends object = object>(options: VerifierOptions<C>): Verifier<C> {
  return createVerifierOn(signatureBackend, options)
}

/**
 * `createVerifier` on a given signature backend. Internal: benchmarks and tests use it to run
 * both backends in one process; applications get the runtime's backend from `createVerifier`.
 */
export function createVerifierOn<C extends object = object>(backend: SignatureBackend, options: VerifierOptions<C>): Verifier<C> {
  const o = parseOptions(options)
  const realm = o.realm ?? DEFAULT_REALM
  const onEvent = o.onEvent as ((e: KeySourceEvent) => void) | undefined
  const now = (o.now as (() => number) | undefined) ?? Date.now
  const fetchImpl = (o.fetch as typeof fetch | undefined) ?? ((input, init) => globalThis.fetch(input, init))
  const typs = o.typ === undefined ? DEFAULT_TYPS : new Set((typeof o.typ === 'string' ? [o.typ] : o.typ).map(normalizeTyp))
  const requiredClaims = Object.freeze([...(o.requiredClaims ?? [])])
  const emit = (event: KeySourceEvent): void => {
    try {
      onEvent?.(event)
    } catch {
      // A throwing event listener must not break verification.
    }
  }

  function tenant(input: KeySourceInput, issuer: ParsedOptions['issuer'], audience: ParsedOptions['audience'], algorithms: readonly Algorithm[] | undefined, where: string): Tenant {
    const allowed = allowList(input, algorithms, where)
    const context: KeySourceContext = { algorithms: allowed, realm, onEvent: emit, fetch: fetchImpl, now }
    return Object.freeze({
      keys: keySourceFactory(input, o, issuer)(context),
      header: Object.freeze({ algorithms: allowed, typs, typRequired: o.typ !== undefined }),
      claims: Object.freeze({ issuers: toSet(issuer), audiences: toSet(audience), requiredClaims }),
    })
  }

  let single: Tenant | undefined
  let tenants: Map<string, Tenant> | undefined
  if (o.issuers) {
    tenants = new Map()
    o.issuers.forEach((entry, i) => {
      if (tenants!.has(entry.issuer)) throw new TypeError(`tokengate: invalid verifier option issuers.${i}.issuer: listed twice`)
      tenants!.set(entry.issuer, tenant(entry, entry.issuer, entry.audience === undefined ? o.audience : entry.audience, entry.algorithms ?? o.algorithms, `issuers.${i}.`))
    })
  } else {
    single = tenant(o, o.issuer, o.audience, o.algorithms, '')
  }

  const resolved: ResolvedVerifier = Object.freeze({
    realm,
    maxTokenSize: o.maxTokenSize ?? DEFAULT_MAX_TOKEN_SIZE,
    clockTolerance: o.clockTolerance === undefined ? DEFAULT_CLOCK_TOLERANCE : toSeconds(o.clockTolerance),
    now,
    scopeClaims: Object.freeze([...(o.scopeClaims ?? DEFAULT_SCOPE_CLAIMS)]),
    claimsSchema: o.claims,
    isRevoked: o.isRevoked as ResolvedVerifier['isRevoked'],
    signature: backend,
    headers: createParsedHeaders(),
    cache: o.cache === false ? undefined : createVerifiedTokenCache(o.cache?.max ?? DEFAULT_CACHE_MAX),
    tenant: single,
    tenants,
  })

  const sources = single ? [single.keys] : [...tenants!.values()].map((t) => t.keys)
  const verify = ((authorization: AuthorizationInput, request?: VerifyRequestOptions) =>
    runPipeline(resolved, authorization, request)) as Verifier<C>
  verify.warm = async () => {
    await Promise.all(sources.map((s) => s.warm?.()))
  }
  return verify
}
