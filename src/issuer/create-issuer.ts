/**
 * @module
 * `createIssuer`: validate options once, load keys, and return the issuer: mint pairs,
 * rotate refresh tokens, revoke, and publish what `createVerifier` needs.
 */
import { createVerifier } from '../core/create-verifier.js'
import { createEventHub } from '../core/events.js'
import { toSeconds } from '../lib/duration.js'
import type { JwtClaims } from '../lib/result.js'
import type { Algorithm } from '../keys/algorithms.js'
import type { KeySourceFactory } from '../keys/key-source.js'
import type { JSONWebKeySet } from '../keys/local-jwks.js'
import { secretBytes, secretKey } from '../keys/secret.js'
import { CLOCK_TOLERANCE_ALLOWANCE, nowSeconds, type IssuerContext } from './context.js'
import { KeyRing } from './key-ring.js'
import { issue, type IssueInput } from './mint.js'
import { parseIssuerOptions, type IssuerDpopOptions, type IssuerEvent, type IssuerOptions } from './options.js'
import { isRevokedHook, revoke, revokeFamily, revokeSubject } from './revocation.js'
import { refresh } from './rotation.js'
import { secretSigningKey, type IssuerKey } from './signing-key.js'
import { memoryStore } from './stores/memory-store.js'
import type { TokenPair } from './token-response.js'
import type { TokenRequestOptions } from './dpop.js'
import { resolveDpop } from '../binding/dpop-settings.js'
import { DEFAULT_DPOP_ALGORITHMS, DEFAULT_DPOP_MAX_AGE, DEFAULT_DPOP_MAX_PROOF_SIZE } from '../binding/dpop-options.js'
import { signatureBackend } from '#signature-backend'

/** A configured issuer. Every method is safe to call concurrently. */
export interface Issuer {
  /**
   * Mints an access token and a refresh token that starts a new family (login session). With
   * `{ dpop: { proof } }` (RFC 9449 §5, needs `tokenEndpoint`), the pair is DPoP-bound: the
   * access token carries `cnf.jkt`, `tokenType` is `'DPoP'`, and the family refreshes only with
   * proofs from that key.
   */
  issue(input: IssueInput, options?: TokenRequestOptions): Promise<TokenPair>
  /**
   * Exchanges a refresh token for a new pair; the old one is spent. Reuse of a spent token
   * revokes the family and throws `refresh_token_reused`. A DPoP-bound family needs
   * `{ dpop: { proof } }` from its key. Failures are `IssuerError`s.
   */
  refresh(refreshToken: string, options?: TokenRequestOptions): Promise<TokenPair>
  /** Revokes a refresh token (with its family) or an access token. `false` when it is not a live token of ours. */
  revoke(token: string): Promise<boolean>
  /** Revokes a family (the `sid` claim of its access tokens). `false` when unknown or expired. */
  revokeFamily(familyId: string): Promise<boolean>
  /** Revokes every token issued to `sub` until now (after a password change, say). */
  revokeSubject(sub: string): Promise<void>
  /**
   * The `isRevoked` hook for `createVerifier`. A token of this issuer at or past its `exp` +
   * `CLOCK_TOLERANCE_ALLOWANCE` (or without a numeric `exp`) is answered as revoked: its
   * revocation entries are gone by then, whatever the verifier's `clockTolerance`.
   */
  readonly isRevoked: (claims: JwtClaims) => Promise<boolean>
  /** The public JWK Set to serve at `/.well-known/jwks.json`; `{ keys: [] }` with a shared secret. */
  jwks(): Promise<JSONWebKeySet>
  /** A key source for `createVerifier({ keys })` that follows key rotation (a `secret` source with a shared secret). */
  keySource(): KeySourceFactory
  /**
   * Makes `key` (or a freshly generated key of the same algorithm) the signing key. The old
   * key stays in `jwks()` until its last token expires (`accessTtl` + `CLOCK_TOLERANCE_ALLOWANCE`). Returns the
   * new `kid`. Concurrent calls run one after another, each retiring the key before it.
   */
  rotateKeys(key?: IssuerKey): Promise<string>
  /**
   * Resolves once the signing keys are imported and self-tested. A key that fails there
   * rejects this, and every other method, with its `ConfigError`; await it at startup to fail
   * fast. (What can be checked without importing a key already threw from `createIssuer`.)
   */
  ready(): Promise<void>
}

/**
 * Builds an issuer. Options are validated once (a mistake throws a `ConfigError` naming the
 * option), configured keys too as far as possible without importing them (a public key, a
 * certificate, PKCS#1, a JWK without "d", an algorithm that does not fit the key, a weak RSA
 * modulus, a duplicate `kid` all throw here); keys are then imported and self-tested in the
 * background, every method waits for that, and `ready()` reports it.
 *
 * Import from `tokengate/issuer`.
 *
 * @example
 * const issuer = createIssuer({ issuer: 'https://auth.example.com/', audience: 'https://api.example.com' })
 * const pair = await issuer.issue({ sub: user.id, scopes: ['read:orders'] })
 * const verifyBearer = createVerifier({
 *   issuer: 'https://auth.example.com/', audience: 'https://api.example.com',
 *   keys: issuer.keySource(), isRevoked: issuer.isRevoked,
 * })
 */
export function createIssuer(options: IssuerOptions): Issuer {
  const o = parseIssuerOptions(options)
  const nowMs = (o.now as (() => number) | undefined) ?? Date.now
  const onEvent = o.onEvent as ((event: IssuerEvent) => void) | undefined
  const algorithm: Algorithm = o.algorithm ?? (o.secret === undefined ? 'ES256' : 'HS256')
  const accessTtl = Math.floor(toSeconds(o.accessTtl ?? '15m'))
  const refreshTtl = Math.floor(toSeconds(o.refreshTtl ?? '7d'))
  const secret = o.secret === undefined ? undefined : secretBytes(o.secret).slice()
  const ring = new KeyRing(
    { algorithm, keys: o.keys as readonly IssuerKey[] | undefined, activeKid: o.activeKid, retireAfter: accessTtl + CLOCK_TOLERANCE_ALLOWANCE, now: () => nowSeconds({ nowMs }) },
    secret ? secretSigningKey(secret, algorithm) : undefined,
  )
  const ctx: IssuerContext = Object.freeze({
    issuer: o.issuer,
    audience: Object.freeze(typeof o.audience === 'string' ? o.audience : [...o.audience]),
    accessTtl,
    refreshTtl,
    ring,
    store: (o.store as IssuerOptions['store']) ?? memoryStore(),
    failOpen: o.failOpen ?? false,
    nowMs,
    dpop:
      o.tokenEndpoint === undefined
        ? undefined
        : Object.freeze({
            tokenEndpoint: String(o.tokenEndpoint),
            signature: signatureBackend,
            settings: resolveDpop(
              {
                required: false,
                algorithms: o.dpop?.algorithms ?? DEFAULT_DPOP_ALGORITHMS,
                maxAge: o.dpop?.maxAge === undefined ? DEFAULT_DPOP_MAX_AGE : toSeconds(o.dpop.maxAge),
                maxProofSize: DEFAULT_DPOP_MAX_PROOF_SIZE,
                nonce: undefined,
                replayStore: o.dpop?.replayStore as IssuerDpopOptions['replayStore'],
              },
              nowMs,
            ),
          }),
    // A throwing listener, or one returning a rejected promise, must not break issuing or verification.
    emit: createEventHub<IssuerEvent>(onEvent).emit,
  })
  const keySource = (): KeySourceFactory => (secret ? secretKey(secret) : ring.keySource())
  // Our own verifier, to accept only genuine, unexpired access tokens in `revoke()`.
  const verifyOwn = createVerifier({
    issuer: o.issuer,
    audience: ctx.audience,
    ...(secret ? { secret } : { keys: ring.keySource() }),
    typ: 'at+jwt',
    requiredClaims: ['jti'],
    now: nowMs,
    // Revoking is not using: a DPoP-bound access token of ours may be revoked without its proof.
    acceptBoundAsBearer: true,
  })

  // Every method waits for the keys, so a key that fails its import or self-test fails the
  // issuer's first use, whichever method that is, with the same ConfigError.
  const ready = (): Promise<void> => ring.ready()
  const whenReady =
    <A extends unknown[], R>(run: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await ring.ready()
      return run(...args)
    }
  const isRevoked = isRevokedHook(ctx)
  return Object.freeze({
    issue: whenReady((input: IssueInput, requestOptions?: TokenRequestOptions) => issue(ctx, input, requestOptions)),
    refresh: whenReady((refreshToken: string, requestOptions?: TokenRequestOptions) => refresh(ctx, refreshToken, requestOptions)),
    revoke: whenReady((token: string) => revoke(ctx, verifyOwn, token)),
    revokeFamily: whenReady((familyId: string) => revokeFamily(ctx, familyId)),
    revokeSubject: whenReady((sub: string) => revokeSubject(ctx, sub)),
    isRevoked: whenReady(isRevoked),
    jwks: () => ring.jwks(),
    keySource,
    rotateKeys: async (key?: IssuerKey) => {
      const kid = await ring.rotate(key)
      ctx.emit({ type: 'keys_rotated', kid })
      return kid
    },
    ready,
  })
}

