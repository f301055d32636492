/**
 * @module
 * Revocation: one token, a family, everything of a subject; and `isRevoked`, the verifier's
 * hook. Entries last exactly as long as the tokens they cover.
 */
import { ConfigError } from '../errors/config-error.js'
import type { Verifier } from '../core/create-verifier.js'
import type { JwtAuth, JwtClaims } from '../lib/result.js'
import { BearerError } from '../errors/bearer-error.js'
import { own } from '../lib/own.js'
import { guard, CLOCK_TOLERANCE_ALLOWANCE, nowMillis, nowSeconds, type IssuerContext, type StoreContext } from './context.js'
import { hashRefreshToken, isRefreshTokenShape } from './opaque-token.js'

/**
 * Revokes a refresh token (its whole family, and so the access tokens minted from it:
 * RFC 7009 §2.1) or one access token (its `jti`). A token that is not ours, malformed or
 * already expired is not an error (RFC 7009 §2.2): the result is `false`.
 */
export async function revoke(ctx: IssuerContext, verifyOwn: Verifier<object, JwtAuth>, token: string): Promise<boolean> {
  if (typeof token !== 'string') return false
  const now = nowSeconds(ctx)
  if (isRefreshTokenShape(token)) {
    const hash = await hashRefreshToken(token)
    const record = await guard(ctx, 'revoke', () => ctx.store.findRefreshToken(hash, now))
    if (!record) return false
    const revoked = await guard(ctx, 'revoke', () => ctx.store.revokeFamily(record.familyId, now))
    if (revoked) ctx.emit({ type: 'family_revoked', familyId: record.familyId, sub: record.sub, cause: 'revoke' })
    return revoked
  }
  let claims: JwtClaims
  try {
    claims = (await verifyOwn(`Bearer ${token}`)).claims
  } catch (err) {
    if (BearerError.is(err)) return false
    throw err
  }
  await guard(ctx, 'revoke', () => ctx.store.revokeToken(claims.jti!, claims.exp + CLOCK_TOLERANCE_ALLOWANCE, now))
  ctx.emit({ type: 'token_revoked', jti: claims.jti!, sub: claims.sub })
  return true
}

/** Revokes a family (the `sid` claim of its access tokens); `false` when unknown or expired. */
export async function revokeFamily(ctx: IssuerContext, familyId: string): Promise<boolean> {
  if (typeof familyId !== 'string' || familyId === '') throw new ConfigError('issuer', 'revokeFamily()', 'familyId must be a non-empty string (the sid claim)')
  const now = nowSeconds(ctx)
  const revoked = await guard(ctx, 'revokeFamily', () => ctx.store.revokeFamily(familyId, now))
  if (revoked) ctx.emit({ type: 'family_revoked', familyId, sub: undefined, cause: 'revokeFamily' })
  return revoked
}

/**
 * Revokes every token issued to `sub` before now. Resolves at the next whole second (at most
 * 1 s later): `iat` counts whole seconds, so tokens issued after it resolves stay valid.
 */
export async function revokeSubject(ctx: IssuerContext, sub: string): Promise<void> {
  if (typeof sub !== 'string' || sub === '') throw new ConfigError('issuer', 'revokeSubject()', 'sub must be a non-empty string')
  const nowMs = nowMillis(ctx)
  const cutoff = Math.ceil(nowMs / 1000)
  const expiresAt = cutoff + Math.max(ctx.accessTtl + CLOCK_TOLERANCE_ALLOWANCE, ctx.refreshTtl)
  await guard(ctx, 'revokeSubject', () => ctx.store.revokeSubject(sub, cutoff, expiresAt, Math.floor(nowMs / 1000)))
  ctx.emit({ type: 'subject_revoked', sub, before: cutoff })
  const wait = cutoff * 1000 - nowMs
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
}

/**
 * The verifier's `isRevoked` hook: a token is revoked when its `jti`, its family (`sid`)
 * or its subject (for tokens issued before the cutoff) is. Tokens of other issuers are
 * never revoked here. On a store failure: throws (the verifier answers 503
 * `revocation_unavailable`), or with `failOpen` answers `false`; a `store_error` event either way.
 *
 * Revocations are kept until `exp` + `CLOCK_TOLERANCE_ALLOWANCE`, and no longer. A token of
 * this issuer presented at or after that (a verifier whose `clockTolerance` is larger than
 * the allowance), or with no numeric `exp`, is answered as revoked: the store no longer holds
 * what would say it was, so "not revoked" would be a guess that lets revoked tokens back in.
 */
export function isRevokedHook(ctx: StoreContext): (claims: JwtClaims) => Promise<boolean> {
  // Own members only: a polluted Object.prototype lends the claims nothing.
  const str = (claims: JwtClaims, name: string): string | undefined => {
    const v = own(claims, name)
    return typeof v === 'string' ? v : undefined
  }
  return async (claims) => {
    if (own(claims, 'iss') !== ctx.issuer) return false
    const iat = own(claims, 'iat')
    const query = { jti: str(claims, 'jti'), familyId: str(claims, 'sid'), sub: str(claims, 'sub'), issuedAt: typeof iat === 'number' ? iat : undefined }
    // Read outside the guard: a broken clock is not a store outage, and failOpen must not pass it.
    const now = nowSeconds(ctx)
    // Past the allowance every entry covering the token may be gone (memory and Redis drop
    // them then): answering from the store would say "not revoked" for a revoked token.
    const exp = own(claims, 'exp')
    if (typeof exp !== 'number' || !(now < exp + CLOCK_TOLERANCE_ALLOWANCE)) return true
    return guard(ctx, 'isRevoked', () => ctx.store.isRevoked(query, now), ctx.failOpen ? { value: false } : undefined)
  }
}
