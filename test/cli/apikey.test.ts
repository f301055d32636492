/**
 * `tokengate apikey`, spawned as users run it, against a real redis-server: the keys it creates
 * verify in an API reading the same store, its revocations and rotations reach that API, and it
 * never prints a key twice, a hash, or the Redis password.
 */
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { createApiKeys } from '../../src/apikeys/index.js'
import { createVerifier } from '../../src/index.js'
import { redisApiKeyStore } from '../../src/redis/index.js'
import { expectReject } from '../helpers/setup.js'
import { freePort, startRedis } from '../redis/redis-server.js'
import { tokengate, tokengateInProcess, tokengateJson } from './run-cli.js'

const server = await startRedis()
const client = server.available ? new Redis(server.url, { maxRetriesPerRequest: 1 }) : undefined
afterAll(async () => {
  await client?.quit()
  await server.stop()
})

let n = 0
/** A Redis prefix of its own per test, and the API that reads it. */
function store() {
  const redisPrefix = `cli${process.pid}-${++n}:`
  const api = createApiKeys({ prefix: 'acme', store: redisApiKeyStore({ client: client!, prefix: redisPrefix }) })
  const flags = ['--redis', server.available ? server.url : '', '--redis-prefix', redisPrefix]
  return { api, flags, redisPrefix }
}

describe.skipIf(!server.available)('tokengate apikey (real redis-server)', () => {
  it('create prints the key once; it verifies in the API; list shows the record and never the key', async () => {
    const { api, flags } = store()
    const created = await tokengateJson(['apikey', 'create', ...flags, '--prefix', 'acme', '--name', 'billing export', '--owner', 'team-billing', '--scope', 'read:invoices', '--scope', 'write:invoices', '--expires-in', '90d', '--rate-limit', '100/1m', '--claims', '{"tenant":"acme"}'])
    expect(created.code).toBe(0)
    expect(created.json).toMatchObject({ key: expect.stringMatching(/^acme_[0-9A-Za-z]{40}$/), name: 'billing export', owner: 'team-billing', scopes: ['read:invoices', 'write:invoices'], rateLimit: { points: 100, duration: 60 }, claims: { tenant: 'acme' } })
    const { key, id } = created.json as { key: string; id: string }
    const auth = await createVerifier({ apiKeys: api })(`Bearer ${key}`, { scopes: ['write:invoices'] })
    expect(auth).toMatchObject({ kind: 'api_key', claims: { sub: 'team-billing', tenant: 'acme', jti: id } })

    const listed = await tokengateJson(['apikey', 'list', ...flags, '--owner', 'team-billing'])
    expect(listed.code).toBe(0)
    expect(listed.json).toEqual([expect.objectContaining({ id, name: 'billing export', lastUsedAt: expect.any(Number) })])
    const human = await tokengate(['apikey', 'list', ...flags])
    expect(human.code).toBe(0)
    expect(human.stdout).toContain(id)
    expect(human.stdout).toMatch(/status {5}active/)
    for (const out of [listed.stdout, human.stdout, human.stderr]) {
      expect(out).not.toContain(key.slice(5 + 12, -6))
      expect(out).not.toMatch(/"hash"/)
    }
  })

  it('create without --json prints the record, then the key alone on the last line', async () => {
    const { api, flags } = store()
    const r = await tokengate(['apikey', 'create', ...flags, '--prefix', 'acme', '--name', 'ci'])
    expect(r.code).toBe(0)
    const key = r.stdout.trim().split('\n').at(-1)!
    expect(key).toMatch(/^acme_[0-9A-Za-z]{40}$/)
    expect(r.stdout).toContain('shown this once')
    expect((await api.verify(key)).name).toBe('ci')
  })

  it('revoke reaches the API at once; an unknown id exits 1', async () => {
    const { api, flags } = store()
    const { key, id } = await api.create({ name: 'ci' })
    const r = await tokengate(['apikey', 'revoke', id, ...flags])
    expect([r.code, r.stdout.trim()]).toEqual([0, `revoked ${id}`])
    await expectReject(api.verify(key), 'api_key_revoked')
    const unknown = await tokengateJson(['apikey', 'revoke', '000000000000', ...flags])
    expect([unknown.code, unknown.json]).toEqual([1, { id: '000000000000', revoked: false }])
  })

  it('rotate prints the new key; the old one stops after the overlap', async () => {
    const { api, flags } = store()
    const old = await api.create({ name: 'ci', scopes: ['deploy'] })
    const r = await tokengateJson(['apikey', 'rotate', old.id, ...flags, '--prefix', 'acme'])
    expect(r.code).toBe(0)
    expect(r.json).toMatchObject({ name: 'ci', scopes: ['deploy'] })
    expect((await api.verify(r.json.key as string)).id).toBe(r.json.id)
    await expectReject(api.verify(old.key), 'api_key_revoked')
  })

  it('refuses bad input as a usage error (exit 2), naming the flag', async () => {
    const { flags } = store()
    for (const [args, message] of [
      [['apikey', 'create', ...flags, '--prefix', 'acme'], /--name is required/],
      [['apikey', 'create', ...flags, '--name', 'x'], /--prefix is required/],
      [['apikey', 'create', ...flags, '--prefix', 'ACME', '--name', 'x'], /prefix: expected 2 to 32 lower-case/],
      [['apikey', 'create', ...flags, '--prefix', 'acme', '--name', 'x', '--scope', 'a"b'], /scopes\.0: expected a scope token/],
      [['apikey', 'create', ...flags, '--prefix', 'acme', '--name', 'x', '--rate-limit', 'lots'], /--rate-limit: expected <points>\/<duration>/],
      [['apikey', 'revoke', ...flags], /needs the key id/],
      [['apikey', 'frobnicate', ...flags], /expected a subcommand: create, list, revoke, rotate/],
    ] as const) {
      const r = await tokengateInProcess(args)
      expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(message)])
    }
  })
})

describe('tokengate apikey without a store', () => {
  it('needs --redis (exit 2)', async () => {
    // The Redis tests' own TOKENGATE_REDIS_URL (test/redis/redis-server.ts) would stand in for --redis.
    vi.stubEnv('TOKENGATE_REDIS_URL', '')
    const r = await tokengateInProcess(['apikey', 'list'])
    vi.unstubAllEnvs()
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining('--redis <url> (or TOKENGATE_REDIS_URL) is required')])
  })

  it('exits 3 when Redis cannot be reached, without echoing the password in the URL', async () => {
    const port = await freePort()
    const r = await tokengate(['apikey', 'list', '--redis', `redis://admin:hunter2-s3cret@127.0.0.1:${port}`])
    expect(r.code).toBe(3)
    expect(r.stderr).toContain(`cannot reach Redis at 127.0.0.1:${port}`)
    expect(r.stdout + r.stderr).not.toContain('hunter2')
  })
})
