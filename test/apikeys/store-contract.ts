/**
 * The contract every `ApiKeyStore` keeps (memory and Redis run it): records round-trip
 * exactly, ids are unique, updates touch only what they name, owners select, and rate-limit
 * windows count per key and start again in the next window.
 */
import { describe, expect, it } from 'vitest'
import type { ApiKeyStore, StoredApiKey } from '../../src/apikeys/index.js'

let n = 0
const id = (): string => `id${String(++n).padStart(10, '0')}`

const record = (extra: Partial<StoredApiKey> = {}): StoredApiKey => ({
  id: id(),
  hash: 'h'.repeat(43),
  name: 'billing export',
  scopes: ['read:invoices', 'write:invoices'],
  createdAt: 1_767_225_600,
  ...extra,
})

/** Registers the contract tests for a store made fresh by `make` for each test. */
export function apiKeyStoreContract(name: string, make: () => ApiKeyStore | Promise<ApiKeyStore>): void {
  describe(`${name}: the ApiKeyStore contract`, () => {
    it('returns a record as it was inserted, optional fields absent or present', async () => {
      const store = await make()
      const bare = record()
      const full = record({ owner: 'team-billing', expiresAt: 1_767_312_000, lastUsedAt: 1_767_225_700, revokedAt: 1_767_225_800, rotatedTo: 'idnext000001', rateLimit: { points: 100, duration: 60 }, claims: { tenant: 'acme', roles: ['admin'], n: 1.5, nested: { ok: true } } })
      await store.insert(bare)
      await store.insert(full)
      const got = await store.get(bare.id)
      expect({ ...got }).toMatchObject({ ...bare })
      for (const k of ['owner', 'expiresAt', 'lastUsedAt', 'revokedAt', 'rotatedTo', 'rateLimit', 'claims'] as const) expect(got![k]).toBeUndefined()
      expect({ ...(await store.get(full.id)) }).toEqual({ ...full })
      expect(await store.get('idunknown000')).toBeUndefined()
    })

    it('refuses a second record with the same id', async () => {
      const store = await make()
      const r = record()
      await store.insert(r)
      await expect(store.insert({ ...r, name: 'other' })).rejects.toThrow()
      expect((await store.get(r.id))!.name).toBe('billing export')
    })

    it('updates only the fields named, and says false for an unknown id', async () => {
      const store = await make()
      const r = record({ owner: 'o', expiresAt: 2_000_000_000 })
      await store.insert(r)
      expect(await store.update(r.id, { lastUsedAt: 1_767_225_660 })).toBe(true)
      expect(await store.update(r.id, { revokedAt: 1_767_225_700, rotatedTo: 'idnext000002', expiresAt: 1_767_300_000 })).toBe(true)
      expect({ ...(await store.get(r.id)) }).toEqual({ ...r, lastUsedAt: 1_767_225_660, revokedAt: 1_767_225_700, rotatedTo: 'idnext000002', expiresAt: 1_767_300_000 })
      expect(await store.update('idunknown001', { revokedAt: 1 })).toBe(false)
      expect(await store.get('idunknown001')).toBeUndefined()
    })

    it('lists every record, or one owner\'s', async () => {
      const store = await make()
      const a = record({ owner: 'alice' })
      const b = record({ owner: 'bob' })
      const c = record({ owner: 'alice' })
      const d = record()
      for (const r of [a, b, c, d]) await store.insert(r)
      const ids = (list: StoredApiKey[]) => list.map((r) => r.id).sort()
      expect(ids(await store.list('alice'))).toEqual([a.id, c.id].sort())
      expect(ids(await store.list('nobody'))).toEqual([])
      expect(ids(await store.list())).toEqual(expect.arrayContaining([a.id, b.id, c.id, d.id]))
    })

    it('counts hits per key and window, and starts again in the next window', async () => {
      const store = await make()
      const [k1, k2] = [id(), id()]
      const w = 1_767_225_600_000
      expect(await store.hit(k1, w, 60_000)).toBe(1)
      expect(await store.hit(k1, w, 60_000)).toBe(2)
      expect(await store.hit(k2, w, 60_000)).toBe(1)
      expect(await Promise.all([store.hit(k1, w, 60_000), store.hit(k1, w, 60_000), store.hit(k1, w, 60_000)])).toEqual(expect.arrayContaining([3, 4, 5]))
      expect(await store.hit(k1, w + 60_000, 60_000)).toBe(1)
    })
  })
}
