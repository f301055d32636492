/**
 * redisReplayStore (RFC 9449 §11.1) on a real redis-server: a DPoP proof used on one
 * instance is refused on every other, atomically, and an outage fails closed (503).
 */
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { BearerError, createVerifier, type VerifierOptions } from '../../src/index.js'
import { redisReplayStore } from '../../src/redis/index.js'
import { createTestKit } from '../../src/testing/index.js'
import { expectReject } from '../helpers/setup.js'
import { freePort, startRedis } from './redis-server.js'

const server = await startRedis()
const client = server.available ? new Redis(server.url, { maxRetriesPerRequest: 1 }) : undefined
const other = server.available ? new Redis(server.url, { maxRetriesPerRequest: 1 }) : undefined
afterAll(async () => {
  await client?.quit()
  await other?.quit()
  await server.stop()
})

let n = 0
const prefix = (): string => `dpop${process.pid}-${++n}:`
const URL_ = 'https://api.example.com/orders'
const kit = await createTestKit({ alg: 'ES256' })

/** Two "instances": separate verifiers (and caches) on separate Redis connections, one key prefix. */
function instances(p: string, extra: Partial<VerifierOptions> = {}) {
  const make = (c: Redis) => createVerifier({ ...kit.verifierOptions, ...extra, dpop: { replayStore: redisReplayStore({ client: c, prefix: p }) } } as VerifierOptions)
  return [make(client!), make(other!)] as const
}

describe.skipIf(!server.available)('redisReplayStore (real redis-server on 127.0.0.1)', () => {
  it('refuses on instance B a proof instance A accepted (§11.1), and keeps the jti for the proof window', async () => {
    const p = prefix()
    const [a, b] = instances(p)
    const token = await kit.dpopBound()
    const proof = await kit.dpopProof({ url: URL_, accessToken: token, jti: 'shared-jti' })
    const request = { dpop: { proof, method: 'GET', url: URL_ } }
    expect((await a(`DPoP ${token}`, request)).scheme).toBe('DPoP')
    await expectReject(b(`DPoP ${token}`, request), 'dpop_proof_replayed', { status: 401 })
    await expectReject(a(`DPoP ${token}`, request), 'dpop_proof_replayed')
    // Kept for maxAge (300 s) + clock tolerance (5 s) after iat; the proof is fresh.
    const ttl = await client!.pttl(`${p}shared-jti`)
    expect(ttl).toBeGreaterThan(290_000)
    expect(ttl).toBeLessThanOrEqual(305_000)
  })

  it('lets exactly one of many concurrent uses through, across instances and connections', async () => {
    const [a, b] = instances(prefix())
    const token = await kit.dpopBound()
    const request = { dpop: { proof: await kit.dpopProof({ url: URL_, accessToken: token }), method: 'GET', url: URL_ } }
    const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b)(`DPoP ${token}`, request)))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    expect(new Set(results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as BearerError).reason] : [])))).toEqual(new Set(['dpop_proof_replayed']))
  })

  it('answers 503 replay_store_unavailable when Redis does not answer (fail closed, no challenge)', async () => {
    // A port nobody listens on, offline queue off: every command fails at once.
    const dead = new Redis({ port: await freePort(), host: '127.0.0.1', lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null })
    dead.on('error', () => {})
    const verify = createVerifier({ ...kit.verifierOptions, dpop: { replayStore: redisReplayStore({ client: dead, timeout: '200ms' }) } } as VerifierOptions)
    const token = await kit.dpopBound()
    const request = { dpop: { proof: await kit.dpopProof({ url: URL_, accessToken: token }), method: 'GET', url: URL_ } }
    await expectReject(verify(`DPoP ${token}`, request), 'replay_store_unavailable', { status: 503, wwwAuthenticate: undefined })
    dead.disconnect()
  })

  it('fails closed (503 replay_store_unavailable) on a Redis that may evict its keys: an evicted jti would let its proof be replayed', async () => {
    const config = async (name: string): Promise<string> => ((await client!.config('GET', name)) as string[])[1]!
    const saved = { maxmemory: await config('maxmemory'), policy: await config('maxmemory-policy') }
    try {
      await client!.config('SET', 'maxmemory', '512mb')
      await client!.config('SET', 'maxmemory-policy', 'allkeys-lru')
      const [a] = instances(prefix())
      const token = await kit.dpopBound()
      const request = { dpop: { proof: await kit.dpopProof({ url: URL_, accessToken: token }), method: 'GET', url: URL_ } }
      const err = await expectReject(a(`DPoP ${token}`, request), 'replay_store_unavailable', { status: 503, wwwAuthenticate: undefined })
      expect(String((err.cause as Error).message)).toContain('maxmemory-policy allkeys-lru')
      // Fixed: the same store accepts the proof at once.
      await client!.config('SET', 'maxmemory-policy', 'noeviction')
      expect((await a(`DPoP ${token}`, request)).scheme).toBe('DPoP')
    } finally {
      await client!.config('SET', 'maxmemory', saved.maxmemory)
      await client!.config('SET', 'maxmemory-policy', saved.policy)
    }
  })

  it('refuses bad options with a ConfigError naming them', () => {
    expect(() => redisReplayStore({ client: {} as Redis })).toThrow(/invalid redisReplayStore option client: expected an ioredis client/)
    expect(() => redisReplayStore({ client: client!, timeout: 0 })).toThrow(/invalid redisReplayStore option timeout: must be positive/)
  })
})
