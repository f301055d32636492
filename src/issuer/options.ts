/**
 * @module
 * Issuer options: the public interface (hand-written, with defaults) and the schema that
 * validates it once, at construction.
 */
import { ConfigError } from '../errors/config-error.js'
import type { Duration } from '../lib/duration.js'
import { bool, bytes, duration, fn, httpUrl, nonEmptyString, options, parseOptions, stringOrList, v, type InferOutput } from '../lib/schema.js'
import { ALGORITHMS, ASYMMETRIC_ALGORITHMS, HMAC_MIN_SECRET_BYTES, isHmacAlgorithm, type AsymmetricAlgorithm, type HmacAlgorithm } from '../keys/algorithms.js'
import { secretBytes } from '../keys/secret.js'
import { sharedSecretSchema } from '../keys/key-material.js'
import type { IssuerKey } from './signing-key.js'
import type { IssuerStore } from './store.js'
import type { ReplayStore } from '../binding/replay-store.js'

/** The issuer operations that touch the store. */
export type IssuerOperation = 'issue' | 'refresh' | 'revoke' | 'revokeFamily' | 'revokeSubject' | 'isRevoked'

/**
 * What the issuer reports through `onEvent`: every security event (reuse detected, revocations,
 * key rotation) and store failures. `auditLog` from `tokengate` turns them into audit records.
 * Never a token, a refresh token or key material.
 */
export type IssuerEvent =
  /** A refresh token was presented a second time: its family is now revoked. Log it: it means theft. */
  | { readonly type: 'refresh_reused'; readonly familyId: string; readonly sub: string }
  /**
   * A family (one login session: the refresh tokens rotated from one `issue()` and their access
   * tokens, `sid`) was revoked, because a refresh token was reused (`cause: 'reuse'`), by
   * `revoke(refreshToken)` (`'revoke'`) or by `revokeFamily(id)` (`'revokeFamily'`).
   */
  | { readonly type: 'family_revoked'; readonly familyId: string; readonly sub: string | undefined; readonly cause: 'reuse' | 'revoke' | 'revokeFamily' }
  /** One access token was revoked by `revoke(accessToken)`. */
  | { readonly type: 'token_revoked'; readonly jti: string; readonly sub: string | undefined }
  /** `revokeSubject(sub)`: every token of `sub` issued before `before` (a NumericDate) is revoked. */
  | { readonly type: 'subject_revoked'; readonly sub: string; readonly before: number }
  /** `rotateKeys()`: `kid` signs from now on; the previous key stays published until its tokens expire. */
  | { readonly type: 'keys_rotated'; readonly kid: string }
  /** The store failed. `failOpen` says whether `isRevoked` let the token through anyway. */
  | { readonly type: 'store_error'; readonly operation: IssuerOperation; readonly failOpen: boolean; readonly error: string }

/** Options every issuer takes, whatever signs its tokens. */
export interface CommonIssuerOptions {
  /** `iss` of every token: the issuer identifier, usually an https URL. */
  readonly issuer: string
  /** `aud` of every access token: the resource server(s). */
  readonly audience: string | readonly string[]
  /** Access-token lifetime. Default `'15m'`. */
  readonly accessTtl?: Duration
  /** Refresh-token lifetime, renewed on each rotation. Default `'7d'`. */
  readonly refreshTtl?: Duration
  /** Where refresh families and revocations live. Default: `memoryStore()`. */
  readonly store?: IssuerStore
  /**
   * When the store fails, `isRevoked` answers "not revoked" instead of failing the request
   * with 503 `revocation_unavailable`. Default `false` (fail closed). Either way a
   * `store_error` event is emitted. Issuing, refreshing and revoking always fail closed.
   */
  readonly failOpen?: boolean
  /**
   * Receives `refresh_reused`, `family_revoked`, `token_revoked`, `subject_revoked`,
   * `keys_rotated` and `store_error` events, synchronously; a throwing listener or a rejected
   * promise is ignored. `auditLog(logger)` from `tokengate` is one.
   */
  readonly onEvent?: (event: IssuerEvent) => void
  /** Clock in milliseconds, like `Date.now`. For tests. */
  readonly now?: () => number
  /**
   * The URL of your token endpoint, as clients address it: the `htu` DPoP proofs given to
   * `issue` and `refresh` must name (RFC 9449 §4.3). Needed to mint DPoP-bound pairs.
   */
  readonly tokenEndpoint?: string
  /** How token-request proofs are checked. */
  readonly dpop?: IssuerDpopOptions
}

/** DPoP settings of the issuer (`dpop`). */
export interface IssuerDpopOptions {
  /** Proof algorithms accepted. Default: every asymmetric algorithm. */
  readonly algorithms?: readonly AsymmetricAlgorithm[]
  /** How old a proof's `iat` may be. Default `'5m'`. */
  readonly maxAge?: Duration
  /** Where used proofs are remembered. Default a bounded memory store; share one (`redisReplayStore`) between instances. */
  readonly replayStore?: ReplayStore
}

/** Asymmetric signing keys (the default): published in `jwks()`. */
export interface IssuerKeyOptions {
  /**
   * Private keys (JWK, PKCS#8 PEM or CryptoKey). The `activeKid` one signs; the others are
   * published in `jwks()` so tokens they signed keep verifying. Default: one key generated
   * in memory for `algorithm` (fine for one process; several instances must share keys).
   */
  readonly keys?: readonly IssuerKey[]
  /** `kid` of the key that signs. Default: the first of `keys`. */
  readonly activeKid?: string
  /** Algorithm of generated keys, and of configured keys that do not name one. Default `'ES256'`. */
  readonly algorithm?: AsymmetricAlgorithm
  readonly secret?: never
}

/** A shared secret (HS256/384/512): never published; verifiers need the same secret. */
export interface IssuerSecretOptions {
  /** At least as long as the hash (32 bytes for HS256); a string is taken as UTF-8. */
  readonly secret: string | Uint8Array
  /** Default `'HS256'`. */
  readonly algorithm?: HmacAlgorithm
  readonly keys?: never
  readonly activeKid?: never
}

/** Options of `createIssuer`. */
export type IssuerOptions = CommonIssuerOptions & (IssuerKeyOptions | IssuerSecretOptions)

const ttl = () => duration(1)
const STORE_METHODS = ['createFamily', 'rotate', 'findRefreshToken', 'revokeFamily', 'revokeToken', 'revokeSubject', 'isRevoked'] as const
export const storeSchema = v.custom<IssuerStore>(
  (x) => typeof x === 'object' && x !== null && STORE_METHODS.every((m) => typeof (x as Record<string, unknown>)[m] === 'function'),
  `expected an IssuerStore (${STORE_METHODS.join(', ')}), e.g. memoryStore() or redisStore({ client })`,
)
const jwkObject = v.looseObject({ kty: v.string() }, 'expected a JWK (an object with "kty")')
const issuerKey = options(
  {
    privateKey: v.union(
      [nonEmptyString(), jwkObject, v.custom<object>((x) => typeof x === 'object' && x !== null && 'type' in x)],
      'expected a private JWK, a PKCS#8 PEM or a CryptoKey',
    ),
    kid: v.optional(nonEmptyString()),
    alg: v.optional(
      v.pipe(
        v.picklist(ALGORITHMS, `expected one of ${ALGORITHMS.join(', ')}`),
        v.check((a) => !isHmacAlgorithm(a), 'HMAC signs with the `secret` option, not a key'),
      ),
    ),
    publicJwk: v.optional(jwkObject),
  },
  'a signing key: { privateKey, kid?, alg?, publicJwk? }',
)

const issuerOptionsSchema = options(
  {
    issuer: nonEmptyString('the issuer identifier, e.g. "https://auth.example.com/"'),
    audience: stringOrList('the audience of the access tokens, e.g. "https://api.example.com"'),
    keys: v.optional(v.pipe(v.array(issuerKey, 'expected a list of signing keys'), v.minLength(1, 'expected at least one key'))),
    activeKid: v.optional(nonEmptyString()),
    secret: v.optional(sharedSecretSchema('issuer')),
    algorithm: v.optional(v.picklist(ALGORITHMS, `expected one of ${ALGORITHMS.join(', ')}`)),
    accessTtl: v.optional(ttl()),
    refreshTtl: v.optional(ttl()),
    store: v.optional(storeSchema),
    failOpen: v.optional(bool()),
    onEvent: v.optional(fn<(event: IssuerEvent) => void>('an event listener (event) => void')),
    now: v.optional(fn<() => number>('a clock in milliseconds, like Date.now')),
    tokenEndpoint: v.optional(httpUrl()),
    dpop: v.optional(
      options(
        {
          algorithms: v.optional(
            v.pipe(
              v.array(v.picklist(ASYMMETRIC_ALGORITHMS, `expected asymmetric algorithms (RFC 9449 §11.6), some of ${ASYMMETRIC_ALGORITHMS.join(', ')}`)),
              v.minLength(1, 'expected at least one algorithm, e.g. ["ES256"]'),
            ),
          ),
          maxAge: v.optional(duration(1)),
          replayStore: v.optional(
            v.custom<ReplayStore>((x) => typeof x === 'object' && x !== null && typeof (x as ReplayStore).add === 'function', 'expected a replay store { add(jti, ttlSeconds) }'),
          ),
        },
        'the DPoP settings { algorithms?, maxAge?, replayStore? }',
      ),
    ),
  },
  'issuer options: { issuer, audience, keys | secret, ... }',
)

/** The options as `createIssuer` uses them (validated). */
export type ParsedIssuerOptions = InferOutput<typeof issuerOptionsSchema>

/** Validates options once; a mistake is a `ConfigError` naming the option. */
export function parseIssuerOptions(input: unknown): ParsedIssuerOptions {
  const o = parseOptions('issuer', issuerOptionsSchema, input)
  const fail = (option: string, message: string): never => {
    throw new ConfigError('issuer', option, message)
  }
  if (o.keys && o.secret !== undefined) fail('secret', 'give `keys` or `secret`, not both')
  if (o.activeKid !== undefined && !o.keys) fail('activeKid', 'only meaningful with `keys`')
  if (o.dpop !== undefined && o.tokenEndpoint === undefined) fail('dpop', 'needs `tokenEndpoint`: the URL token-request proofs must name')
  const alg = o.algorithm ?? (o.secret === undefined ? 'ES256' : 'HS256')
  if (o.secret === undefined) {
    if (isHmacAlgorithm(alg)) fail('algorithm', `${alg} needs the \`secret\` option`)
    return o
  }
  if (!isHmacAlgorithm(alg)) fail('algorithm', `${alg} cannot sign with a shared secret; give \`keys\` (or none, to generate one)`)
  const length = secretBytes(o.secret).length
  if (length < HMAC_MIN_SECRET_BYTES[alg as HmacAlgorithm]) fail('secret', `${alg} needs at least ${HMAC_MIN_SECRET_BYTES[alg as HmacAlgorithm]} bytes, got ${length}`)
  return o
}
