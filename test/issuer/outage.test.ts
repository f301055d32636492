import { describe, expect, it } from 'vitest'
import { createIssuer, IssuerError, memoryStore, type IssuerEvent, type IssuerStore } from '../../src/issuer/index.js'
import { AUDIENCE, bearer, Clock, expectIssuerError, expectReject, ISSUER, verifierFor } from './helpers.js'

/** A store whose every call fails while `down` is true, as a store in an outage does. */
function flakyStore(): { store: IssuerStore; down: { value: boolean } } {
  const inner = memoryStore()
  const down = { value: false }
  const store = Object.fromEntries(
    Object.entries(inner).map(([name, fn]) => [name, (...args: unknown[]) => (down.value ? Promise.reject(new Error('connection refused')) : (fn as (...a: unknown[]) => unknown)(...args))]),
  ) as unknown as IssuerStore
  return { store, down }
}

async function setup(failOpen?: boolean) {
  const clock = new Clock()
  const events: IssuerEvent[] = []
  const { store, down } = flakyStore()
  const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE, store, now: clock.now, onEvent: (e) => events.push(e), ...(failOpen === undefined ? {} : { failOpen }) })
  const pair = await issuer.issue({ sub: 'alice' })
  down.value = true
  return { issuer, pair, events, verify: verifierFor(issuer, clock) }
}

describe('store outage', () => {
  it('fails closed by default: the verifier answers 503 revocation_unavailable, with a store_error event', async () => {
    const { pair, verify, events } = await setup()
    const err = await expectReject(verify(bearer(pair.accessToken)), 'revocation_unavailable', { status: 503, wwwAuthenticate: undefined })
    expect(IssuerError.is(err.cause) && err.cause.reason).toBe('store_unavailable')
    expect(events).toEqual([{ type: 'store_error', operation: 'isRevoked', failOpen: false, error: 'Error: connection refused' }])
  })

  it('fails open only when configured, and says so in the event', async () => {
    const { pair, verify, events } = await setup(true)
    await expect(verify(bearer(pair.accessToken))).resolves.toMatchObject({ claims: { sub: 'alice' } })
    expect(events).toEqual([{ type: 'store_error', operation: 'isRevoked', failOpen: true, error: 'Error: connection refused' }])
  })

  it('never fails open when issuing, refreshing or revoking: 503 store_unavailable', async () => {
    const { issuer, pair, events } = await setup(true)
    await expectIssuerError(issuer.issue({ sub: 'alice' }), 'store_unavailable', 503)
    await expectIssuerError(issuer.refresh(pair.refreshToken), 'store_unavailable', 503)
    await expectIssuerError(issuer.revoke(pair.refreshToken), 'store_unavailable', 503)
    await expectIssuerError(issuer.revoke(pair.accessToken), 'store_unavailable', 503)
    await expectIssuerError(issuer.revokeFamily('f'), 'store_unavailable', 503)
    await expectIssuerError(issuer.revokeSubject('alice'), 'store_unavailable', 503)
    expect(events.map((e) => e.type === 'store_error' && `${e.operation}:${e.failOpen}`)).toEqual([
      'issue:false', 'refresh:false', 'revoke:false', 'revoke:false', 'revokeFamily:false', 'revokeSubject:false',
    ])
  })

  it('survives a throwing onEvent listener', async () => {
    const clock = new Clock()
    const { store, down } = flakyStore()
    const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE, store, now: clock.now, failOpen: true, onEvent: () => { throw new Error('listener') } })
    const pair = await issuer.issue({ sub: 'alice' })
    down.value = true
    await expect(verifierFor(issuer, clock)(bearer(pair.accessToken))).resolves.toMatchObject({ claims: { sub: 'alice' } })
  })
})

describe('IssuerError', () => {
  it('answers as an RFC 6749 §5.2 error: status, no-store, { error, error_description }', async () => {
    const err = new IssuerError('refresh_token_reused')
    expect(err).toMatchObject({ name: 'IssuerError', reason: 'refresh_token_reused', status: 400, statusCode: 400, error: 'invalid_grant', headers: { 'Cache-Control': 'no-store' } })
    const res = err.toResponse()
    expect(res.status).toBe(400)
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(await res.json()).toEqual({ error: 'invalid_grant', error_description: 'The refresh token was already used; the session has been revoked' })
    const outage = new IssuerError('store_unavailable')
    expect(outage.toJSON()).toEqual({ error: 'temporarily_unavailable', error_description: 'The token store is temporarily unavailable' })
    expect(outage.toResponse().status).toBe(503)
  })

  it('is recognised across package copies by brand, not instanceof', () => {
    expect(IssuerError.is(new IssuerError('refresh_token_invalid'))).toBe(true)
    expect(IssuerError.is(new Error('refresh_token_invalid'))).toBe(false)
    expect(IssuerError.is({ reason: 'refresh_token_invalid' })).toBe(false)
    expect(String(new IssuerError('refresh_token_expired'))).toBe('IssuerError [refresh_token_expired]: The refresh token has expired')
  })
})
