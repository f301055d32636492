import { describe, expect, it, vi } from 'vitest'
import { BearerError } from '../errors/bearer-error.js'
import { expectReject, NOW_S } from '../../test/helpers/setup.js'
import { createApiKeys } from './create-api-keys.js'
import { BODY_LENGTH, checksumOf, crc32, ID_LENGTH, newApiKey, parseApiKey, SECRET_LENGTH } from './format.js'
import { memoryApiKeyStore } from './memory-store.js'
import type { ApiKeyStore } from './store.js'

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

function clock(start = NOW_S * 1000) {
  let t = start
  return { now: () => t, advance: (seconds: number) => void (t += seconds * 1000) }
}

/** A memory store whose calls are counted and which can be taken down. */
function spiedStore() {
  const inner = memoryApiKeyStore()
  const down = { value: false }
  const calls: string[] = []
  const store = Object.fromEntries(
    Object.entries(inner).map(([name, f]) => [
      name,
      (...args: unknown[]) => {
        calls.push(name)
        return down.value ? Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6379')) : (f as (...a: unknown[]) => unknown)(...args)
      },
    ]),
  ) as unknown as ApiKeyStore
  return { store, down, calls }
}

function setup(extra: Record<string, unknown> = {}) {
  const c = clock()
  const s = spiedStore()
  const apiKeys = createApiKeys({ prefix: 'acme', store: s.store, now: c.now, ...extra })
  return { c, ...s, apiKeys }
}

describe('API key format', () => {
  it('is the prefix, an underscore and 40 base62 characters: a 12-character id, 131 bits of secret, a CRC32', () => {
    const { id, key } = newApiKey('acme_live')
    expect(key).toMatch(/^acme_live_[0-9A-Za-z]{40}$/)
    expect(BODY_LENGTH).toBe(40)
    expect(key.slice('acme_live_'.length, 'acme_live_'.length + ID_LENGTH)).toBe(id)
    expect(SECRET_LENGTH * Math.log2(62)).toBeGreaterThanOrEqual(128)
    expect(key.slice(-6)).toBe(checksumOf(key.slice(0, -6)))
    expect(parseApiKey('acme_live', key)).toBe(id)
  })

  it('parses the example key of docs/apikeys.md and format.ts', () => {
    expect(parseApiKey('acme', 'acme_0fTq3XbLm9Kp7Rr2hYcE1sVnW8dZaJ4uGt3RQeLA')).toBe('0fTq3XbLm9Kp')
  })

  it('uses the standard CRC-32 (IEEE, as zlib and GitHub): the check value of "123456789" is cbf43926', () => {
    expect(crc32('123456789')).toBe(0xcbf43926)
    // 0xcbf43926 = 3421126950 in base62, six characters
    expect(checksumOf('123456789')).toBe('3jZRME')
  })

  it('refuses every single-character typo and every swap of two neighbours by the checksum alone', () => {
    const { key } = newApiKey('acme')
    let refused = 0
    for (let i = 5; i < key.length; i++) {
      for (const c of [BASE62[(BASE62.indexOf(key[i]!) + 1) % 62]!, BASE62[(BASE62.indexOf(key[i]!) + 31) % 62]!]) {
        expect(parseApiKey('acme', key.slice(0, i) + c + key.slice(i + 1))).toBeUndefined()
        refused++
      }
      if (i + 1 < key.length && key[i] !== key[i + 1]) expect(parseApiKey('acme', key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2))).toBeUndefined()
    }
    expect(refused).toBe(80)
  })

  it('refuses another prefix, a truncated or extended key, and characters outside base62', () => {
    const { key } = newApiKey('acme')
    for (const bad of [key.replace('acme_', 'acmf_'), key.replace('acme_', 'acme-'), key.slice(0, -1), `${key}0`, key.replace(/.$/, '-'), `x${key}`, '']) {
      expect(parseApiKey('acme', bad)).toBeUndefined()
    }
    expect(parseApiKey('acm', key)).toBeUndefined()
  })

  it('draws distinct keys and ids', () => {
    const keys = Array.from({ length: 1000 }, () => newApiKey('acme'))
    expect(new Set(keys.map((k) => k.id)).size).toBe(1000)
    expect(new Set(keys.map((k) => k.key.slice(17, 39))).size).toBe(1000)
  })
})

describe('createApiKeys', () => {
  it('returns the key once; the store, get and list never hold or show it or its hash', async () => {
    const { apiKeys, store } = setup()
    const created = await apiKeys.create({ name: 'billing export', owner: 'team-billing', scopes: ['read:invoices'], expiresIn: '90d', claims: { tenant: 'acme' } })
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9A-Za-z]{12}$/),
      key: expect.stringMatching(/^acme_[0-9A-Za-z]{40}$/),
      name: 'billing export',
      owner: 'team-billing',
      scopes: ['read:invoices'],
      createdAt: NOW_S,
      expiresAt: NOW_S + 90 * 86400,
      lastUsedAt: undefined,
      revokedAt: undefined,
      rotatedTo: undefined,
      rateLimit: undefined,
      claims: { tenant: 'acme' },
    })
    const stored = await store.get(created.id)
    expect(JSON.stringify(stored)).not.toContain(created.key.slice(5, 39))
    expect(stored!.hash).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const { key, ...record } = created
    expect(await apiKeys.get(created.id)).toEqual(record)
    const listed = await apiKeys.list('team-billing')
    expect(listed).toEqual([record])
    for (const text of [JSON.stringify(listed), JSON.stringify(await apiKeys.get(created.id))]) {
      expect(text).not.toContain(key.slice(17))
      expect(text).not.toContain(stored!.hash)
    }
  })

  it('verifies a key: its record, and lastUsedAt at most once a minute', async () => {
    const { apiKeys, c, calls } = setup()
    const { key, id } = await apiKeys.create({ name: 'ci', scopes: ['deploy'] })
    expect(await apiKeys.verify(key)).toMatchObject({ id, name: 'ci', scopes: ['deploy'], lastUsedAt: NOW_S })
    calls.length = 0
    c.advance(30)
    expect((await apiKeys.verify(key)).lastUsedAt).toBe(NOW_S)
    expect(calls).toEqual(['get'])
    c.advance(31)
    expect((await apiKeys.verify(key)).lastUsedAt).toBe(NOW_S + 61)
    expect(calls).toEqual(['get', 'get', 'update'])
    expect((await apiKeys.get(id))!.lastUsedAt).toBe(NOW_S + 61)
  })

  it('refuses a mistyped key, another prefix and garbage without a store lookup: 401 api_key_invalid', async () => {
    const { apiKeys, calls } = setup()
    const { key } = await apiKeys.create({ name: 'ci' })
    calls.length = 0
    const typo = key.slice(0, 10) + (key[10] === 'a' ? 'b' : 'a') + key.slice(11)
    for (const bad of [typo, key.replace('acme_', 'beta_'), 'acme_short', 'x'.repeat(45), 42 as unknown as string]) {
      await expectReject(apiKeys.verify(bad), 'api_key_invalid', { status: 401, wwwAuthenticate: 'Bearer realm="api", error="invalid_token", error_description="The API key is not valid"' })
    }
    expect(calls).toEqual([])
  })

  it('refuses a well-formed key with a wrong secret or an unknown id: 401 api_key_invalid, the same answer', async () => {
    const { apiKeys, calls } = setup()
    const { key, id } = await apiKeys.create({ name: 'ci' })
    const head = `acme_${id}${'Z'.repeat(22)}`
    const wrongSecret = head + checksumOf(head)
    const other = newApiKey('acme').key
    const a = await expectReject(apiKeys.verify(wrongSecret), 'api_key_invalid')
    const b = await expectReject(apiKeys.verify(other), 'api_key_invalid')
    expect(a.toProblem()).toEqual(b.toProblem())
    expect(calls.filter((call) => call === 'get')).toHaveLength(2)
    await apiKeys.verify(key)
  })

  it('refuses an expired key (401 api_key_expired) and a revoked one (401 api_key_revoked)', async () => {
    const { apiKeys, c } = setup()
    const short = await apiKeys.create({ name: 'temp', expiresIn: '1h' })
    const other = await apiKeys.create({ name: 'other' })
    await apiKeys.verify(short.key)
    c.advance(3600)
    await expectReject(apiKeys.verify(short.key), 'api_key_expired', { status: 401 })
    expect(await apiKeys.revoke(other.id)).toBe(true)
    await expectReject(apiKeys.verify(other.key), 'api_key_revoked', { status: 401 })
    const revokedAt = (await apiKeys.get(other.id))!.revokedAt
    c.advance(10)
    expect(await apiKeys.revoke(other.id)).toBe(true)
    expect((await apiKeys.get(other.id))!.revokedAt).toBe(revokedAt)
    expect(await apiKeys.revoke('unknown00001')).toBe(false)
  })

  it.each([NaN, Infinity, undefined, '1767225600000'])('fails closed on a clock returning %s: verify answers 503 verifier_misconfigured, even for a revoked or expired key', async (value) => {
    let broken = false
    const c = clock()
    const apiKeys = createApiKeys({ prefix: 'acme', now: () => (broken ? (value as number) : c.now()) })
    const live = await apiKeys.create({ name: 'live' })
    const short = await apiKeys.create({ name: 'short', expiresIn: '1h' })
    const revoked = await apiKeys.create({ name: 'revoked' })
    await apiKeys.revoke(revoked.id)
    c.advance(7200)
    broken = true
    for (const { key } of [live, short, revoked]) {
      const err = await expectReject(apiKeys.verify(key), 'verifier_misconfigured', { status: 503, wwwAuthenticate: undefined })
      expect(err.cause).toMatchObject({ name: 'ConfigError', option: 'now' })
    }
    await expect(apiKeys.create({ name: 'x' })).rejects.toMatchObject({ reason: 'verifier_misconfigured' })
    broken = false
    await expectReject(apiKeys.verify(short.key), 'api_key_expired')
    await expect(apiKeys.verify(live.key)).resolves.toMatchObject({ id: live.id })
  })

  it('rotates: a new key with the same grants; the old one stops at once, or after the overlap', async () => {
    const { apiKeys, c } = setup()
    const a = await apiKeys.create({ name: 'ci', owner: 'team', scopes: ['deploy'], expiresIn: '30d', claims: { env: 'prod' }, rateLimit: { points: 5, duration: '1s' } })
    c.advance(86400)
    const b = await apiKeys.rotate(a.id)
    expect(b).toMatchObject({ name: 'ci', owner: 'team', scopes: ['deploy'], claims: { env: 'prod' }, rateLimit: { points: 5, duration: 1 }, createdAt: NOW_S + 86400, expiresAt: NOW_S + 86400 + 30 * 86400 })
    expect(b.id).not.toBe(a.id)
    await expectReject(apiKeys.verify(a.key), 'api_key_revoked')
    expect((await apiKeys.get(a.id))!.rotatedTo).toBe(b.id)
    await apiKeys.verify(b.key)

    const d = await apiKeys.rotate(b.id, { overlap: '1h', expiresIn: '7d' })
    expect(d.expiresAt).toBe(NOW_S + 86400 + 7 * 86400)
    await apiKeys.verify(b.key)
    c.advance(3599)
    await apiKeys.verify(b.key)
    c.advance(1)
    await expectReject(apiKeys.verify(b.key), 'api_key_expired')
    await apiKeys.verify(d.key)
    await expect(apiKeys.rotate('bad')).rejects.toThrow(/rotate\(\)\.id: expected a key id/)
    await expect(apiKeys.rotate(a.id)).rejects.toThrow(/rotate\(\)\.id: this key is revoked/)
  })

  it('rate-limits each key: points per window, then 429 api_key_rate_limited with Retry-After until the next', async () => {
    const { apiKeys, c } = setup({ rateLimit: { points: 3, duration: '1m' } })
    const a = await apiKeys.create({ name: 'a' })
    const b = await apiKeys.create({ name: 'b', rateLimit: { points: 1, duration: 10 } })
    c.advance(15) // 15 s into a minute window (NOW_S is on a minute boundary)
    for (let i = 0; i < 3; i++) await apiKeys.verify(a.key)
    const err = await expectReject(apiKeys.verify(a.key), 'api_key_rate_limited', { status: 429, wwwAuthenticate: undefined })
    expect(err.retryAfter).toBe(45)
    expect(err.headers).toEqual({ 'Retry-After': '45' })
    expect(err.toProblem()).toEqual({ type: 'about:blank', title: 'Too Many Requests', status: 429, detail: 'Too many requests with this API key', reason: 'api_key_rate_limited' })
    // Its own limit for b, and a's window is a's only.
    await apiKeys.verify(b.key)
    await expectReject(apiKeys.verify(b.key), 'api_key_rate_limited')
    c.advance(45)
    await apiKeys.verify(a.key)
  })

  it('answers a store outage with 503 api_key_store_unavailable, never 401 or 200', async () => {
    const { apiKeys, down } = setup({ rateLimit: { points: 10, duration: 60 } })
    const { key } = await apiKeys.create({ name: 'ci' })
    down.value = true
    const err = await expectReject(apiKeys.verify(key), 'api_key_store_unavailable', { status: 503, wwwAuthenticate: undefined })
    expect(BearerError.is(err)).toBe(true)
    expect(String((err.cause as Error).message)).toBe('ECONNREFUSED 127.0.0.1:6379')
  })

  it('still answers when only the lastUsedAt write fails', async () => {
    const inner = memoryApiKeyStore()
    const store: ApiKeyStore = { ...inner, update: vi.fn(() => Promise.reject(new Error('read-only replica'))) }
    const apiKeys = createApiKeys({ prefix: 'acme', store })
    const created = await apiKeys.create({ name: 'ci' })
    expect((await apiKeys.verify(created.key)).id).toBe(created.id)
  })

  it('rejects mistakes with a ConfigError naming the option', async () => {
    expect(() => createApiKeys({ prefix: 'Acme' })).toThrow(/apiKeys option prefix: expected 2 to 32 lower-case/)
    expect(() => createApiKeys({ prefix: 'acme_' })).toThrow(/apiKeys option prefix/)
    expect(() => createApiKeys({ prefix: 'eyJ' })).toThrow(/apiKeys option prefix/)
    expect(() => createApiKeys({ prefix: 'acme', rateLimit: { points: 0, duration: 1 } })).toThrow(/apiKeys option rateLimit\.points/)
    expect(() => createApiKeys({ prefix: 'acme', store: {} as never })).toThrow(/apiKeys option store: expected an ApiKeyStore/)
    const apiKeys = createApiKeys({ prefix: 'acme' })
    await expect(apiKeys.create({ name: '' })).rejects.toThrow(/create\(\)\.name/)
    await expect(apiKeys.create({ name: 'x', scopes: ['a b'] })).rejects.toThrow(/create\(\)\.scopes\.0: expected a scope token/)
    await expect(apiKeys.create({ name: 'x', claims: { sub: 'admin' } })).rejects.toThrow(/create\(\)\.claims: must not set sub/)
    await expect(apiKeys.create({ name: 'x', claims: { when: new Date() } })).rejects.toThrow(/create\(\)\.claims: expected JSON values only/)
    await expect(apiKeys.create({ name: 'x', expiresIn: 0 })).rejects.toThrow(/create\(\)\.expiresIn/)
    await expect(apiKeys.get('short')).rejects.toThrow(/get\(\)\.id: expected a key id/)
  })
})
