/**
 * @module
 * `createTestKit`: deterministic keys, the verifier options that trust them, and a factory
 * for every kind of token a consumer's tests need — valid, expired, corrupt, forged.
 */
import { randomUUID } from 'node:crypto'
import { ConfigError } from '../errors/config-error.js'
import type { CommonVerifierOptions, IssuerAudienceOptions } from '../core/options.js'
import { toSeconds, type Duration } from '../lib/duration.js'
import type { Algorithm } from '../keys/algorithms.js'
import type { JSONWebKeySet } from '../keys/local-jwks.js'
import { breakHeader, flipSignatureBit, signWithPublicKeyAsSecret, truncateToken } from './hostile-tokens.js'
import { startJwksServer, type JwksServer, type JwksServerOptions } from './jwks-server.js'
import type { TestSigningKey } from './keys.js'
import { deriveSigningKey, DEFAULT_SEED } from './seeded-keys.js'
import { signToken, unsignedToken } from './tokens.js'
import { certificatePem, publicKeyPem } from './certificate.js'
import { albKeyId, shapedToken, type ShapedTokenOptions } from './shapes.js'
import { deriveDpopKey, forgeDpopProof, signDpopProof, type DpopKey, type DpopProofCase, type DpopProofOptions } from './dpop.js'

/** Default `iss` of kit tokens (`.test` is reserved, RFC 2606). */
export const TEST_ISSUER = 'https://issuer.tokengate.test/'
/** Default `aud` of kit tokens. */
export const TEST_AUDIENCE = 'https://api.tokengate.test'

/** Options of `createTestKit`. Every one has a default. */
export interface TestKitOptions {
  /** `iss` of the tokens. Default `TEST_ISSUER`. */
  readonly issuer?: string
  /** `aud` of the tokens. Default `TEST_AUDIENCE`. */
  readonly audience?: string
  /** Signing algorithm. Default `'RS256'`, what most identity providers use. */
  readonly alg?: Algorithm
  /** Seed of the keys: same seed, same keys (and `kid`s). Default `DEFAULT_SEED` (public!). */
  readonly seed?: string | Uint8Array
  /** `sub` of the tokens. Default `'test-user'`. */
  readonly subject?: string
  /** Scopes valid tokens carry in `scope`. Default none. */
  readonly scope?: string | readonly string[]
  /** Lifetime of valid tokens. Default `'1h'`. */
  readonly ttl?: Duration
  /** Clock in milliseconds; when given, `verifierOptions` carries it too. Default `Date.now`. */
  readonly now?: () => number
  /** `typ` header of the tokens; `null` leaves it out. Default `'at+jwt'` (RFC 9068). */
  readonly typ?: string | null
  /** RSA modulus size. Default 2048. */
  readonly modulusLength?: number
}

/** Options for `createVerifier` (or any adapter) that trust exactly the kit's keys. */
export type TestVerifierOptions = CommonVerifierOptions &
  IssuerAudienceOptions & ({ readonly jwks: JSONWebKeySet; readonly secret?: never } | { readonly secret: Uint8Array; readonly jwks?: never })

type Claims = Record<string, unknown>

/** A test kit: keys, verifier options and token factories. Create one with `createTestKit`. */
export interface TestKit {
  readonly issuer: string
  readonly audience: string
  readonly alg: Algorithm
  /** The key that signs now (changes on `rotate()`). */
  readonly key: TestSigningKey
  readonly kid: string | undefined
  /** Public keys to trust: the current key and the ones `rotate()` retained. Empty for HS*. */
  readonly jwks: JSONWebKeySet
  /** The shared secret, for HS*. */
  readonly secret: Uint8Array | undefined
  /** Scopes valid tokens carry. */
  readonly scopes: readonly string[]
  /** Lifetime of valid tokens, in seconds. */
  readonly ttl: number
  /** Fresh options for `createVerifier({ ...kit.verifierOptions })`: issuer, audience, keys (and `now` when the kit has one). */
  readonly verifierOptions: TestVerifierOptions
  /** The kit's clock, in milliseconds. */
  now(): number
  /** The claims of a valid token, with `extra` merged over them (`undefined` removes a claim). */
  claims(extra?: Claims): Claims
  /** Signs exactly `payload` with the kit key (header: `alg`, `kid`, `typ`, then `header`). */
  sign(payload: Claims | string, header?: Record<string, unknown>): Promise<string>
  /** 200: a token the kit's verifier accepts. */
  valid(claims?: Claims, header?: Record<string, unknown>): Promise<string>
  /** 401 `token_expired`: `exp` an hour ago. */
  expired(claims?: Claims): Promise<string>
  /** 401 `token_not_yet_valid`: `nbf` an hour after valid tokens expire. */
  notYetValid(claims?: Claims): Promise<string>
  /** 401 `issuer_invalid`. */
  wrongIssuer(claims?: Claims): Promise<string>
  /** 401 `audience_invalid`. */
  wrongAudience(claims?: Claims): Promise<string>
  /** 403 `insufficient_scope` when the request requires `scope`: the kit's scopes without it. */
  missingScope(scope: string, claims?: Claims): Promise<string>
  /** 401 `signature_invalid`: one signature bit flipped. */
  badSignature(claims?: Claims): Promise<string>
  /** 401 `token_malformed`: the signature segment and half the payload cut off. */
  truncated(claims?: Claims): Promise<string>
  /** 401 `alg_not_allowed`: unsigned, `alg: none`. */
  algNone(claims?: Claims): Promise<string>
  /** 401 `alg_not_allowed`: HS256 keyed with the public key PEM (asymmetric kits only). */
  hsWithPublicKey(claims?: Claims): Promise<string>
  /** 401 `signature_invalid`: signed by another key under the kit key's `kid`. */
  untrustedKey(claims?: Claims): Promise<string>
  /** 401 `token_malformed`: the JOSE header is not JSON. */
  malformedHeader(claims?: Claims): Promise<string>
  /**
   * A token shaped as an identity provider issues it (`cognito-access`, `entra-v2`,
   * `keycloak-access`, `alb`, ...): its claims, header and encoding, with the kit's issuer,
   * audience, subject, scopes and key. Pair it with the matching preset of `tokengate/presets`.
   */
  token(options: ShapedTokenOptions): Promise<string>
  /** The kit's public keys as `{ kid: PEM certificate }`, Google's and Firebase's key format (`x509Uri`). */
  certificates(): Promise<Record<string, string>>
  /** The kit's public keys as AWS ALB publishes them: `{ albKeyId(key): PEM public key }`. */
  albPublicKeys(): Record<string, string>
  /** Switches to the seed's next key; `jwks` keeps `retain` previous keys (default 1). */
  rotate(options?: { readonly retain?: number }): Promise<TestSigningKey>
  /** Starts a JWKS + discovery server on 127.0.0.1 serving this kit's keys (live). */
  server(options?: Omit<JwksServerOptions, 'jwks' | 'kit'>): Promise<JwksServer>
  /** The client's DPoP key (ES256, derived from the seed): `dpopBound()` tokens are bound to it. */
  readonly dpopKey: DpopKey
  /** 200 with a proof from `dpopProof()`: a valid token bound to `dpopKey` (`cnf.jkt`), for `Authorization: DPoP`. */
  dpopBound(claims?: Claims, header?: Record<string, unknown>): Promise<string>
  /** A valid DPoP proof (RFC 9449) for the request in `options`, signed by `dpopKey`, `iat` on the kit's clock. */
  dpopProof(options: DpopProofOptions): Promise<string>
  /** A proof that fails exactly one RFC 9449 §4.3 check; `DPOP_PROOF_OUTCOMES[kind]` is the answer. */
  forgedDpopProof(kind: DpopProofCase, options: DpopProofOptions): Promise<string>
  /** The last proof `dpopProof()` made: sent again, it is a replay (401 `dpop_proof_replayed`). */
  replayDpopProof(): string
}

const HOUR = 3600

/**
 * Creates a test kit. Keys are derived from the seed, so the same options always give the
 * same keys and `kid`s. Each factory documents the status and `reason` a correct validator
 * gives its token (`EXPECTED_OUTCOMES`).
 *
 * Import from `tokengate/testing`.
 *
 * @example
 * const kit = await createTestKit({ issuer: 'https://idp.example.com/', audience: 'https://api.example.com' })
 * const verify = createVerifier(kit.verifierOptions)
 * await verify(`Bearer ${await kit.valid({ scope: 'read:orders' })}`, { scopes: ['read:orders'] })
 * await verify(`Bearer ${await kit.expired()}`) // rejects: 401 token_expired
 */
export async function createTestKit(options: TestKitOptions = {}): Promise<TestKit> {
  const issuer = options.issuer ?? TEST_ISSUER
  const audience = options.audience ?? TEST_AUDIENCE
  const alg = options.alg ?? 'RS256'
  const seed = options.seed ?? DEFAULT_SEED
  const subject = options.subject ?? 'test-user'
  const scopes = Object.freeze(typeof options.scope === 'string' ? options.scope.split(' ').filter(Boolean) : [...(options.scope ?? [])])
  const ttl = toSeconds(options.ttl ?? '1h')
  const clock = options.now ?? Date.now
  const typ = options.typ === undefined ? 'at+jwt' : options.typ
  const baseHeader = typ === null ? {} : { typ }
  const derive = (index: number, purpose?: string, kid?: string) =>
    deriveSigningKey(alg, { seed, index, ...(purpose ? { purpose } : {}), ...(kid ? { kid } : {}), ...(options.modulusLength ? { modulusLength: options.modulusLength } : {}) })

  let index = 0
  let key = await derive(0)
  const dpopKey = await deriveDpopKey('ES256', seed)
  let lastProof: string | undefined
  let previous: TestSigningKey[] = []
  let retained = 1
  const nowS = () => Math.floor(clock() / 1000)

  const claims = (extra: Claims = {}): Claims => {
    const iat = nowS()
    return {
      iss: issuer,
      aud: audience,
      sub: subject,
      client_id: 'tokengate-test-client',
      iat,
      exp: iat + ttl,
      jti: randomUUID(),
      ...(scopes.length > 0 ? { scope: scopes.join(' ') } : {}),
      ...extra,
    }
  }
  /** The keys `jwks` publishes: the current one and the retained ones (asymmetric only). */
  const published = (): TestSigningKey[] => [key, ...previous.slice(0, retained)].filter((k) => k.publicJwk !== undefined)
  const sign = (payload: Claims | string, header: Record<string, unknown> = {}) => signToken(key, payload, { ...baseHeader, ...header })
  const valid = (extra?: Claims, header?: Record<string, unknown>) => sign(claims(extra), header)

  const kit: TestKit = {
    issuer,
    audience,
    alg,
    get key() {
      return key
    },
    get kid() {
      return key.kid
    },
    get jwks(): JSONWebKeySet {
      return { keys: [key, ...previous.slice(0, retained)].flatMap((k) => (k.publicJwk ? [{ ...k.publicJwk }] : [])) }
    },
    get secret() {
      return key.secret
    },
    scopes,
    ttl,
    get verifierOptions(): TestVerifierOptions {
      const base = { issuer, audience, ...(options.now ? { now: options.now } : {}) }
      return key.secret ? { ...base, secret: key.secret } : { ...base, jwks: kit.jwks }
    },
    now: () => clock(),
    claims,
    sign,
    valid,
    expired: (extra) => sign(claims({ ...extra, iat: nowS() - HOUR - ttl, exp: nowS() - HOUR })),
    notYetValid: (extra) => sign(claims({ ...extra, nbf: nowS() + ttl + HOUR, exp: nowS() + 2 * ttl + HOUR })),
    wrongIssuer: (extra) => valid({ ...extra, iss: 'https://wrong-issuer.tokengate.test/' }),
    wrongAudience: (extra) => valid({ ...extra, aud: 'https://wrong-audience.tokengate.test' }),
    missingScope: (scope, extra) => {
      const rest = scopes.filter((s) => s !== scope)
      return valid({ ...extra, scope: rest.length > 0 ? rest.join(' ') : undefined })
    },
    badSignature: async (extra) => flipSignatureBit(await valid(extra)),
    truncated: async (extra) => truncateToken(await valid(extra)),
    algNone: async (extra) => unsignedToken({ alg: 'none', ...baseHeader }, claims(extra)),
    hsWithPublicKey: (extra) => signWithPublicKeyAsSecret(key, claims(extra), { ...baseHeader, ...(key.kid ? { kid: key.kid } : {}) }),
    untrustedKey: async (extra) => signToken(await derive(0, 'untrusted', key.kid), claims(extra), baseHeader),
    malformedHeader: async (extra) => breakHeader(await valid(extra), { alg, ...(key.kid ? { kid: key.kid } : {}) }),
    token: (shapeOptions) =>
      shapedToken(shapeOptions, { issuer, audience, subject, scopes, key, now: nowS(), ttl, jti: randomUUID }),
    certificates: async () => {
      const entries = await Promise.all(published().map(async (k) => [k.kid ?? '', await certificatePem(k)] as const))
      return Object.fromEntries(entries)
    },
    albPublicKeys: () => Object.fromEntries(published().map((k) => [albKeyId(k), publicKeyPem(k)])),
    rotate: async (rotation = {}) => {
      const next = await derive(index + 1)
      index += 1
      retained = rotation.retain ?? 1
      previous = [key, ...previous].slice(0, 16)
      key = next
      return key
    },
    server: (serverOptions = {}) => startJwksServer({ ...serverOptions, kit }),
    dpopKey,
    dpopBound: (extra, header) => valid({ cnf: { jkt: dpopKey.jkt }, ...extra }, header),
    dpopProof: async (proofOptions) => (lastProof = await signDpopProof(dpopKey, proofOptions, nowS())),
    forgedDpopProof: (kind, proofOptions) => forgeDpopProof(kind, dpopKey, proofOptions, nowS()),
    replayDpopProof: () => {
      if (lastProof === undefined) throw new ConfigError('testing', 'replayDpopProof()', 'no proof yet: call dpopProof() first, send it, then send this')
      return lastProof
    },
  }
  return kit
}
