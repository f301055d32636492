/**
 * @module
 * `refresh()`: refresh-token rotation with reuse detection (RFC 9700 §4.14.2). The store
 * swaps the token for its successor atomically; a token presented twice revokes its family.
 */
import { IssuerError } from './errors.js'
import { familyEndsAt, guard, nowSeconds, type IssuerContext } from './context.js'
import { mintPair } from './mint.js'
import { hashRefreshToken, isRefreshTokenShape, newRefreshToken } from './opaque-token.js'
import type { TokenPair } from './token-response.js'
import { boundThumbprint, proofThumbprint, withThumbprint, type TokenRequestOptions } from './dpop.js'

/**
 * Exchanges a refresh token for a new pair and invalidates it. Throws `IssuerError`:
 * `refresh_token_invalid`, `refresh_token_expired`, `refresh_token_revoked`,
 * `refresh_token_reused` (the family is now revoked) or `store_unavailable`.
 */
export async function refresh(ctx: IssuerContext, refreshToken: string, options: TokenRequestOptions = {}): Promise<TokenPair> {
  if (!isRefreshTokenShape(refreshToken)) throw new IssuerError('refresh_token_invalid')
  const now = nowSeconds(ctx)
  const [hash, key] = await Promise.all([hashRefreshToken(refreshToken), ctx.ring.active()])
  // RFC 9449 §5: a bound family refreshes only with a proof from its key, checked before the
  // token is spent (so nobody without the key can burn it and revoke the session).
  const jkt = options.dpop === undefined ? undefined : await proofThumbprint(ctx, options.dpop, 'refresh()')
  if (ctx.dpop !== undefined) {
    const current = await guard(ctx, 'refresh', () => ctx.store.findRefreshToken(hash, now))
    const bound = boundThumbprint(current?.claims)
    if (bound !== undefined && jkt === undefined) throw new IssuerError('dpop_proof_invalid', { message: 'The refresh token is DPoP-bound: send a DPoP proof from its key' })
    if (bound !== undefined && jkt !== bound) throw new IssuerError('refresh_token_key_mismatch')
  }
  const next = newRefreshToken()
  const expiresAt = now + ctx.refreshTtl
  const result = await guard(ctx, 'refresh', async () =>
    ctx.store.rotate(hash, { hash: await hashRefreshToken(next), issuedAt: now, expiresAt, familyExpiresAt: familyEndsAt(ctx, now) }, now),
  )
  switch (result.status) {
    case 'rotated': {
      const bound = boundThumbprint(result.record.claims)
      // Bound families keep their key (checked above); an unbound family's pair is bound for this access token only.
      if (bound !== undefined && bound !== jkt) throw new IssuerError('refresh_token_key_mismatch')
      const record = bound === undefined && jkt !== undefined ? { ...result.record, claims: withThumbprint(result.record.claims, jkt) } : result.record
      return mintPair(ctx, key, record, next, now)
    }
    case 'reused':
      ctx.emit({ type: 'refresh_reused', familyId: result.familyId, sub: result.sub })
      ctx.emit({ type: 'family_revoked', familyId: result.familyId, sub: result.sub, cause: 'reuse' })
      throw new IssuerError('refresh_token_reused')
    case 'revoked':
      throw new IssuerError('refresh_token_revoked')
    case 'expired':
      throw new IssuerError('refresh_token_expired')
    case 'invalid':
      throw new IssuerError('refresh_token_invalid')
  }
}
