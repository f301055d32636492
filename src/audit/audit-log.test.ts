/**
 * The audit trail wired to a real pino logger (JSON lines into memory): one record per
 * rejection, per throttled request and per issuer security event, with the level pino writes,
 * the exact fields, nothing secret; successes only when asked; bad loggers are ConfigErrors.
 */
import { decodeJwt } from 'jose'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { createVerifier } from '../core/create-verifier.js'
import { ConfigError } from '../errors/config-error.js'
import { createIssuer } from '../issuer/create-issuer.js'
import { encodeSegment } from '../testing/tokens.js'
import { AUDIENCE, ISSUER, bearer, claims, expectReject, fixture, now } from '../../test/helpers/setup.js'
import { auditLog, type AuditLevel, type AuditRecord } from './audit-log.js'

/** A real pino logger writing JSON lines into an array (no timestamp, pid or hostname, to compare exactly). */
function memoryPino() {
  const lines: string[] = []
  const logger = pino({ base: undefined, timestamp: false }, { write: (line: string) => void lines.push(line) })
  return { logger, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>), lines }
}

describe('auditLog', () => {
  it('writes one pino record per rejection: reason, status, unverified iss/kid/alg, route; no sub, no token', async () => {
    const f = await fixture('ES256')
    const { logger, records, lines } = memoryPino()
    const verify = createVerifier({ ...f.options, onEvent: auditLog(logger) })
    const good = bearer(await f.sign({ sub: 'alice' }))
    const [h, , s] = good.slice(7).split('.')
    const forged = bearer(`${h}.${encodeSegment(claims({ sub: 'admin' }))}.${s}`)
    await verify(good, { route: '/orders/:id' })
    await expectReject(verify(forged, { route: '/orders/:id' }), 'signature_invalid', { status: 401 })
    await expectReject(verify(bearer(await f.sign({ exp: Math.floor(now() / 1000) - 3600 }))), 'token_expired')
    const missing = await expectReject(verify('Basic abc'), 'token_missing')
    const all = records()
    expect(all.map(({ durationMs, ...r }) => (expect(durationMs).toEqual(expect.any(Number)), r))).toEqual([
      { level: 40, event: 'tokengate.rejected', reason: 'signature_invalid', status: 401, iss: ISSUER, kid: 'es256-1', alg: 'ES256', route: '/orders/:id', cached: false, msg: 'tokengate: bearer token rejected (signature_invalid)' },
      { level: 40, event: 'tokengate.rejected', reason: 'token_expired', status: 401, iss: ISSUER, kid: 'es256-1', alg: 'ES256', cached: false, msg: 'tokengate: bearer token rejected (token_expired)' },
      { level: 40, event: 'tokengate.rejected', reason: 'token_missing', status: missing.status, cached: false, msg: 'tokengate: bearer token rejected (token_missing)' },
    ])
    for (const line of lines) {
      expect(line).not.toContain(good.slice(7))
      expect(line).not.toContain(s)
      expect(line).not.toContain('admin')
    }
  })

  it('records successes with sub only when asked (verified: true)', async () => {
    const f = await fixture('ES256')
    const { logger, records } = memoryPino()
    const verify = createVerifier({ ...f.options, onEvent: auditLog(logger, { verified: true }) })
    await verify(bearer(await f.sign({ sub: 'alice' })), { route: '/me' })
    const [record] = records()
    expect(record).toEqual({ level: 30, event: 'tokengate.verified', iss: ISSUER, kid: 'es256-1', alg: 'ES256', sub: 'alice', route: '/me', cached: false, durationMs: expect.any(Number), msg: 'tokengate: bearer token verified' })
  })

  it('writes every issuer security event, reuse as an error', async () => {
    const { logger, records } = memoryPino()
    const clock = 1_767_225_600_000
    const tokens = createIssuer({ issuer: ISSUER, audience: AUDIENCE, now: () => clock, onEvent: auditLog(logger) })
    const first = await tokens.issue({ sub: 'alice' })
    await tokens.refresh(first.refreshToken)
    await tokens.refresh(first.refreshToken).catch(() => undefined)
    const other = await tokens.issue({ sub: 'bob' })
    await tokens.revoke(other.accessToken)
    await tokens.revoke(other.refreshToken)
    await tokens.revokeSubject('carol')
    const kid = await tokens.rotateKeys()
    const sid = decodeJwt(first.accessToken).sid
    expect(records()).toEqual([
      { level: 50, event: 'tokengate.refresh_reused', familyId: sid, sub: 'alice', msg: 'tokengate: refresh token reused (likely stolen); its session is revoked' },
      { level: 30, event: 'tokengate.family_revoked', familyId: sid, sub: 'alice', cause: 'reuse', msg: 'tokengate: session revoked (reuse)' },
      { level: 30, event: 'tokengate.token_revoked', jti: decodeJwt(other.accessToken).jti, sub: 'bob', msg: 'tokengate: access token revoked' },
      { level: 30, event: 'tokengate.family_revoked', familyId: decodeJwt(other.accessToken).sid, sub: 'bob', cause: 'revoke', msg: 'tokengate: session revoked (revoke)' },
      { level: 30, event: 'tokengate.subject_revoked', sub: 'carol', before: clock / 1000, msg: 'tokengate: every token of a subject revoked' },
      { level: 30, event: 'tokengate.keys_rotated', kid, msg: 'tokengate: signing key rotated' },
    ])
  })

  it('feeds a plain function with the record, its level and the message', async () => {
    const f = await fixture('HS256')
    const seen: [AuditRecord, AuditLevel, string][] = []
    const verify = createVerifier({ ...f.options, onEvent: auditLog((record, level, message) => void seen.push([record, level, message])) })
    await expectReject(verify(bearer(`${(await f.sign()).slice(0, -2)}AA`)), 'signature_invalid')
    expect(seen).toEqual([[expect.objectContaining({ event: 'tokengate.rejected', reason: 'signature_invalid', alg: 'HS256' }), 'warn', 'tokengate: bearer token rejected (signature_invalid)']])
  })

  it('never lets a throwing logger break verification', async () => {
    const f = await fixture('ES256')
    const verify = createVerifier({ ...f.options, onEvent: auditLog(() => { throw new Error('disk full') }) })
    await expectReject(verify(bearer(await f.sign({ aud: 'https://other.example' }))), 'audience_invalid')
    expect((await verify(bearer(await f.sign({ sub: 'alice' })))).claims.sub).toBe('alice')
  })

  it('refuses what is not a logger with a ConfigError', () => {
    for (const bad of [undefined, null, {}, { info() {}, warn() {} }, 'pino']) {
      expect(() => auditLog(bad as never)).toThrow(ConfigError)
    }
    expect(() => auditLog(() => {}, { verified: 'yes' } as never)).toThrow(/auditLog option verified/)
  })
})
