/**
 * The issuer cannot be tricked or weakened by what it is given: key material checked at
 * createIssuer(), claims checked as they are signed, rotations serialised, a broken clock
 * refused (issue #13).
 */
import { generateKeyPairSync } from 'node:crypto'
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { ConfigError, createVerifier } from '../../src/index.js'
import { createIssuer, memoryStore, type IssuerOptions } from '../../src/issuer/index.js'
import { keyMaterialCases, TEST_CERTIFICATE } from '../helpers/key-material.js'
import { AUDIENCE, bearer, Clock, expectReject, ISSUER, verifierFor } from './helpers.js'

const base = { issuer: ISSUER, audience: AUDIENCE }

function thrown(run: () => unknown): unknown {
  try {
    run()
  } catch (err) {
    return err
  }
  return undefined
}

async function privateJwk(alg: 'ES256' | 'RS256' | 'EdDSA'): Promise<JWK> {
  return exportJWK((await generateKeyPair(alg, { extractable: true })).privateKey)
}

describe('issuer keys are checked by createIssuer(), not by the first issue()', () => {
  it.each(keyMaterialCases().filter(([, v]) => typeof v === 'string' || v instanceof Uint8Array))('secret: %s is refused, pointing to keys', (_name, value, kind) => {
    const err = thrown(() => createIssuer({ ...base, secret: value as string }))
    expect(ConfigError.is(err)).toBe(true)
    expect(err).toMatchObject({ component: 'issuer', option: 'secret' })
    expect((err as ConfigError).detail).toMatch(kind)
    if (!/oct/.test((err as ConfigError).detail)) expect((err as ConfigError).detail).toContain('give the private key in `keys`')
  })

  it('refuses, synchronously, every key that is wrong in a way visible without importing it', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'jwk' }) as JWK
    const es = await privateJwk('ES256')
    const { privateKey: sealed } = await generateKeyPair('ES256')
    const { publicKey: publicCryptoKey } = await generateKeyPair('ES256', { extractable: true })
    const cases: [unknown, string][] = [
      [[{ privateKey: rsa.publicKey.export({ type: 'spki', format: 'pem' }) }], 'keys.0.privateKey: this PEM is a public key'],
      [[{ privateKey: rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }) }], 'keys.0.privateKey: this PEM is a public key'],
      [[{ privateKey: TEST_CERTIFICATE }], 'keys.0.privateKey: this PEM is a certificate'],
      [[{ privateKey: rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) }], 'keys.0.privateKey: this PEM is PKCS#1; convert it to PKCS#8'],
      [[{ privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'sec1', format: 'pem' }) }], 'keys.0.privateKey: this PEM is SEC1'],
      [[{ privateKey: JSON.stringify(es) }], 'keys.0.privateKey: give the JWK as an object'],
      [[{ privateKey: 'not a key at all' }], 'keys.0.privateKey: expected a PKCS#8 PEM'],
      [[{ privateKey: { kty: 'oct', k: 'c2VjcmV0' } }], 'keys.0.privateKey: an "oct" JWK is a shared secret'],
      [[{ privateKey: { kty: es.kty, crv: es.crv, x: es.x, y: es.y } }], 'keys.0.privateKey: a private JWK (with "d") is required'],
      [[{ privateKey: es, alg: 'RS256' }], 'keys.0: "alg" "RS256" does not fit a EC key'],
      [[{ privateKey: { ...es, alg: 'EdDSA' } }], 'keys.0: "alg" "EdDSA" does not fit a EC key'],
      [[{ privateKey: weak }], 'keys.0: RSA key of 1024 bits'],
      [[{ privateKey: sealed }], 'keys.0.publicJwk: required for a non-extractable CryptoKey'],
      [[{ privateKey: publicCryptoKey }], 'keys.0.privateKey: expected a private key, got a public CryptoKey'],
      [[{ privateKey: es, kid: 'a' }, { privateKey: await privateJwk('ES256'), kid: 'a' }], 'keys.1.kid: "a" is listed twice'],
    ]
    for (const [keys, message] of cases) {
      const err = thrown(() => createIssuer({ ...base, keys } as IssuerOptions))
      expect(ConfigError.is(err), message).toBe(true)
      expect((err as Error).message).toContain(`tokengate: invalid issuer option ${message}`)
    }
    expect(() => createIssuer({ ...base, keys: [{ privateKey: es, kid: 'a' }], activeKid: 'b' })).toThrow(
      'tokengate: invalid issuer option activeKid: no key has kid "b"',
    )
  })

  it('a key that fails only its import or self-test fails ready() and every method with the same ConfigError', async () => {
    const es = await privateJwk('ES256')
    const other = await privateJwk('ES256')
    const issuer = createIssuer({ ...base, keys: [{ privateKey: { ...es, x: other.x, y: other.y } }] })
    const err = await issuer.ready().then(() => undefined, (e: unknown) => e)
    expect(ConfigError.is(err)).toBe(true)
    expect((err as Error).message).toContain('tokengate: invalid issuer option keys.0')
    const claims = { iss: ISSUER, sub: 'a', exp: 2e9, jti: 'j', sid: 's' }
    for (const use of [
      () => issuer.issue({ sub: 'alice' }),
      () => issuer.refresh('A'.repeat(43)),
      () => issuer.revoke('A'.repeat(43)),
      () => issuer.revokeFamily('fam'),
      () => issuer.revokeSubject('alice'),
      () => issuer.isRevoked(claims),
      () => issuer.jwks(),
      () => issuer.rotateKeys(),
    ]) {
      await expect(use()).rejects.toBe(err)
    }
    // The verifier answers 503 (fail closed), with the ConfigError as the cause, never 200.
    const verify = createVerifier({ ...base, jwks: { keys: [{ kty: other.kty, crv: other.crv, x: other.x, y: other.y }] }, isRevoked: issuer.isRevoked })
    const token = await new SignJWT({ sub: 'a' }).setProtectedHeader({ alg: 'ES256' }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('1h').sign(await importJWK(other, 'ES256'))
    const answer = await verify(bearer(token)).then(() => undefined, (e: unknown) => e)
    expect(answer).toMatchObject({ reason: 'revocation_unavailable', status: 503, cause: err })
  })

  it('ready() resolves for good keys, and a shared secret', async () => {
    await expect(createIssuer(base).ready()).resolves.toBeUndefined()
    await expect(createIssuer({ ...base, secret: 'an HS256 secret of at least 32 bytes!' }).ready()).resolves.toBeUndefined()
  })
})

describe('issue({ claims }) is checked on what is signed', () => {
  class Session {
    constructor(readonly tenant: string) {}
    toJSON() {
      return { tenant: this.tenant, scope: 'admin', client_id: 'trusted-app' }
    }
  }
  const withGetter = Object.defineProperty({ tenant: 'acme' }, 'scp', { get: () => ['admin'], enumerable: true })
  const inherited = Object.assign(Object.create({ toJSON: () => ({ permissions: ['delete:everything'] }) }), { tenant: 'acme' })
  // What a Mongoose document looks like from outside: fields behind getters, toJSON on the prototype.
  const documentLike = new (class {
    get tenant() {
      return 'acme'
    }
    toJSON() {
      return { tenant: 'acme', roles: ['admin'], cnf: { jkt: 'attacker' } }
    }
  })()
  const nested = { tenant: 'acme', toJSON: () => ({ tenant: 'acme', nbf: 1, exp: 9e9, iss: 'https://evil.example/', aud: 'x', sub: 'root', jti: 'j' }) }
  const cases: [string, object, string][] = [
    ['a class whose toJSON adds scope and client_id', new Session('acme'), 'claims may not set scope, client_id'],
    ['an enumerable getter for scp', withGetter, 'claims may not set scp'],
    ['a toJSON inherited from the prototype', inherited, 'claims may not set permissions'],
    ['a document-like object (getters, toJSON)', documentLike, 'claims may not set roles, cnf'],
    ['registered claims from toJSON', nested, 'claims may not set nbf, exp, iss, aud, sub, jti'],
    ['authority claims given directly', { realm_access: { roles: ['admin'] }, 'cognito:groups': ['admin'], groups: ['admin'], resource_access: {} }, 'claims may not set realm_access, cognito:groups, groups, resource_access'],
    ['delegation and step-up claims', { act: { sub: 'admin' }, acr: 'mfa', amr: ['hwk'], auth_time: 1, azp: 'x' }, 'claims may not set act, acr, amr, auth_time, azp'],
    ['a __proto__ member', JSON.parse('{"__proto__": {"scope": "admin"}, "tenant": "acme"}') as object, 'claims may not set __proto__'],
  ]

  it.each(cases)('refuses %s', async (_name, claims, message) => {
    const issuer = createIssuer(base)
    const err = await issuer.issue({ sub: 'alice', claims }).then(() => undefined, (e: unknown) => e)
    expect(ConfigError.is(err)).toBe(true)
    expect((err as Error).message).toContain(`tokengate: invalid issuer option issue(): ${message}`)
  })

  it('signs exactly what the claims serialise to (toJSON, getters), when that grants nothing', async () => {
    const clock = new Clock()
    const issuer = createIssuer({ ...base, now: clock.now })
    const profile = new (class {
      get plan() {
        return 'pro'
      }
      toJSON() {
        return { plan: this.plan, tenant: 'acme' }
      }
    })()
    const pair = await issuer.issue({ sub: 'alice', claims: profile, roles: ['editor', 'editor', 'viewer'] })
    const claims = decodeJwt(pair.accessToken)
    expect(claims).toMatchObject({ plan: 'pro', tenant: 'acme', roles: ['editor', 'viewer'], sub: 'alice' })
    expect(claims).not.toHaveProperty('scope')
    const verify = verifierFor(issuer, clock)
    await expectReject(verify(bearer(pair.accessToken), { scopes: ['admin'] }), 'insufficient_scope', { status: 403 })
    // Kept across refreshes, still without authority it was not given.
    const next = decodeJwt((await issuer.refresh(pair.refreshToken)).accessToken)
    expect(next).toMatchObject({ plan: 'pro', tenant: 'acme', roles: ['editor', 'viewer'] })
    expect(next).not.toHaveProperty('scope')
  })

  it('refuses claims that cannot be serialised, or nest deeper than verifiers accept', async () => {
    const issuer = createIssuer(base)
    const cyclic: Record<string, unknown> = { tenant: 'acme' }
    cyclic.self = cyclic
    let deep: Record<string, unknown> = { leaf: true }
    for (let i = 0; i < 40; i++) deep = { deep }
    let deeper: Record<string, unknown> = {}
    for (let i = 0; i < 100_000; i++) deeper = { deeper }
    const cases: [unknown, RegExp][] = [
      [cyclic, /claims: cannot be serialised as JSON \(TypeError\)/],
      [{ n: 10n }, /claims: cannot be serialised as JSON \(TypeError\)/],
      [{ toJSON: () => 'a string' }, /claims must serialise to a JSON object/],
      [{ toJSON: () => undefined }, /claims must serialise to a JSON object/],
      [{ get boom(): never { throw new Error('getter') } }, /claims: cannot be serialised as JSON \(Error\)/],
      [deep, /claims nest deeper than 31 levels/],
      [deeper, /claims: cannot be serialised as JSON \(RangeError\)|claims nest deeper/],
    ]
    for (const [claims, message] of cases) {
      const err = await issuer.issue({ sub: 'alice', claims: claims as object }).then(() => undefined, (e: unknown) => e)
      expect(ConfigError.is(err), String(message)).toBe(true)
      expect((err as Error).message).toMatch(message)
    }
    await expect(issuer.issue({ sub: 'a', roles: ['ok', ''] })).rejects.toThrow('roles must be an array of non-empty strings')
  })

  it('a store record carrying issuer claims cannot set them either', async () => {
    const inner = memoryStore()
    const store = { ...inner, rotate: async (...args: Parameters<typeof inner.rotate>) => {
      const result = await inner.rotate(...args)
      return result.status === 'rotated' ? { ...result, record: { ...result.record, claims: JSON.stringify({ tenant: 'acme', scope: 'admin', nbf: 1, client_id: 'x', cnf: { jkt: 'y' } }) } } : result
    } }
    const issuer = createIssuer({ ...base, store })
    const pair = await issuer.refresh((await issuer.issue({ sub: 'alice' })).refreshToken)
    const claims = decodeJwt(pair.accessToken)
    expect(claims).toMatchObject({ tenant: 'acme' })
    for (const name of ['scope', 'nbf', 'client_id', 'cnf']) expect(claims).not.toHaveProperty(name)
  })
})

describe('rotateKeys() under concurrency', () => {
  it('never publishes a duplicate kid nor drops a key that signed live tokens', async () => {
    const clock = new Clock()
    const issuer = createIssuer({ ...base, now: clock.now })
    const verify = verifierFor(issuer, clock)
    const first = await issuer.issue({ sub: 'alice' })
    const signed: string[] = [first.accessToken]
    // Rotations and issues interleaved: every token signed in between must keep verifying.
    const rotations = Array.from({ length: 6 }, () => issuer.rotateKeys())
    const issues = Array.from({ length: 12 }, () => issuer.issue({ sub: 'alice' }).then((p) => void signed.push(p.accessToken)))
    const kids = await Promise.all(rotations)
    await Promise.all(issues)
    expect(new Set(kids).size).toBe(6)
    const published = (await issuer.jwks()).keys.map((k) => (k as JWK).kid)
    expect(new Set(published).size).toBe(published.length)
    expect(published).toHaveLength(7)
    expect(published[0]).toBe(kids.at(-1))
    for (const token of signed) {
      expect(published).toContain(decodeProtectedHeader(token).kid)
      await expect(verify(bearer(token))).resolves.toMatchObject({ claims: { sub: 'alice' } })
    }
  })

  it('two rotations to keys with the same kid: one wins, the other is refused', async () => {
    const issuer = createIssuer(base)
    const results = await Promise.allSettled([issuer.rotateKeys({ privateKey: await privateJwk('ES256'), kid: 'k2' }), issuer.rotateKeys({ privateKey: await privateJwk('ES256'), kid: 'k2' })])
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected'])
    const kids = (await issuer.jwks()).keys.map((k) => (k as JWK).kid)
    expect(kids.filter((k) => k === 'k2')).toHaveLength(1)
    expect(kids).toHaveLength(2)
  })

  it('a failed rotation leaves the ring as it was and does not block the next one', async () => {
    const issuer = createIssuer(base)
    const before = (await issuer.jwks()).keys
    await expect(issuer.rotateKeys({ privateKey: 'not a key' })).rejects.toThrow('tokengate: invalid issuer option rotateKeys().privateKey')
    expect((await issuer.jwks()).keys).toEqual(before)
    await expect(issuer.rotateKeys()).resolves.toEqual(expect.any(String))
  })
})

describe('a broken issuer clock fails closed', () => {
  it.each([NaN, Infinity, -Infinity, undefined, '1767225600000'])('now() returning %s: issuing, refreshing and revoking fail; isRevoked answers 503, even with failOpen', async (value) => {
    const clock = new Clock()
    let broken = false
    const now = () => (broken ? (value as number) : clock.now())
    const issuer = createIssuer({ ...base, now, failOpen: true })
    const pair = await issuer.issue({ sub: 'alice' })
    await issuer.revoke(pair.accessToken)
    const verify = createVerifier({ ...base, typ: 'at+jwt', jwks: await issuer.jwks(), isRevoked: issuer.isRevoked, now: clock.now })
    await expectReject(verify(bearer(pair.accessToken)), 'token_revoked')
    broken = true
    // With NaN every "expired yet?" comparison is false: a revoked token would pass. It must not.
    const answer = await verify(bearer(pair.accessToken)).then(() => undefined, (e: unknown) => e)
    expect(answer).toMatchObject({ reason: 'revocation_unavailable', status: 503 })
    expect((answer as Error).cause).toBeInstanceOf(ConfigError)
    expect(((answer as Error).cause as ConfigError).option).toBe('now')
    for (const use of [() => issuer.issue({ sub: 'a' }), () => issuer.refresh(pair.refreshToken), () => issuer.revokeFamily('f'), () => issuer.revokeSubject('alice'), () => issuer.revoke(pair.refreshToken)]) {
      await expect(use()).rejects.toThrow('tokengate: invalid issuer option now: the clock returned')
    }
  })
})

describe('a revocation outlives its token by CLOCK_TOLERANCE_ALLOWANCE; a verifier tolerating more never sees it lapse', () => {
  // Entries are kept until exp + 60 s. A verifier with a larger clockTolerance accepts the
  // token past that: once the entry is gone, isRevoked must not answer "not revoked".
  const revocations: [string, (issuer: ReturnType<typeof createIssuer>, pair: { accessToken: string; refreshToken: string }) => Promise<unknown>][] = [
    ['revoke(accessToken)', (issuer, pair) => issuer.revoke(pair.accessToken)],
    ['revoke(refreshToken)', (issuer, pair) => issuer.revoke(pair.refreshToken)],
    ['revokeFamily(sid)', (issuer, pair) => issuer.revokeFamily(decodeJwt(pair.accessToken).sid as string)],
    ['revokeSubject(sub)', (issuer) => issuer.revokeSubject('alice')],
  ]
  it.each(revocations)('%s: still 401 with clockTolerance 5m (the most allowed), at exp + 61 s and up to the tolerance', async (_name, revokeIt) => {
    const clock = new Clock()
    const issuer = createIssuer({ ...base, now: clock.now, accessTtl: '5m', refreshTtl: '5m' })
    const pair = await issuer.issue({ sub: 'alice' })
    clock.advance(1) // revokeSubject covers tokens issued before the current second
    await revokeIt(issuer, pair)
    const verify = createVerifier({ ...base, typ: 'at+jwt', keys: issuer.keySource(), isRevoked: issuer.isRevoked, clockTolerance: '5m', now: clock.now })
    await expectReject(verify(bearer(pair.accessToken)), 'token_revoked')
    for (const past of [61, 200, 299]) {
      clock.ms = (decodeJwt(pair.accessToken).exp! + past) * 1000
      await expectReject(verify(bearer(pair.accessToken)), 'token_revoked')
    }
  })

  it('a token nobody revoked: valid up to exp + 60 s, then answered as revoked (nothing left says it is not)', async () => {
    const clock = new Clock()
    const issuer = createIssuer({ ...base, now: clock.now, accessTtl: '5m' })
    const pair = await issuer.issue({ sub: 'alice' })
    const exp = decodeJwt(pair.accessToken).exp!
    const verify = createVerifier({ ...base, typ: 'at+jwt', keys: issuer.keySource(), isRevoked: issuer.isRevoked, clockTolerance: '5m', now: clock.now })
    clock.ms = (exp + 59) * 1000
    await expect(verify(bearer(pair.accessToken))).resolves.toMatchObject({ claims: { sub: 'alice', exp } })
    clock.ms = (exp + 60) * 1000
    await expectReject(verify(bearer(pair.accessToken)), 'token_revoked')
    // The hook on its own: a token of this issuer with no usable exp is never "not revoked".
    const { exp: _exp, ...noExp } = decodeJwt(pair.accessToken)
    await expect(issuer.isRevoked(noExp as never)).resolves.toBe(true)
    await expect(issuer.isRevoked({ ...noExp, exp: '9999999999' } as never)).resolves.toBe(true)
    // Another issuer's tokens are still never revoked here.
    await expect(issuer.isRevoked({ ...noExp, iss: 'https://other.example.com/' } as never)).resolves.toBe(false)
  })
})
