/**
 * The issuer's security events (the audit trail's source): reuse detected, family revoked,
 * one token revoked, subject revoked, keys rotated. Each is emitted once, after the store
 * accepted the change, and never carries a token.
 */
import { decodeJwt } from 'jose'
import { describe, expect, it } from 'vitest'
import { createIssuer, type IssuerEvent } from '../../src/issuer/index.js'
import { AUDIENCE, Clock, ISSUER, expectIssuerError } from './helpers.js'

function setup() {
  const clock = new Clock()
  const events: IssuerEvent[] = []
  const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE, now: clock.now, onEvent: (e) => void events.push(e) })
  return { clock, events, issuer }
}

describe('issuer security events', () => {
  it('reuse: refresh_reused, then family_revoked with cause reuse', async () => {
    const { issuer, events } = setup()
    const first = await issuer.issue({ sub: 'alice' })
    await issuer.refresh(first.refreshToken)
    expect(events).toEqual([])
    await expectIssuerError(issuer.refresh(first.refreshToken), 'refresh_token_reused', 400)
    const familyId = decodeJwt(first.accessToken).sid as string
    expect(events).toEqual([
      { type: 'refresh_reused', familyId, sub: 'alice' },
      { type: 'family_revoked', familyId, sub: 'alice', cause: 'reuse' },
    ])
  })

  it('revoke(refreshToken): family_revoked with cause revoke, once', async () => {
    const { issuer, events } = setup()
    const pair = await issuer.issue({ sub: 'bob' })
    expect(await issuer.revoke(pair.refreshToken)).toBe(true)
    expect(await issuer.revoke('A'.repeat(43))).toBe(false)
    expect(events).toEqual([{ type: 'family_revoked', familyId: decodeJwt(pair.accessToken).sid, sub: 'bob', cause: 'revoke' }])
  })

  it('revokeFamily(id): family_revoked with cause revokeFamily; nothing for an unknown family', async () => {
    const { issuer, events } = setup()
    const pair = await issuer.issue({ sub: 'carol' })
    const sid = decodeJwt(pair.accessToken).sid as string
    expect(await issuer.revokeFamily('no-such-family')).toBe(false)
    expect(events).toEqual([])
    expect(await issuer.revokeFamily(sid)).toBe(true)
    expect(events).toEqual([{ type: 'family_revoked', familyId: sid, sub: undefined, cause: 'revokeFamily' }])
  })

  it('revoke(accessToken): token_revoked with jti and sub; nothing for a token that is not ours', async () => {
    const { issuer, events } = setup()
    const pair = await issuer.issue({ sub: 'dave' })
    expect(await issuer.revoke(`${pair.accessToken}x`)).toBe(false)
    expect(events).toEqual([])
    expect(await issuer.revoke(pair.accessToken)).toBe(true)
    expect(events).toEqual([{ type: 'token_revoked', jti: decodeJwt(pair.accessToken).jti, sub: 'dave' }])
  })

  it('revokeSubject(sub): subject_revoked with the cutoff (NumericDate)', async () => {
    const { issuer, events, clock } = setup()
    await issuer.revokeSubject('erin')
    expect(events).toEqual([{ type: 'subject_revoked', sub: 'erin', before: clock.seconds }])
  })

  it('rotateKeys(): keys_rotated with the new kid', async () => {
    const { issuer, events } = setup()
    const kid = await issuer.rotateKeys()
    expect(typeof kid).toBe('string')
    expect((await issuer.jwks()).keys.map((k) => (k as { kid?: string }).kid)).toContain(kid)
    expect(events).toEqual([{ type: 'keys_rotated', kid }])
  })

  it('emits nothing when the store refuses the change (store_error only)', async () => {
    const clock = new Clock()
    const events: IssuerEvent[] = []
    const down = new Error('ECONNREFUSED')
    const store = new Proxy({} as never, { get: () => () => Promise.reject(down) })
    const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE, store, now: clock.now, onEvent: (e) => void events.push(e) })
    await expectIssuerError(issuer.revokeSubject('frank'), 'store_unavailable', 503)
    await expectIssuerError(issuer.revokeFamily('fam'), 'store_unavailable', 503)
    expect(events.map((e) => e.type)).toEqual(['store_error', 'store_error'])
  })

  it('a throwing or rejecting listener changes nothing', async () => {
    for (const onEvent of [() => { throw new Error('listener') }, () => Promise.reject(new Error('async listener'))]) {
      const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE, onEvent: onEvent as (e: IssuerEvent) => void })
      const first = await issuer.issue({ sub: 'alice' })
      await issuer.refresh(first.refreshToken)
      await expectIssuerError(issuer.refresh(first.refreshToken), 'refresh_token_reused', 400)
      await expect(issuer.rotateKeys()).resolves.toEqual(expect.any(String))
    }
  })
})
