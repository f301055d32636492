import { createServer, type Server, type Socket } from 'node:net'
import { decodeJwt, exportJWK, generateKeyPair } from 'jose'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { createVerifier } from '../../src/index.js'
import { createIssuer, createRevocationCheck, type IssuerEvent } from '../../src/issuer/index.js'
import { hashRefreshToken } from '../../src/issuer/opaque-token.js'
import { redisStore } from '../../src/redis/index.js'
import { AUDIENCE, bearer, Clock, expectIssuerError, expectReject, ISSUER, verifierFor } from '../issuer/helpers.js'
import { storeContract } from '../issuer/store-contract.js'
import { freePort, startRedis } from './redis-server.js'

const server = await startRedis()
const client = server.available ? new Redis(server.url, { maxRetriesPerRequest: 1 }) : undefined
afterAll(async () => {
  await client?.quit()
  await server.stop()
})

let n = 0
const prefix = (): string => `t${process.pid}-${++n}:`

describe.skipIf(!server.available)('redisStore (real redis-server on 127.0.0.1)', () => {
  storeContract('redis store', () => redisStore({ client: client!, prefix: prefix() }))

  it('keeps only the SHA-256 of refresh tokens in Redis, with TTLs of the tokens they cover', async () => {
    const p = prefix()
    const clock = new Clock()
    const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE, now: clock.now, store: redisStore({ client: client!, prefix: p }) })
    const pair = await issuer.issue({ sub: 'alice', claims: { tenant: 'acme' } })
    const next = await issuer.refresh(pair.refreshToken)
    await issuer.revoke(next.accessToken)
    const keys = (await client!.keys(`${p}*`)).sort()
    const { jti, sid } = decodeJwt(next.accessToken) as { jti: string; sid: string }
    expect(keys).toEqual(
      [`${p}fam:${sid}`, `${p}rt:${await hashRefreshToken(pair.refreshToken)}`, `${p}rt:${await hashRefreshToken(next.refreshToken)}`, `${p}rv:jti:${jti}`, `${p}spent:${sid}`].sort(),
    )
    for (const key of keys) {
      const type = await client!.type(key)
      const dump = JSON.stringify(type === 'hash' ? await client!.hgetall(key) : type === 'zset' ? await client!.zrange(key, '0', '-1') : await client!.get(key))
      expect(dump).not.toContain(pair.refreshToken)
      expect(dump).not.toContain(next.refreshToken)
    }
    // TTLs: refresh token 7 d, revoked access token until exp + 60 s (the clock is fixed, so these are exact up to Redis rounding)
    expect(await client!.ttl(`${p}rt:${await hashRefreshToken(next.refreshToken)}`)).toBeGreaterThan(7 * 86400 - 5)
    expect(await client!.ttl(`${p}rv:jti:${jti}`)).toBeGreaterThan(900 + 60 - 5)
    expect(await client!.ttl(`${p}rv:jti:${jti}`)).toBeLessThanOrEqual(900 + 60)
  })

  it('keeps every spent refresh token at least as long as its family, extending them as the family lives on', async () => {
    const p = prefix()
    const clock = new Clock()
    const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE, refreshTtl: '1h', now: clock.now, store: redisStore({ client: client!, prefix: p }) })
    let pair = await issuer.issue({ sub: 'alice' })
    const firstToken = pair.refreshToken
    const first = `${p}rt:${await hashRefreshToken(firstToken)}`
    const sid = decodeJwt(pair.accessToken).sid as string
    for (let i = 0; i < 6; i++) {
      clock.advance(50 * 60)
      pair = await issuer.refresh(pair.refreshToken)
      // The invariant: every spent key is kept past the family's expiry, in the set and in Redis.
      const famExp = Number(await client!.get(`${p}fam:${sid}`))
      const spent = await client!.zrange(`${p}spent:${sid}`, '0', '-1', 'WITHSCORES')
      expect(spent.length / 2).toBe(i + 1)
      for (let j = 0; j < spent.length; j += 2) {
        expect(Number(spent[j + 1])).toBeGreaterThan(famExp)
        expect(await client!.hget(spent[j]!, 'used')).toBe('1')
      }
      expect(await client!.ttl(first)).toBeGreaterThan(famExp - clock.seconds)
    }
    // Five hours in, the first token (its own lifetime: 1 h) is still recognised: reuse revokes the family.
    await expectIssuerError(issuer.refresh(firstToken), 'refresh_token_reused')
    await expectIssuerError(issuer.refresh(pair.refreshToken), 'refresh_token_revoked')
  })

  it('shares revocations with a verify-only service that has no signing key (createRevocationCheck)', async () => {
    const p = prefix()
    const clock = new Clock()
    const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE, now: clock.now, store: redisStore({ client: client!, prefix: p }) })
    const api = createVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: await issuer.jwks(),
      now: clock.now,
      isRevoked: createRevocationCheck({ issuer: ISSUER, store: redisStore({ client: client!, prefix: p }), now: clock.now }),
    })
    const pair = await issuer.issue({ sub: 'alice' })
    await expect(api(bearer(pair.accessToken))).resolves.toMatchObject({ claims: { sub: 'alice' } })
    await issuer.revoke(pair.refreshToken)
    await expectReject(api(bearer(pair.accessToken)), 'token_revoked', { status: 401 })
  })

  it('reloads its scripts after SCRIPT FLUSH (EVALSHA falls back to EVAL)', async () => {
    const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE, store: redisStore({ client: client!, prefix: prefix() }) })
    const pair = await issuer.issue({ sub: 'alice' })
    await client!.script('FLUSH')
    await expect(issuer.refresh(pair.refreshToken)).resolves.toMatchObject({ tokenType: 'Bearer' })
  })

  it('fails closed on a Redis that may evict its keys (a maxmemory with a policy other than noeviction), and recovers once it may not', async () => {
    // Evicting a revocation un-revokes a token; evicting a spent refresh token turns reuse
    // detection off. Neither may happen silently.
    const config = async (name: string): Promise<string> => ((await client!.config('GET', name)) as string[])[1]!
    const saved = { maxmemory: await config('maxmemory'), policy: await config('maxmemory-policy') }
    const clock = new Clock()
    const events: IssuerEvent[] = []
    // A store checks the policy at its first use (and at most once a minute after a good answer).
    const keys = [{ privateKey: await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey), kid: 'k1' }]
    const fresh = () => {
      const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE, keys, now: clock.now, store: redisStore({ client: client!, prefix: prefix() }), onEvent: (e) => events.push(e) })
      return { issuer, verify: verifierFor(issuer, clock) }
    }
    const token = bearer((await fresh().issuer.issue({ sub: 'alice' })).accessToken)
    try {
      // No maxmemory: nothing is ever evicted, whatever the policy.
      await client!.config('SET', 'maxmemory', '0')
      await client!.config('SET', 'maxmemory-policy', 'allkeys-lru')
      await expect(fresh().verify(token)).resolves.toMatchObject({ claims: { sub: 'alice' } })
      await client!.config('SET', 'maxmemory', '512mb')
      const { issuer, verify } = fresh()
      for (const policy of ['allkeys-lru', 'volatile-ttl']) {
        await client!.config('SET', 'maxmemory-policy', policy)
        events.length = 0
        const err = await expectIssuerError(issuer.issue({ sub: 'alice' }), 'store_unavailable', 503)
        expect(String((err.cause as Error).message)).toContain(`maxmemory-policy ${policy}`)
        expect(events).toEqual([{ type: 'store_error', operation: 'issue', failOpen: false, error: expect.stringContaining('set maxmemory-policy noeviction') }])
        await expectReject(verify(token), 'revocation_unavailable', { status: 503 })
      }
      // A failed check is not remembered: the same store works as soon as Redis may not evict.
      await client!.config('SET', 'maxmemory-policy', 'noeviction')
      await expect(verify(token)).resolves.toMatchObject({ claims: { sub: 'alice' } })
      await expect(issuer.issue({ sub: 'alice' })).resolves.toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String) })
    } finally {
      await client!.config('SET', 'maxmemory', saved.maxmemory)
      await client!.config('SET', 'maxmemory-policy', saved.policy)
    }
  })

  it('refuses bad options with a TypeError naming the option', () => {
    expect(() => redisStore({ client: {} as Redis })).toThrow('tokengate: invalid redisStore option client')
    expect(() => redisStore({ client: client!, timeout: 'soon' })).toThrow('tokengate: invalid redisStore option timeout')
    expect(() => redisStore({ client: client!, timeout: 0 })).toThrow('tokengate: invalid redisStore option timeout')
  })
})

describe('redisStore outages (no redis-server needed)', () => {
  /** Two issuers with one key: one mints on a working store, the other checks revocation on a broken Redis. */
  async function brokenRedis(store: ReturnType<typeof redisStore>, failOpen: boolean) {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true })
    const keys = [{ privateKey: await exportJWK(privateKey), kid: 'k1' }]
    const clock = new Clock()
    const events: IssuerEvent[] = []
    const minter = createIssuer({ issuer: ISSUER, audience: AUDIENCE, keys, now: clock.now })
    const broken = createIssuer({ issuer: ISSUER, audience: AUDIENCE, keys, now: clock.now, store, failOpen, onEvent: (e) => events.push(e) })
    return { token: bearer((await minter.issue({ sub: 'alice' })).accessToken), broken, events, verify: verifierFor(broken, clock) }
  }

  function deadClient(port: number): Redis {
    const c = new Redis({ host: '127.0.0.1', port, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null })
    c.on('error', () => {})
    return c
  }

  it('fails closed when Redis is down: 503 revocation_unavailable, no challenge, a store_error event', async () => {
    const c = deadClient(await freePort())
    const { token, verify, events, broken } = await brokenRedis(redisStore({ client: c }), false)
    const err = await expectReject(verify(token), 'revocation_unavailable', { status: 503, wwwAuthenticate: undefined })
    expect((err.cause as { reason?: string }).reason).toBe('store_unavailable')
    expect(events).toEqual([{ type: 'store_error', operation: 'isRevoked', failOpen: false, error: expect.any(String) }])
    await expectIssuerError(broken.issue({ sub: 'alice' }), 'store_unavailable', 503)
    await expectIssuerError(broken.refresh('A'.repeat(43)), 'store_unavailable', 503)
    c.disconnect()
  })

  it('fails open only when configured, with a store_error event saying so', async () => {
    const c = deadClient(await freePort())
    const { token, verify, events } = await brokenRedis(redisStore({ client: c }), true)
    await expect(verify(token)).resolves.toMatchObject({ claims: { sub: 'alice' } })
    expect(events).toEqual([{ type: 'store_error', operation: 'isRevoked', failOpen: true, error: expect.any(String) }])
    c.disconnect()
  })

  it('times out a Redis that accepts connections but never answers, instead of hanging', async () => {
    const sockets: Socket[] = []
    const silent: Server = createServer((s) => void sockets.push(s))
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
    const port = (silent.address() as { port: number }).port
    const c = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0, retryStrategy: () => null })
    c.on('error', () => {})
    const { token, verify, events } = await brokenRedis(redisStore({ client: c, timeout: '100ms' }), false)
    await expectReject(verify(token), 'revocation_unavailable', { status: 503 })
    expect(events[0]).toMatchObject({ type: 'store_error', error: 'Error: Redis did not answer within 100 ms' })
    c.disconnect()
    for (const s of sockets) s.destroy()
    await new Promise((r) => silent.close(r))
  })
})
