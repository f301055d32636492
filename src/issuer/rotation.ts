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

/**
 * Exchanges a refresh token for a new pair and invalidates it. Throws `IssuerError`:
 * `refresh_token_invalid`, `refresh_token_expired`, `refresh_token_revoked`,
 * `refresh_token_reused` (the family is now revoked) or `store_unavailable`.
 */
export async function refresh(ctx: IssuerContext, refreshToken: string): Promise<TokenPair> {
  if (!isRefreshTokenShape(refreshToken)) throw new IssuerError('refresh_token_invalid')
  const now = nowSeconds(ctx)
  const [hash, key] = await Promise.all([hashRefreshToken(refreshToken), ctx.ring.active()])
  const next = newRefreshToken()
  const expiresAt = now + ctx.refreshTtl
  const result = await guard(ctx, 'refresh', async () =>
    ctx.store.rotate(hash, { hash: await hashRefreshToken(next), issuedAt: now, expiresAt, familyExpiresAt: familyEndsAt(ctx, now) }, now),
  )
  switch (result.status) {
    case 'rotated':
      return mintPair(ctx, key, result.record, next, now)
    case 'reused':
      ctx.emit({ type: 'refresh_reused', familyId: result.familyId, sub: result.sub })
      throw new IssuerError('refresh_token_reused')
    case 'revoked':
      throw new IssuerError('refresh_token_revoked')
    case 'expired':
      throw new IssuerError('refresh_token_expired')
    case 'invalid':
      throw new IssuerError('refresh_token_invalid')
  }
}
