/**
 * `redisApiKeyStore` on a real redis-server: the store contract, and several instances (each
 * its own client and `createApiKeys`) sharing keys, revocations and rate-limit windows. Outages
 * need no redis-server: a closed port and a server that never answers.
 */
import { createServer, type Server, type Socket } from 'node:net'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { createApiKeys } from '../../src/apikeys/index.js'
import { createVerifier } from '../../src/index.js'
import { redisApiKeyStore } from '../../src/redis/index.js'
import { apiKeyStoreContract } from '../apikeys/store-contract.js'
import { bearer, expectReject } from '../helpers/setup.js'
import { freePort, startRedis } from './redis-server.js'

const server = await startRedis()
const clients = server.available ? [new Redis(server.url, { maxRetriesPerRequest: 1 }), new Redis(server.url, { maxRetriesPerRequest: 1 })] : []
afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit()))
  await server.stop()
})

let n = 0
const prefix = (): string => `ak${process.pid}-${++n}:`

/** Two API instances on one Redis: each its own client, store and `createApiKeys`. */
function instances(options: { rateLimit?: { points: number; duration: string } } = {}) {
  const p = prefix()
  const [a, b] = clients.map((client) => createApiKeys({ prefix: 'acme', store: redisApiKeyStore({ client, prefix: p }), ...options }))
  return { a: a!, b: b!, p }
}

describe.skipIf(!server.available)('redisApiKeyStore (real redis-server on 127.0.0.1)', () => {
  apiKeyStoreContract('redisApiKeyStore', () => redisApiKeyStore({ client: clients[0]!, prefix: prefix() }))

  it('a key created on one instance verifies on another, and a revocation there is seen here at once', async () => {
    const { a, b } = instances()
    const created = await a.create({ name: 'billing export', owner: 'team-billing', scopes: ['read:invoices'], claims: { tenant: 'acme' } })
    expect(await b.verify(created.key)).toMatchObject({ id: created.id, owner: 'team-billing', scopes: ['read:invoices'], claims: { tenant: 'acme' } })
    expect((await a.get(created.id))!.lastUsedAt).toBeGreaterThan(0)
    expect(await b.revoke(created.id)).toBe(true)
    await expectReject(a.verify(created.key), 'api_key_revoked')
    expect((await a.list('team-billing')).map((k) => k.id)).toEqual([created.id])
  })

  it('rotates on one instance; the new key verifies on the other and the old one stops', async () => {
    const { a, b } = instances()
    const old = await a.create({ name: 'ci' })
    const next = await b.rotate(old.id)
    await a.verify(next.key)
    await expectReject(a.verify(old.key), 'api_key_revoked')
  })

  it('shares each key\'s rate-limit window between instances', async () => {
    const { a, b } = instances({ rateLimit: { points: 3, duration: '1h' } })
    const { key } = await a.create({ name: 'ci' })
    await a.verify(key)
    await b.verify(key)
    await a.verify(key)
    const err = await expectReject(b.verify(key), 'api_key_rate_limited', { status: 429 })
    expect(err.retryAfter).toBeGreaterThan(0)
    expect(err.retryAfter).toBeLessThanOrEqual(3600)
  })

  it('keeps only the SHA-256 of keys in Redis', async () => {
    const { a, p } = instances({ rateLimit: { points: 3, duration: '1h' } })
    const created = await a.create({ name: 'ci', owner: 'o' })
    await a.verify(created.key)
    const secret = created.key.slice('acme_'.length + 12, -6)
    for (const key of await clients[0]!.keys(`${p}*`)) {
      const type = await clients[0]!.type(key)
      const dump = JSON.stringify(type === 'hash' ? await clients[0]!.hgetall(key) : type === 'set' ? await clients[0]!.smembers(key) : await clients[0]!.get(key))
      expect(dump).not.toContain(secret)
      expect(key).not.toContain(secret)
    }
  })

  it('serves a verifier: X-API-Key and Bearer, kind api_key', async () => {
    const { a, b } = instances()
    const { key, id } = await a.create({ name: 'ci', scopes: ['deploy'] })
    const verify = createVerifier({ apiKeys: b })
    expect(await verify(undefined, { apiKey: key, scopes: ['deploy'] })).toMatchObject({ kind: 'api_key', apiKey: { id } })
    expect((await verify(bearer(key))).claims.jti).toBe(id)
  })
})

describe('redisApiKeyStore outages (no redis-server needed)', () => {
  it('answers 503 api_key_store_unavailable when Redis is down, never 401 or 200', async () => {
    const c = new Redis({ host: '127.0.0.1', port: await freePort(), lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null })
    c.on('error', () => {})
    const apiKeys = createApiKeys({ prefix: 'acme', store: redisApiKeyStore({ client: c }) })
    const key = 'acme_' + '0'.repeat(34)
    const { checksumOf } = await import('../../src/apikeys/format.js')
    await expectReject(createVerifier({ apiKeys })(bearer(key + checksumOf(key))), 'api_key_store_unavailable', { status: 503, wwwAuthenticate: undefined })
    c.disconnect()
  })

  it('times out a Redis that accepts connections but never answers', async () => {
    const sockets: Socket[] = []
    const silent: Server = createServer((s) => void sockets.push(s))
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
    const c = new Redis({ host: '127.0.0.1', port: (silent.address() as { port: number }).port, maxRetriesPerRequest: 0, retryStrategy: () => null })
    c.on('error', () => {})
    const apiKeys = createApiKeys({ prefix: 'acme', store: redisApiKeyStore({ client: c, timeout: '100ms' }) })
    const head = 'acme_' + 'A'.repeat(34)
    const { checksumOf } = await import('../../src/apikeys/format.js')
    const err = await expectReject(apiKeys.verify(head + checksumOf(head)), 'api_key_store_unavailable', { status: 503 })
    expect(String(err.cause)).toBe('Error: Redis did not answer within 100 ms')
    c.disconnect()
    for (const s of sockets) s.destroy()
    await new Promise((r) => silent.close(r))
  })

  it('refuses options that cannot work with a ConfigError', () => {
    expect(() => redisApiKeyStore({ client: {} as never })).toThrow(/redisApiKeyStore option client: expected an ioredis client/)
    expect(() => redisApiKeyStore({ client: clients[0] ?? ({ evalsha() {}, hgetall() {} } as never), timeout: 'soon' })).toThrow(/redisApiKeyStore option timeout/)
  })
})
