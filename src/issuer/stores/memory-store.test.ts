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
    expect(events).toEqual([
      { type: 'token_revoked', jti: expect.any(String), sub: 'a' },
      { type: 'token_revoked', jti: expect.any(String), sub: 'a' },
      { type: 'store_error', operation: 'revoke', failOpen: false, error: expect.stringContaining('maxRevocations') },
    ])
    for (const p of pairs.slice(0, 2)) await expect(verify(bearer(p.accessToken))).rejects.toMatchObject({ reason: 'token_revoked' })
    clock.advance(900 + 60) // exp + CLOCK_TOLERANCE_ALLOWANCE: the first two entries expire and make room
    await expect(issuer.revokeSubject('a')).resolves.toBeUndefined()
  })

  it('never forgets a spent token alone: a full store forgets the whole session, so a stolen chain cannot live on', async () => {
    const clock = new Clock()
    const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE, now: clock.now, store: memoryStore({ maxRefreshTokens: 4 }) })
    const victim = await issuer.issue({ sub: 'victim' })
    const thief = await issuer.refresh(victim.refreshToken) // the thief refreshed first: victim's token is spent
    clock.advance(60)
    // Other sessions fill the store. The victim's spent token must not be dropped while the thief's chain lives.
    const others = []
    for (const sub of ['b', 'c', 'd']) others.push(await issuer.issue({ sub }))
    // The store forgot the victim's session whole (the least recently active): the thief's token is dead too.
    await expectIssuerError(issuer.refresh(victim.refreshToken), 'refresh_token_invalid')
    await expectIssuerError(issuer.refresh(thief.refreshToken), 'refresh_token_invalid')
    // Sessions that are still remembered keep working.
    await expect(issuer.refresh(others[2]!.refreshToken)).resolves.toBeDefined()
  })

  it('forgets the least recently active session first, and all its tokens with it', async () => {
    const clock = new Clock()
    const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE, now: clock.now, store: memoryStore({ maxRefreshTokens: 5 }) })
    let active = await issuer.issue({ sub: 'active' })
    const idle = await issuer.issue({ sub: 'idle' })
    const spent = active.refreshToken
    active = await issuer.refresh(active.refreshToken) // 3 tokens: active (spent + live), idle
    active = await issuer.refresh(active.refreshToken) // 4
    await issuer.issue({ sub: 'new' }) // 5: full
    active = await issuer.refresh(active.refreshToken) // room needed: the idle session goes, not a spent token of the active one
    await expectIssuerError(issuer.refresh(idle.refreshToken), 'refresh_token_invalid')
    await expectIssuerError(issuer.refresh(spent), 'refresh_token_reused')
  })

  it('a detected reuse revokes the family even when the revocation table is full', async () => {
    const clock = new Clock()
    const events: IssuerEvent[] = []
    const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE, now: clock.now, onEvent: (e) => events.push(e), store: memoryStore({ maxRevocations: 2 }) })
    const verify = verifierFor(issuer, clock)
    const [a, b, victim] = await Promise.all(['a', 'b', 'victim'].map((sub) => issuer.issue({ sub })))
    await issuer.revoke(a!.accessToken)
    await issuer.revoke(b!.accessToken) // the table is full
    const thief = await issuer.refresh(victim!.refreshToken)
    await expectIssuerError(issuer.refresh(victim!.refreshToken), 'refresh_token_reused')
    expect(events.map((e) => e.type)).toEqual(['token_revoked', 'token_revoked', 'refresh_reused', 'family_revoked'])
    await expectIssuerError(issuer.refresh(thief.refreshToken), 'refresh_token_revoked')
    await expect(verify(bearer(thief.accessToken))).rejects.toMatchObject({ reason: 'token_revoked' })
    await expect(verify(bearer(victim!.accessToken))).rejects.toMatchObject({ reason: 'token_revoked' })
    // Revocations asked for by the application are still bounded.
    await expectIssuerError(issuer.revokeSubject('a'), 'store_unavailable', 503)
  })

  it('refuses bad bounds with a TypeError naming the option', () => {
    expect(() => memoryStore({ maxRefreshTokens: 0 })).toThrow('tokengate: invalid memoryStore option maxRefreshTokens')
    expect(() => memoryStore({ maxRevocations: 1.5 })).toThrow('tokengate: invalid memoryStore option maxRevocations')
  })
})
