/**
 * Dynamic tenants: an `issuers` resolver consulted before any key request, its bounded cache
 * (`tenantCache`), its failures (503, never cached), and the Entra `{tenantid}` issuer
 * template tied to `tid` — against a real key server on 127.0.0.1.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createVerifier, type IssuerEntry } from '../../src/index.js'
import { expectReject } from '../helpers/setup.js'
import { AUDIENCE, jwks, NOW_S, signer, testClock, type Signer } from './harness.js'
import { json, startKeyServer, type KeyServer } from './jwks-server.js'

let server: KeyServer
let key: Signer

beforeAll(async () => {
  server = await startKeyServer()
  key = await signer('t-1')
  server.route('/keys', json(jwks(key)))
})
afterAll(() => server.close())

const issuerOf = (name: string) => `https://idp.example.com/${name}`
const token = (iss: string, extra: Record<string, unknown> = {}) => key.token({ iss, ...extra })

describe('an issuers resolver', () => {
  it('looks each issuer up once, before any key fetch, and caches known and unknown answers', async () => {
    const asked: string[] = []
    const tenants = new Set(['acme', 'globex'])
    const clock = testClock()
    const verify = createVerifier({
      audience: AUDIENCE,
      now: clock.now,
      tenantCache: { negativeTtl: '1m' },
      issuers: async (iss) => {
        asked.push(iss)
        const name = iss.slice(issuerOf('').length)
        return tenants.has(name) ? { issuer: iss, jwksUri: server.url('/keys') } : undefined
      },
    })
    const before = server.count('/keys')
    // 1,000 tokens from 100 made-up issuers: one resolver call each, not one key request.
    const made = await Promise.all(Array.from({ length: 100 }, (_, i) => token(issuerOf(`nobody-${i}`))))
    const results = await Promise.allSettled(Array.from({ length: 1000 }, (_, i) => verify(made[i % 100]!)))
    expect(new Set(results.map((r) => (r.status === 'rejected' ? r.reason.reason : 'ok')))).toEqual(new Set(['issuer_invalid']))
    expect(asked).toHaveLength(100)
    expect(server.count('/keys')).toBe(before)
    // Known tenants verify; their answers are cached too.
    for (let i = 0; i < 3; i++) {
      expect((await verify(await token(issuerOf('acme')))).claims.iss).toBe(issuerOf('acme'))
      expect((await verify(await token(issuerOf('globex')))).claims.iss).toBe(issuerOf('globex'))
    }
    expect(asked.filter((i) => !i.includes('nobody'))).toEqual([issuerOf('acme'), issuerOf('globex')])
    // A negative answer is remembered for negativeTtl, then asked again (a tenant may have signed up).
    tenants.add('nobody-0')
    await expectReject(verify(made[0]!), 'issuer_invalid')
    clock.advance(61)
    expect((await verify(made[0]!)).claims.iss).toBe(issuerOf('nobody-0'))
  })

  it('reads the clock again after a resolver that took its time: a token that expired meanwhile is 401 token_expired', async () => {
    const clock = testClock()
    const verify = createVerifier({
      audience: AUDIENCE,
      now: clock.now,
      cache: false,
      // A slow directory lookup: a minute passes before the answer (local keys: no fetch after it).
      issuers: async (iss) => (clock.advance(60), { issuer: iss, jwks: jwks(key) }),
    })
    await expectReject(verify(await token(issuerOf('slow'), { exp: NOW_S + 30 })), 'token_expired', { status: 401 })
  })

  it('shares one resolver call between concurrent requests for one issuer', async () => {
    let calls = 0
    const verify = createVerifier({
      audience: AUDIENCE,
      now: testClock().now,
      issuers: async (iss) => {
        calls++
        await new Promise((resolve) => setTimeout(resolve, 20))
        return { issuer: iss, jwksUri: server.url('/keys') }
      },
    })
    const t = await token(issuerOf('acme'))
    await Promise.all(Array.from({ length: 50 }, () => verify(t)))
    expect(calls).toBe(1)
  })

  it('holds at most tenantCache.max issuers', async () => {
    const asked: string[] = []
    const verify = createVerifier({
      audience: AUDIENCE,
      now: testClock().now,
      tenantCache: { max: 2 },
      issuers: (iss) => (asked.push(iss), undefined),
    })
    for (const name of ['a', 'b', 'c', 'a']) await expectReject(verify(await token(issuerOf(name))), 'issuer_invalid')
    // 'a' was evicted by 'c' and asked again.
    expect(asked.map((i) => i.slice(-1))).toEqual(['a', 'b', 'c', 'a'])
  })

  it('answers 503 issuer_unavailable when the resolver fails or returns an invalid entry, and asks again next time; an entry for another issuer is none', async () => {
    let mode: 'throw' | 'invalid' | 'other' | 'ok' = 'throw'
    const verify = createVerifier({
      audience: AUDIENCE,
      now: testClock().now,
      issuers: async (iss): Promise<IssuerEntry | undefined> => {
        if (mode === 'throw') throw new Error('tenants table unreachable')
        if (mode === 'invalid') return { issuer: iss } as IssuerEntry
        if (mode === 'other') return { issuer: issuerOf('someone-else'), jwksUri: server.url('/keys') }
        return { issuer: iss, jwksUri: server.url('/keys') }
      },
    })
    const t = await token(issuerOf('acme'))
    const thrown = await expectReject(verify(t), 'issuer_unavailable', { status: 503, wwwAuthenticate: undefined })
    expect((thrown.cause as Error).message).toBe('tenants table unreachable')
    mode = 'invalid'
    const invalid = await expectReject(verify(t), 'issuer_unavailable')
    expect(String(invalid.cause)).toContain('issuers.(resolved): one key source is required')
    mode = 'ok'
    expect((await verify(t)).claims.iss).toBe(issuerOf('acme'))
    mode = 'other'
    await expectReject(verify(await token(issuerOf('initech'))), 'issuer_invalid', { status: 401 })
  })

  it('stops accepting a cached token once its tenant is gone (after the tenant ttl)', async () => {
    let active = true
    const clock = testClock()
    const verify = createVerifier({
      audience: AUDIENCE,
      now: clock.now,
      tenantCache: { ttl: '10m' },
      issuers: (iss) => (active ? { issuer: iss, jwksUri: server.url('/keys') } : undefined),
    })
    const t = await token(issuerOf('acme'))
    await verify(t)
    await verify(t)
    active = false
    await verify(t)
    clock.advance(601)
    await expectReject(verify(t), 'issuer_invalid')
  })

  it('refuses tenantCache without a resolver, and a resolver that is not a function', () => {
    expect(() => createVerifier({ audience: AUDIENCE, issuers: [{ issuer: 'a', jwksUri: server.url('/keys') }], tenantCache: { max: 1 } } as never)).toThrow(
      'tokengate: invalid verifier option tenantCache: only an `issuers` resolver has a tenant cache',
    )
    expect(() => createVerifier({ audience: AUDIENCE, issuers: 'https://a' as never })).toThrow('tokengate: invalid verifier option issuers')
  })
})

describe('the {tenantid} issuer template', () => {
  const template = 'https://login.microsoftonline.com/{tenantid}/v2.0'
  const tid = randomUUID()
  const iss = `https://login.microsoftonline.com/${tid}/v2.0`

  const keys = () => server.url('/keys')
  const configurations: [string, () => Record<string, unknown>][] = [
    ['a single issuer', () => ({ issuer: template, jwksUri: keys() })],
    ['an issuers entry', () => ({ issuers: [{ issuer: template, jwksUri: keys() }] })],
    ['an issuers resolver returning the template', () => ({ issuers: () => ({ issuer: template, jwksUri: keys() }) })],
  ]
  for (const [name, options] of configurations) {
    it(`ties iss to tid (${name}): a tid of another tenant, or none, is 401 issuer_invalid`, async () => {
      const verify = createVerifier({ audience: AUDIENCE, now: testClock().now, ...options() } as never)
      expect((await verify(await token(iss, { tid }))).claims.tid).toBe(tid)
      // Microsoft: substitute tid into the template and compare exactly.
      await expectReject(verify(await token(iss, { tid: tid.toUpperCase() })), 'issuer_invalid')
      const mismatch = await expectReject(verify(await token(iss, { tid: randomUUID() })), 'issuer_invalid', {
        wwwAuthenticate: 'Bearer realm="api", error="invalid_token", error_description="The token tid does not match its issuer"',
      })
      expect(mismatch.claim).toBe('tid')
      await expectReject(verify(await token(iss)), 'issuer_invalid')
      await expectReject(verify(await token('https://login.microsoftonline.com/not-a-guid/v2.0', { tid: 'not-a-guid' })), 'issuer_invalid')
      await expectReject(verify(await token(`https://login.microsoftonline.com/${tid}/v2.0/extra`, { tid })), 'issuer_invalid')
    })
  }
})
