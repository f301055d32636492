/**
 * @module
 * Issuer options: the public interface (hand-written, with defaults) and the zod schema that
 * validates it once, at construction.
 */
import { z } from 'zod'
import { configError } from '../core/config-error.js'
import { DURATION_PATTERN, toSeconds, type Duration } from '../lib/duration.js'
import { ALGORITHMS, HMAC_MIN_SECRET_BYTES, isHmacAlgorithm, type Algorithm, type AsymmetricAlgorithm, type HmacAlgorithm } from '../keys/algorithms.js'
import { secretBytes } from '../keys/secret.js'
import type { IssuerKey } from './signing-key.js'
import type { IssuerStore } from './store.js'

/** The issuer operations that touch the store. */
export type IssuerOperation = 'issue' | 'refresh' | 'revoke' | 'revokeFamily' | 'revokeSubject' | 'isRevoked'

/** What the issuer reports through `onEvent`. */
export type IssuerEvent =
  /** A refresh token was presented a second time: its family is now revoked. Log it: it means theft. */
  | { readonly type: 'refresh_reused'; readonly familyId: string; readonly sub: string }
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
  /** Receives `refresh_reused` and `store_error` events. */
  readonly onEvent?: (event: IssuerEvent) => void
  /** Clock in milliseconds, like `Date.now`. For tests. */
  readonly now?: () => number
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

const nonEmptyStrings = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)])
const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', 'expected a function')
const ttl = z
  .union([z.number().finite(), z.string().regex(DURATION_PATTERN, 'expected e.g. 900, "15m", "7d"')])
  .refine((v) => {
    try {
      return toSeconds(v) >= 1
    } catch {
      return true // the pattern has already reported it
    }
  }, 'must be at least one second')
const STORE_METHODS = ['createFamily', 'rotate', 'findRefreshToken', 'revokeFamily', 'revokeToken', 'revokeSubject', 'isRevoked'] as const
export const storeSchema = z.custom<IssuerStore>(
  (v) => typeof v === 'object' && v !== null && STORE_METHODS.every((m) => typeof (v as Record<string, unknown>)[m] === 'function'),
  `expected an IssuerStore (${STORE_METHODS.join(', ')})`,
)
const issuerKey = z.object({
  privateKey: z.union([z.string().min(1), z.looseObject({ kty: z.string() }), z.custom<object>((v) => typeof v === 'object' && v !== null && 'type' in v, 'expected a private JWK, a PKCS#8 PEM or a CryptoKey')]),
  kid: z.string().min(1).optional(),
  alg: z.enum(ALGORITHMS as [Algorithm, ...Algorithm[]]).refine((a) => !isHmacAlgorithm(a), 'HMAC needs the `secret` option').optional(),
  publicJwk: z.looseObject({ kty: z.string() }).optional(),
})

export const issuerOptionsSchema = z
  .strictObject({
    issuer: z.string().min(1),
    audience: nonEmptyStrings,
    keys: z.array(issuerKey).min(1).optional(),
    activeKid: z.string().min(1).optional(),
    secret: z.union([z.string(), z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected a Uint8Array')]).optional(),
    algorithm: z.enum(ALGORITHMS as [Algorithm, ...Algorithm[]]).optional(),
    accessTtl: ttl.optional(),
    refreshTtl: ttl.optional(),
    store: storeSchema.optional(),
    failOpen: z.boolean().optional(),
    onEvent: fn.optional(),
    now: fn.optional(),
  })
  .superRefine((v, ctx) => {
    if (v.keys && v.secret !== undefined) ctx.addIssue({ code: 'custom', path: ['secret'], message: 'give `keys` or `secret`, not both' })
    if (v.activeKid !== undefined && !v.keys) ctx.addIssue({ code: 'custom', path: ['activeKid'], message: 'only meaningful with `keys`' })
    const alg = v.algorithm ?? (v.secret === undefined ? 'ES256' : 'HS256')
    if (v.secret === undefined) {
      if (isHmacAlgorithm(alg)) ctx.addIssue({ code: 'custom', path: ['algorithm'], message: `${alg} needs the \`secret\` option` })
      return
    }
    if (!isHmacAlgorithm(alg)) {
      ctx.addIssue({ code: 'custom', path: ['algorithm'], message: `${alg} cannot sign with a shared secret` })
      return
    }
    const length = secretBytes(v.secret).length
    if (length < HMAC_MIN_SECRET_BYTES[alg]) {
      ctx.addIssue({ code: 'custom', path: ['secret'], message: `${alg} needs at least ${HMAC_MIN_SECRET_BYTES[alg]} bytes, got ${length}` })
    }
  })

/** Validates options once; a mistake is a `TypeError` naming the option, with the `ZodError` as `cause`. */
export function parseIssuerOptions(options: unknown): z.output<typeof issuerOptionsSchema> {
  const result = issuerOptionsSchema.safeParse(options)
  if (result.success) return result.data
  throw configError('tokengate: invalid issuer option', result.error)
}
