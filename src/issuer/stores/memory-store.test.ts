import { describe, expect, it } from 'vitest'
import { createIssuer, memoryStore, type IssuerEvent } from '../index.js'
import { AUDIENCE, bearer, Clock, expectIssuerError, ISSUER, verifierFor } from '../../../test/issuer/helpers.js'
import { storeContract } from '../../../test/issuer/store-contract.js'

storeContract('memory store', () => memoryStore())

describe('memoryStore bounds', () => {
  it('drops the least recently used refresh tokens beyond maxRefreshTokens: that session logs in again', async () => {
    const clock = new Clock()
    const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE, now: clock.now, store: memoryStore({ maxRefreshTokens: 2 }) })
    const oldest = await issuer.issue({ sub: 'a' })
    await issuer.issue({ sub: 'b' })
    const newest = await issuer.issue({ sub: 'c' })
    await expectIssuerError(issuer.refresh(oldest.refreshToken), 'refresh_token_invalid')
    await expect(issuer.refresh(newest.refreshToken)).resolves.toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String), refreshToken: expect.any(String) })
  })

  it('never evicts a revocation: when full, revoking fails with 503 store_unavailable', async () => {
    const clock = new Clock()
    const events: IssuerEvent[] = []
    const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE, now: clock.now, onEvent: (e) => events.push(e), store: memoryStore({ maxRevocations: 2 }) })
    const verify = verifierFor(issuer, clock)
    const pairs = await Promise.all([1, 2, 3].map(() => issuer.issue({ sub: 'a' })))
    await issuer.revoke(pairs[0]!.accessToken)
    await issuer.revoke(pairs[1]!.accessToken)
    await expectIssuerError(issuer.revoke(pairs[2]!.accessToken), 'store_unavailable', 503)
    expect(events).toEqual([{ type: 'store_error', operation: 'revoke', failOpen: false, error: expect.stringContaining('maxRevocations') }])
    for (const p of pairs.slice(0, 2)) await expect(verify(bearer(p.accessToken))).rejects.toMatchObject({ reason: 'token_revoked' })
    clock.advance(900 + 60) // exp + CLOCK_TOLERANCE_ALLOWANCE: the first two entries expire and make room
    await expect(issuer.revokeSubject('a')).resolves.toBeUndefined()
  })

  it('refuses bad bounds with a TypeError naming the option', () => {
    expect(() => memoryStore({ maxRefreshTokens: 0 })).toThrow('tokengate: invalid memoryStore option maxRefreshTokens')
    expect(() => memoryStore({ maxRevocations: 1.5 })).toThrow('tokengate: invalid memoryStore option maxRevocations')
  })
})
