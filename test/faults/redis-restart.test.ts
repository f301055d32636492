/**
 * Redis stops and restarts mid-load, with persistence on (AOF, `appendfsync always`): what the
 * user sees during the outage (docs/hardening.md, "Redis faults") and that no revocation or
 * refresh family recorded before the stop is lost. A background load of issue / refresh /
 * revoke / verify runs across the stop and the restart; the recorded state is built and
 * checked by a second issuer, so its outcomes and events are exact.
 */
import { Redis } from 'ioredis'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createIssuer, IssuerError, type Issuer, type IssuerEvent, type TokenPair } from '../../src/issuer/index.js'
import { redisStore } from '../../src/redis/index.js'
import { AUDIENCE, bearer, Clock, expectIssuerError, expectReject, ISSUER, verifierFor } from '../issuer/helpers.js'
import { redisMissing, startPersistentRedis } from './persistent-redis.js'
import { startLoad } from './load.js'

const missing = redisMissing()

async function waitFor(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up after ${ms} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** What the recorded issuer did before the stop. */
interface Recorded {
  /** Access tokens revoked one by one (jti). */
  revokedAccess: TokenPair[]
  /** Refreshed once: the spent refresh token and the pair it was exchanged for. */
  rotated: { old: string; next: TokenPair }[]
  /** Refreshed once, then the spent token presented again: the family is revoked. */
  reused: { old: string; next: TokenPair }[]
  /** Revoked through their refresh token (the whole family). */
  revokedFamily: TokenPair[]
  /** Its subject was revoked. */
  subject: TokenPair
  live: TokenPair[]
}

async function record(issuer: Issuer, clock: Clock): Promise<Recorded> {
  const pairs = await Promise.all(Array.from({ length: 30 }, (_, i) => issuer.issue({ sub: `user-${i}` })))
  const revokedAccess = pairs.slice(0, 6)
  for (const p of revokedAccess) expect(await issuer.revoke(p.accessToken)).toBe(true)
  const rotated = await Promise.all(pairs.slice(6, 12).map(async (p) => ({ old: p.refreshToken, next: await issuer.refresh(p.refreshToken) })))
  const reused = await Promise.all(
    pairs.slice(12, 18).map(async (p) => {
      const next = await issuer.refresh(p.refreshToken)
      await expectIssuerError(issuer.refresh(p.refreshToken), 'refresh_token_reused', 400)
      return { old: p.refreshToken, next }
    }),
  )
  const revokedFamily = pairs.slice(18, 24)
  for (const p of revokedFamily) expect(await issuer.revoke(p.refreshToken)).toBe(true)
  clock.advance(1) // revokeSubject covers tokens issued before the current second
  await issuer.revokeSubject('user-24')
  return { revokedAccess, rotated, reused, revokedFamily, subject: pairs[24]!, live: pairs.slice(25) }
}

/** The verifier's view of every recorded token: the same before the stop and after the restart. */
async function expectVerifications(verify: ReturnType<typeof verifierFor>, r: Recorded): Promise<void> {
  const revoked = [...r.revokedAccess, ...r.reused.map((x) => x.next), ...r.revokedFamily, r.subject]
  for (const p of revoked) await expectReject(verify(bearer(p.accessToken)), 'token_revoked', { status: 401 })
  for (const p of [...r.rotated.map((x) => x.next), ...r.live]) await expect(verify(bearer(p.accessToken))).resolves.toMatchObject({ claims: { sub: expect.stringMatching(/^user-\d+$/) } })
}

describe.skipIf(missing !== undefined)('Redis stops and restarts mid-load (persistence on)', () => {
  it.each([
    ['kill -9', 'kill'],
    ['SHUTDOWN', 'shutdown'],
  ] as const)('%s: fails closed with 503 during the outage, loses no revocation or family, recovers', async (_name, stop) => {
    const redis = await startPersistentRedis()
    // As redisStore recommends: fail fast while Redis is away, reconnect by itself.
    const client = new Redis({ host: '127.0.0.1', port: redis.port, enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: (n) => Math.min(n * 20, 200) })
    client.on('error', () => {})
    onTestFinished(async () => {
      client.disconnect()
      await redis.stop()
    })
    await waitFor(() => client.status === 'ready', 'the client to connect')
    const store = redisStore({ client, prefix: 'tg:', timeout: '250ms' })

    const load = startLoad(createIssuer({ issuer: ISSUER, audience: AUDIENCE, store }), 3)
    onTestFinished(async () => void (await load.stop())) // also when an assertion fails midway
    const clock = new Clock()
    const events: IssuerEvent[] = []
    const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE, store, now: clock.now, onEvent: (e) => events.push(e) })
    const verify = verifierFor(issuer, clock)

    const recorded = await record(issuer, clock)
    await expectVerifications(verify, recorded)
    await waitFor(() => load.tally.ok >= 100, 'the load to get going')
    expect(events.map((e) => e.type).filter((t) => t === 'refresh_reused')).toEqual(Array(6).fill('refresh_reused'))
    events.length = 0

    // The stop, mid-load.
    await redis[stop]()
    await waitFor(() => client.status !== 'ready', 'the client to see the connection close')
    const live = recorded.live[0]!
    const err = await expectReject(verify(bearer(live.accessToken)), 'revocation_unavailable', { status: 503, wwwAuthenticate: undefined })
    expect(IssuerError.is(err.cause) && err.cause.reason).toBe('store_unavailable')
    // A revoked token is not let through either: fail closed, never 200.
    await expectReject(verify(bearer(recorded.revokedAccess[0]!.accessToken)), 'revocation_unavailable', { status: 503 })
    await expectIssuerError(issuer.issue({ sub: 'someone' }), 'store_unavailable', 503)
    await expectIssuerError(issuer.refresh(live.refreshToken), 'store_unavailable', 503)
    await expectIssuerError(issuer.revoke(live.accessToken), 'store_unavailable', 503)
    await expectIssuerError(issuer.revoke(live.refreshToken), 'store_unavailable', 503)
    expect(events.map((e) => e.type === 'store_error' && `${e.operation} failOpen=${e.failOpen}`)).toEqual([
      'isRevoked failOpen=false', 'isRevoked failOpen=false', 'issue failOpen=false', 'refresh failOpen=false', 'revoke failOpen=false', 'revoke failOpen=false',
    ])
    await waitFor(() => load.tally.unavailable >= 50, 'the load to meet the outage')

    // The restart, on the same port and directory: the client reconnects by itself.
    await redis.restart()
    await waitFor(() => client.status === 'ready', 'the client to reconnect')
    const okBefore = load.tally.ok
    await waitFor(() => load.tally.ok >= okBefore + 100, 'the load to recover')
    const tally = await load.stop()
    expect(tally.wrong).toEqual([])
    events.length = 0

    // Nothing recorded before the stop is lost, and the verifier has recovered.
    await expectVerifications(verify, recorded)
    for (const { next } of recorded.rotated.slice(0, 3)) await expect(issuer.refresh(next.refreshToken)).resolves.toMatchObject({ tokenType: 'Bearer' })
    for (const { old, next } of recorded.rotated.slice(3)) {
      // A token rotated away before the stop still counts as reuse, and still revokes its family.
      await expectIssuerError(issuer.refresh(old), 'refresh_token_reused', 400)
      await expectReject(verify(bearer(next.accessToken)), 'token_revoked', { status: 401 })
    }
    for (const { old, next } of recorded.reused) {
      await expectIssuerError(issuer.refresh(old), 'refresh_token_reused', 400)
      await expectIssuerError(issuer.refresh(next.refreshToken), 'refresh_token_revoked', 400)
    }
    for (const p of [...recorded.revokedFamily, recorded.subject]) await expectIssuerError(issuer.refresh(p.refreshToken), 'refresh_token_revoked', 400)
    for (const p of [...recorded.live, ...recorded.revokedAccess]) await expect(issuer.refresh(p.refreshToken)).resolves.toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String), refreshToken: expect.any(String) })
    const fresh = await issuer.issue({ sub: 'after-restart' })
    await expect(verify(bearer(fresh.accessToken))).resolves.toMatchObject({ claims: { sub: 'after-restart' } })
    expect(events.map((e) => e.type).filter((t) => t === 'refresh_reused')).toEqual(Array(9).fill('refresh_reused'))

    // Bounded: every key the store wrote expires.
    const keys = await client.keys('tg:*')
    const ttls = await Promise.all(keys.map((k) => client.ttl(k)))
    expect(keys.length).toBeGreaterThan(0)
    expect(keys.filter((_, i) => !(ttls[i]! > 0))).toEqual([])
  })
})
