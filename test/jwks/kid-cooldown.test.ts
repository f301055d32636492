import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BearerError, createVerifier } from '../../src/index.js'
import { expectReject } from '../helpers/setup.js'
import { AUDIENCE, ISSUER, jwks, recorder, signer, testClock, type Signer } from './harness.js'
import { json, startKeyServer, status, type KeyServer } from './jwks-server.js'

let server: KeyServer
let k1: Signer
let k2: Signer

beforeAll(async () => {
  server = await startKeyServer()
  ;[k1, k2] = await Promise.all([signer('k1'), signer('k2')])
})
afterAll(() => server.close())

const randomKid = (): string => crypto.randomUUID()
const reasons = (results: PromiseSettledResult<unknown>[]): string[] =>
  [...new Set(results.map((r) => (r.status === 'rejected' && BearerError.is(r.reason) ? `${r.reason.status} ${r.reason.reason}` : r.status)))]

function setup(path: string, options: { cooldown?: string } = {}) {
  const clock = testClock()
  const events = recorder()
  const verify = createVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwksUri: server.url(path),
    now: clock.now,
    onEvent: events.onEvent,
    ...(options.cooldown ? { jwksCache: { cooldown: options.cooldown } } : {}),
  })
  return { clock, events, verify }
}

describe('unknown kid and the cooldown', () => {
  it('1,000 random-kid tokens within one cooldown after the first fetch: 0 extra requests, each 401 kid_not_found', async () => {
    server.route('/a.json', json(jwks(k1)))
    const { verify, events } = setup('/a.json')
    await verify.warm()
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => k1.token({}, { kid: randomKid() })))
    const results = await Promise.allSettled(tokens.map((t) => verify(t)))
    expect(reasons(results)).toEqual(['401 kid_not_found'])
    expect(server.count('/a.json')).toBe(1)
    expect(events.of('kid_miss').every((e) => !e.refetch)).toBe(true)
  })

  it('1,000 random-kid tokens once the cooldown has passed: exactly 1 extra request, concurrent or one by one', async () => {
    server.route('/b.json', json(jwks(k1)))
    const { verify, clock, events } = setup('/b.json')
    await verify.warm()
    clock.advance(31)
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => k1.token({}, { kid: randomKid() })))
    expect(reasons(await Promise.allSettled(tokens.map((t) => verify(t))))).toEqual(['401 kid_not_found'])
    expect(server.count('/b.json')).toBe(2)
    // The refetch started the next cooldown: one by one, none of them asks again.
    for (const t of tokens) await expectReject(verify(t), 'kid_not_found', { status: 401 })
    expect(server.count('/b.json')).toBe(2)
    expect(events.of('kid_miss').filter((e) => e.refetch).length).toBeGreaterThanOrEqual(1)
    expect(events.of('jwks_fetch')).toHaveLength(2)
  })

  it('picks up a rotated-in key by refetching on its unknown kid', async () => {
    server.route('/rotate.json', json(jwks(k1)))
    const { verify, clock } = setup('/rotate.json')
    await verify(await k1.token())
    server.route('/rotate.json', json(jwks(k1, k2)))
    clock.advance(31)
    const auth = await verify(await k2.token())
    expect(auth.header.kid).toBe('k2')
    expect(server.count('/rotate.json')).toBe(2)
    // The old key still verifies, from the same fetch.
    await verify(await k1.token())
    expect(server.count('/rotate.json')).toBe(2)
  })

  it('answers a rotated-in kid with 401 kid_not_found inside the cooldown, then verifies it after', async () => {
    server.route('/early.json', json(jwks(k1)))
    const { verify, clock } = setup('/early.json', { cooldown: '1m' })
    await verify.warm()
    server.route('/early.json', json(jwks(k2)))
    const token = await k2.token()
    await expectReject(verify(token), 'kid_not_found', {
      status: 401,
      wwwAuthenticate: 'Bearer realm="api", error="invalid_token", error_description="The token key (kid) is not known"',
    })
    clock.advance(59)
    await expectReject(verify(token), 'kid_not_found')
    expect(server.count('/early.json')).toBe(1)
    clock.advance(1)
    await expect(verify(token)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    expect(server.count('/early.json')).toBe(2)
  })

  it('stops trusting a removed kid once the set is refetched', async () => {
    server.route('/remove.json', json(jwks(k1, k2)))
    const { verify, clock } = setup('/remove.json')
    const oldToken = await k1.token()
    await verify(oldToken)
    server.route('/remove.json', json(jwks(k2)))
    clock.advance(601) // past the 10 min default max age
    await expectReject(verify(oldToken), 'kid_not_found', { status: 401 })
    await expect(verify(await k2.token())).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    expect(server.count('/remove.json')).toBe(2)
  })

  it('answers 503 jwks_unavailable when the refetch for an unknown kid fails (the kid may be a new key)', async () => {
    server.route('/miss-down.json', json(jwks(k1)))
    const { verify, clock, events } = setup('/miss-down.json')
    await verify.warm()
    server.route('/miss-down.json', status(500))
    clock.advance(31)
    await expectReject(verify(await k2.token()), 'jwks_unavailable', { status: 503, wwwAuthenticate: undefined })
    expect(events.types()).toEqual(['jwks_fetch', 'kid_miss', 'jwks_error', 'operator_hint']) // the set is still fresh: no jwks_stale
    // Known keys keep verifying from the fresh set, and the failed attempt starts a cooldown.
    await expect(verify(await k1.token())).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    await expectReject(verify(await k2.token()), 'kid_not_found', { status: 401 })
    expect(server.count('/miss-down.json')).toBe(2)
  })

  it('caps the kid reported in kid_miss at 128 characters', async () => {
    server.route('/long.json', json(jwks(k1)))
    const { verify, events } = setup('/long.json')
    await verify.warm()
    await expectReject(verify(await k1.token({}, { kid: 'x'.repeat(4000) })), 'kid_not_found')
    expect(events.of('kid_miss')[0]!.kid).toBe(`${'x'.repeat(128)}…`)
  })

  it('does not refetch for a token without a kid', async () => {
    server.route('/nokid.json', json(jwks(k1, k2)))
    const { verify, clock } = setup('/nokid.json')
    await verify.warm()
    clock.advance(31)
    await expectReject(verify(await k1.token({}, { kid: undefined })), 'kid_missing', { status: 401 })
    expect(server.count('/nokid.json')).toBe(1)
  })
})
