/**
 * Behaviour every IssuerStore must show, run through createIssuer and the real createVerifier:
 * the memory store (test/issuer/memory-store.test.ts) and Redis (test/redis/redis-store.test.ts).
 */
import { decodeJwt } from 'jose'
import { describe, expect, it } from 'vitest'
import { createIssuer, type IssuerEvent, type IssuerStore } from '../../src/issuer/index.js'
import { AUDIENCE, bearer, Clock, expectIssuerError, expectReject, ISSUER, verifierFor } from './helpers.js'

const REVOKED = { status: 401, wwwAuthenticate: 'Bearer realm="api", error="invalid_token", error_description="The token has been revoked"' }

/** Records every argument a store receives, so tests can prove raw refresh tokens never reach it. */
function recording(store: IssuerStore): { store: IssuerStore; seen: string[] } {
  const seen: string[] = []
  const proxy = new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        seen.push(JSON.stringify(args))
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return { store: proxy, seen }
}

export function storeContract(name: string, makeStore: () => IssuerStore | Promise<IssuerStore>): void {
  async function setup(options: { accessTtl?: string; refreshTtl?: string } = {}) {
    const clock = new Clock()
    const events: IssuerEvent[] = []
    const { store, seen } = recording(await makeStore())
    const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE, store, now: clock.now, onEvent: (e) => events.push(e), ...options })
    return { clock, events, issuer, seen, verify: verifierFor(issuer, clock) }
  }

  describe(`${name}: refresh rotation`, () => {
    it('returns a new working pair and spends the old refresh token', async () => {
      const { issuer, verify, clock } = await setup()
      const first = await issuer.issue({ sub: 'alice', scopes: ['read'], claims: { role: 'admin' }, clientId: 'web' })
      clock.advance(60)
      const second = await issuer.refresh(first.refreshToken)
      expect(second.refreshToken).not.toBe(first.refreshToken)
      expect(second).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, scope: 'read' })
      const auth = await verify(bearer(second.accessToken), { scopes: ['read'] })
      expect(auth.claims).toMatchObject({ sub: 'alice', role: 'admin', client_id: 'web', sid: decodeJwt(first.accessToken).sid, iat: clock.seconds })
      await expect(issuer.refresh(second.refreshToken)).resolves.toMatchObject({ tokenType: 'Bearer' })
    })

    it('stores refresh tokens only as hashes', async () => {
      const { issuer, seen } = await setup()
      const first = await issuer.issue({ sub: 'alice' })
      const second = await issuer.refresh(first.refreshToken)
      await issuer.revoke(second.refreshToken)
      expect(seen.length).toBeGreaterThanOrEqual(3)
      for (const call of seen) {
        expect(call).not.toContain(first.refreshToken)
        expect(call).not.toContain(second.refreshToken)
      }
    })

    it('treats a second use as theft: 400 refresh_token_reused, the family revoked, an event', async () => {
      const { issuer, verify, events } = await setup()
      const first = await issuer.issue({ sub: 'alice' })
      const second = await issuer.refresh(first.refreshToken)
      const err = await expectIssuerError(issuer.refresh(first.refreshToken), 'refresh_token_reused', 400)
      expect(err.toJSON()).toEqual({ error: 'invalid_grant', error_description: 'The refresh token was already used; the session has been revoked' })
      expect(events).toContainEqual({ type: 'refresh_reused', familyId: decodeJwt(first.accessToken).sid, sub: 'alice' })
      await expectIssuerError(issuer.refresh(second.refreshToken), 'refresh_token_revoked', 400)
      await expectReject(verify(bearer(first.accessToken)), 'token_revoked', REVOKED)
      await expectReject(verify(bearer(second.accessToken)), 'token_revoked', REVOKED)
    })

    it('leaves other families alone when one is revoked for reuse', async () => {
      const { issuer, verify } = await setup()
      const stolen = await issuer.issue({ sub: 'alice' })
      const laptop = await issuer.issue({ sub: 'alice' })
      await issuer.refresh(stolen.refreshToken)
      await expectIssuerError(issuer.refresh(stolen.refreshToken), 'refresh_token_reused')
      await expect(verify(bearer(laptop.accessToken))).resolves.toMatchObject({ claims: { sub: 'alice' } })
      await expect(issuer.refresh(laptop.refreshToken)).resolves.toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String), refreshToken: expect.any(String) })
    })

    it('lets exactly one of 16 concurrent refreshes of one token win, then revokes the family', async () => {
      const { issuer, verify } = await setup()
      const pair = await issuer.issue({ sub: 'alice' })
      const results = await Promise.allSettled(Array.from({ length: 16 }, () => issuer.refresh(pair.refreshToken)))
      const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
      const reasons = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { reason: string }).reason] : []))
      expect(won).toHaveLength(1)
      expect(reasons).toEqual(Array(15).fill('refresh_token_reused'))
      await expectReject(verify(bearer(won[0]!.accessToken)), 'token_revoked')
      await expectIssuerError(issuer.refresh(won[0]!.refreshToken), 'refresh_token_revoked')
    })

    it('recognises a spent token after its own lifetime, while its family lives: reuse, and the attacker chain is revoked', async () => {
      const { issuer, verify, clock, events } = await setup({ refreshTtl: '1h' })
      const stolen = await issuer.issue({ sub: 'alice' })
      // The thief refreshes first and keeps the chain alive; the victim's client is offline.
      let chain = await issuer.refresh(stolen.refreshToken)
      for (let i = 0; i < 3; i++) {
        clock.advance(40 * 60)
        chain = await issuer.refresh(chain.refreshToken)
      }
      // Two hours later the victim comes back with the token the thief spent (its own 1 h is long over).
      await expectIssuerError(issuer.refresh(stolen.refreshToken), 'refresh_token_reused', 400)
      expect(events).toContainEqual({ type: 'refresh_reused', familyId: decodeJwt(stolen.accessToken).sid, sub: 'alice' })
      await expectIssuerError(issuer.refresh(chain.refreshToken), 'refresh_token_revoked')
      await expectReject(verify(bearer(chain.accessToken)), 'token_revoked', REVOKED)
    })

    it('answers refresh_token_expired, not reuse, once the spent token and its whole family have expired', async () => {
      const { issuer, clock } = await setup({ refreshTtl: '1h' })
      const first = await issuer.issue({ sub: 'alice' })
      await issuer.refresh(first.refreshToken)
      clock.advance(3600 + 60 * 16)
      await expect(issuer.refresh(first.refreshToken)).rejects.toMatchObject({ reason: expect.stringMatching(/^refresh_token_(expired|invalid)$/) })
    })

    it('rejects an expired refresh token with 400 refresh_token_expired', async () => {
      const { issuer, clock } = await setup({ refreshTtl: '1h' })
      const pair = await issuer.issue({ sub: 'alice' })
      clock.advance(3600)
      await expectIssuerError(issuer.refresh(pair.refreshToken), 'refresh_token_expired', 400)
    })

    it('renews the refresh lifetime on each rotation (sliding window)', async () => {
      const { issuer, clock } = await setup({ refreshTtl: '1h' })
      let pair = await issuer.issue({ sub: 'alice' })
      for (let i = 0; i < 3; i++) {
        clock.advance(3000)
        pair = await issuer.refresh(pair.refreshToken)
      }
      clock.advance(3599)
      await expect(issuer.refresh(pair.refreshToken)).resolves.toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String), refreshToken: expect.any(String) })
    })

    it('rejects unknown and malformed refresh tokens with 400 refresh_token_invalid', async () => {
      const { issuer } = await setup()
      await expectIssuerError(issuer.refresh('A'.repeat(43)), 'refresh_token_invalid', 400)
      for (const bad of ['', 'short', 'A'.repeat(44), `${'A'.repeat(42)}=`, 'a.b.c', null, 42]) {
        await expectIssuerError(issuer.refresh(bad as string), 'refresh_token_invalid', 400)
      }
    })
  })

  describe(`${name}: revocation`, () => {
    it('revoke(accessToken) revokes that token only: the verifier answers 401 token_revoked', async () => {
      const { issuer, verify } = await setup()
      const a = await issuer.issue({ sub: 'alice' })
      const b = await issuer.refresh(a.refreshToken)
      await expect(issuer.revoke(a.accessToken)).resolves.toBe(true)
      await expectReject(verify(bearer(a.accessToken)), 'token_revoked', REVOKED)
      await expect(verify(bearer(b.accessToken))).resolves.toMatchObject({ claims: { sub: 'alice' } })
      await expect(issuer.refresh(b.refreshToken)).resolves.toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String), refreshToken: expect.any(String) })
    })

    it('revoke(refreshToken) logs the session out: its family and access tokens are revoked', async () => {
      const { issuer, verify } = await setup()
      const pair = await issuer.issue({ sub: 'alice' })
      const other = await issuer.issue({ sub: 'alice' })
      await expect(issuer.revoke(pair.refreshToken)).resolves.toBe(true)
      await expectIssuerError(issuer.refresh(pair.refreshToken), 'refresh_token_revoked')
      await expectReject(verify(bearer(pair.accessToken)), 'token_revoked')
      await expect(verify(bearer(other.accessToken))).resolves.toMatchObject({ claims: { sub: 'alice' } })
    })

    it('revoke() answers false for tokens that are not live tokens of this issuer (RFC 7009 §2.2)', async () => {
      const { issuer, clock } = await setup()
      const stranger = createIssuer({ issuer: ISSUER, audience: AUDIENCE, now: clock.now })
      const theirs = await stranger.issue({ sub: 'alice' })
      const ours = await issuer.issue({ sub: 'alice' })
      for (const token of ['', 'garbage', 'A'.repeat(43), theirs.accessToken, theirs.refreshToken]) {
        await expect(issuer.revoke(token)).resolves.toBe(false)
      }
      clock.advance(900 + 5) // exp plus the verifier's clock tolerance: dead already
      await expect(issuer.revoke(ours.accessToken)).resolves.toBe(false)
    })

    it('revokeFamily(sid) revokes a login session; unknown families answer false', async () => {
      const { issuer, verify } = await setup()
      const pair = await issuer.issue({ sub: 'alice' })
      await expect(issuer.revokeFamily(decodeJwt(pair.accessToken).sid as string)).resolves.toBe(true)
      await expectReject(verify(bearer(pair.accessToken)), 'token_revoked')
      await expectIssuerError(issuer.refresh(pair.refreshToken), 'refresh_token_revoked')
      await expect(issuer.revokeFamily('no-such-family')).resolves.toBe(false)
    })

    it('revokeSubject(sub) revokes everything issued to sub before now, and nothing after', async () => {
      const { issuer, verify, clock } = await setup()
      const old = await issuer.issue({ sub: 'alice' })
      const bob = await issuer.issue({ sub: 'bob' })
      clock.advance(30)
      await issuer.revokeSubject('alice')
      await expectReject(verify(bearer(old.accessToken)), 'token_revoked')
      await expectIssuerError(issuer.refresh(old.refreshToken), 'refresh_token_revoked')
      await expect(verify(bearer(bob.accessToken))).resolves.toMatchObject({ claims: { sub: 'bob' } })
      const fresh = await issuer.issue({ sub: 'alice' })
      await expect(verify(bearer(fresh.accessToken))).resolves.toMatchObject({ claims: { sub: 'alice' } })
      await expect(issuer.refresh(fresh.refreshToken)).resolves.toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String), refreshToken: expect.any(String) })
    })

    it('ignores tokens of other issuers in isRevoked, even for a revoked subject', async () => {
      const { issuer, clock } = await setup()
      await issuer.revokeSubject('alice')
      const claims = { iss: 'https://other.example.com/', sub: 'alice', iat: clock.seconds - 60, exp: clock.seconds + 60 }
      await expect(issuer.isRevoked(claims)).resolves.toBe(false)
      await expect(issuer.isRevoked({ ...claims, iss: ISSUER })).resolves.toBe(true)
    })

    it('lets revocation entries expire with the tokens they cover', async () => {
      const { issuer, clock } = await setup({ accessTtl: '10m', refreshTtl: '1h' })
      const pair = await issuer.issue({ sub: 'alice' })
      const claims = decodeJwt(pair.accessToken) as { iss: string; exp: number; jti: string; sid: string; sub: string; iat: number }
      await issuer.revoke(pair.accessToken)
      // The queries carry an exp still in the future, to see the store entry itself lapse (a
      // token past its exp + CLOCK_TOLERANCE_ALLOWANCE is answered as revoked without the store).
      const live = <T extends object>(query: T) => ({ ...query, exp: clock.seconds + 3600 })
      const jtiOnly = { iss: ISSUER, jti: claims.jti }
      clock.advance(599 + 60) // exp plus CLOCK_TOLERANCE_ALLOWANCE, for verifiers' clock tolerance
      await expect(issuer.isRevoked({ ...jtiOnly, exp: claims.exp })).resolves.toBe(true)
      clock.advance(1)
      await expect(issuer.isRevoked(live(jtiOnly))).resolves.toBe(false)
      await expect(issuer.isRevoked({ ...jtiOnly, exp: claims.exp })).resolves.toBe(true)

      await issuer.revoke(pair.refreshToken) // family: lives until its refresh token would expire
      const famOnly = { iss: ISSUER, sid: claims.sid }
      clock.advance(2939)
      await expect(issuer.isRevoked(live(famOnly))).resolves.toBe(true)
      clock.advance(1)
      await expect(issuer.isRevoked(live(famOnly))).resolves.toBe(false)

      await issuer.revokeSubject('alice') // subject: as long as the longest lifetime
      const subOnly = { iss: ISSUER, sub: 'alice', iat: clock.seconds - 1 }
      clock.advance(3599)
      await expect(issuer.isRevoked(live(subOnly))).resolves.toBe(true)
      clock.advance(1)
      await expect(issuer.isRevoked(live(subOnly))).resolves.toBe(false)
    })
  })
}
