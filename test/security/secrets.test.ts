/**
 * No token, secret or private key ever reaches an error message, a `WWW-Authenticate`, a
 * problem body, a cause chain, an event payload, the console or the CLI's output. Many
 * failure paths are driven with known secret material; every text they expose is scanned
 * (whole values and 16-character windows: test/security/secret-scan.ts).
 */
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeJwt, exportJWK, exportPKCS8, generateKeyPair, type JWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { createVerifier, type CommonVerifierOptions } from '../../src/index.js'
import { REASONS } from '../../src/errors/reasons.js'
import { createIssuer, createRevocationCheck, memoryStore, type IssuerEvent, type IssuerStore } from '../../src/issuer/index.js'
import { secretKey } from '../../src/keys/secret.js'
import { run } from '../../src/cli/run.js'
import { encodeSegment, signToken, signTokenRaw, unsignedToken } from '../../src/testing/tokens.js'
import { flipSignatureBit } from '../../src/testing/hostile-tokens.js'
import type { TestSigningKey } from '../../src/testing/keys.js'
import { AUDIENCE, ISSUER, NOW_S, now } from '../helpers/setup.js'
import { runGuard, type Guard } from '../../src/guards/guard.js'
import { requireClaimGuard } from '../../src/guards/claims.js'
import { requirePermissionsGuard, requireRolesGuard } from '../../src/guards/roles.js'
import { drop, json, startKeyServer, status, type Behaviour, type KeyServer } from '../jwks/jwks-server.js'
import { createApiKeys, memoryApiKeyStore, type ApiKeyStore } from '../../src/apikeys/index.js'
import { hashApiKey } from '../../src/apikeys/hash.js'
import { SecretScanner } from './secret-scan.js'
import { authenticate, resolveAdapter } from '../../src/adapters/runtime.js'
import { memoryThrottleStore } from '../../src/index.js'
import { auditRecord } from '../../src/audit/audit-log.js'
import { testPki } from '../helpers/certificates.js'
import { generateDpopKey, signDpopProof } from '../../src/testing/dpop.js'
import { requireAuthLevelGuard } from '../../src/guards/auth-level.js'
import type { VerifyRequestOptions } from '../../src/lib/result.js'

const utf8 = new TextEncoder()
const scan = new SecretScanner()
/** Every BearerError reason the tests below drove. */
const driven = new Set<string>()
const CONSOLE = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const

interface Keys {
  secretText: string
  secretBytes: Uint8Array
  hsText: TestSigningKey
  hsBytes: TestSigningKey
  rsa: { key: TestSigningKey; privateJwk: JWK; pem: string }
  ec: { key: TestSigningKey; privateJwk: JWK; pem: string }
  ed: { key: TestSigningKey; privateJwk: JWK }
}
let keys: Keys
let server: KeyServer

async function asymmetric(alg: 'RS256' | 'ES256' | 'EdDSA', kid: string) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg }
  const pem = await exportPKCS8(privateKey)
  scan.privateJwk(kid, privateJwk)
  scan.pem(`${kid} PEM`, pem)
  const key: TestSigningKey = { alg, kid, signingKey: privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg }, secret: undefined }
  return { key, privateJwk, pem }
}

beforeAll(async () => {
  const secretText = Buffer.from(crypto.getRandomValues(new Uint8Array(33))).toString('base64url')
  const secretBytes = crypto.getRandomValues(new Uint8Array(32))
  scan.bytes('HMAC secret (text)', utf8.encode(secretText), secretText)
  scan.bytes('HMAC secret (bytes)', secretBytes)
  const hs = (secret: Uint8Array): TestSigningKey => ({ alg: 'HS256', kid: undefined, signingKey: secret, publicJwk: undefined, secret })
  const [rsa, ec, ed] = await Promise.all([asymmetric('RS256', 'rsa'), asymmetric('ES256', 'ec'), asymmetric('EdDSA', 'ed')])
  keys = { secretText, secretBytes, hsText: hs(utf8.encode(secretText)), hsBytes: hs(secretBytes), rsa, ec, ed }
  server = await startKeyServer()
  for (const m of CONSOLE) vi.spyOn(console, m).mockImplementation((...args: unknown[]) => scan.see(`console.${m}`, args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')))
})
afterAll(async () => {
  vi.restoreAllMocks()
  await server.close()
})

function expectNoLeak(atLeast: number): void {
  const before = scan.scanned
  expect(scan.hits()).toEqual([])
  expect(scan.scanned - before).toBeGreaterThanOrEqual(atLeast)
}

const claims = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  iss: ISSUER, aud: AUDIENCE, sub: 'user-1', iat: NOW_S - 60, exp: NOW_S + 600, jti: 'j-1', tenant: 'acme', scope: 'read', ...extra,
})

/** Signs and registers the token as secret material. */
async function sign(key: TestSigningKey, extra: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
  const token = await signToken(key, claims(extra), header)
  scan.token(`token (${key.alg})`, token)
  return token
}

/** Runs `authorization` through `verify`; it must fail with `reason`; everything it exposes is scanned. */
async function failWith(verify: ReturnType<typeof createVerifier>, reason: string, authorization: string | undefined, scopes?: string[]): Promise<void> {
  const err = await verify(authorization, scopes ? { scopes } : undefined).then(() => undefined, (e: unknown) => e)
  expect(err, `expected ${reason}`).toMatchObject({ reason })
  driven.add(reason)
  await scan.error(`${reason} (${authorization?.slice(0, 24)}…)`, err)
}

/** An event, and the audit record `auditLog` would write for it (successes included). */
function scanEvent(where: string, event: unknown): void {
  scan.event(where, event)
  const audit = auditRecord(event as Parameters<typeof auditRecord>[0], { verified: true })
  if (audit !== undefined) scan.event(`${where}, audit record`, audit)
}

function common(events: unknown[]): CommonVerifierOptions {
  return { now, requiredClaims: ['jti'], claims: z.object({ tenant: z.string() }), isRevoked: (c) => c.jti === 'revoked', onEvent: (e) => void events.push(e) }
}

describe('secrets never leak', () => {
  it('the scanner finds a whole or partial secret (so the tests below can fail)', () => {
    scan.see('probe 1', `oops: ${keys.secretText.slice(20, 28)}!`)
    scan.see('probe 2', `Unexpected token 'A', ..."AQAB","d":${keys.rsa.privateJwk.d!.slice(0, 10)}"... is not valid JSON`)
    scan.see('probe 3', `a clean message, with base64 that is not secret: ${Buffer.from('tokengate').toString('base64url')}`)
    expect(scan.hits().map((h) => h.split(':')[0])).toEqual(['HMAC secret (text) in probe 1', 'rsa.d in probe 2'])
  })

  it.each(['text', 'bytes'] as const)('through every verifier failure with an HMAC secret (%s)', async (kind) => {
    const key = kind === 'text' ? keys.hsText : keys.hsBytes
    const events: unknown[] = []
    const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, secret: kind === 'text' ? keys.secretText : keys.secretBytes, ...common(events) })
    const good = await sign(key)
    const [h, p, s] = good.split('.') as [string, string, string]
    const other = await sign({ ...key, signingKey: crypto.getRandomValues(new Uint8Array(32)) })
    const cases: [string, string | undefined, string[]?][] = [
      ['token_missing', undefined],
      ['token_missing', `Basic ${s}`],
      ['header_malformed', `Bearer ${good} ${good}`],
      ['token_too_large', `Bearer ${good}${s.repeat(200)}`],
      ['token_malformed', `Bearer ${h}.${p}`],
      ['token_malformed', `Bearer ${h}.${p}+.${s}`],
      ['token_malformed', `Bearer ${h}.${encodeSegment('{"sub": tenant}')}.${s}`],
      ['token_encrypted', `Bearer ${h}.${p}.${s}.${p}.${s}`],
      ['alg_not_allowed', `Bearer ${unsignedToken({ alg: 'none' }, claims(), s)}`],
      ['alg_not_allowed', `Bearer ${await signTokenRaw(key, { alg: 'RS256' }, claims())}`],
      ['crit_unsupported', `Bearer ${await signTokenRaw(key, { alg: 'HS256', crit: ['x'], x: 1 }, claims())}`],
      ['typ_invalid', `Bearer ${await sign(key, {}, { typ: 'dpop+jwt' })}`],
      ['signature_invalid', `Bearer ${h}.${encodeSegment(claims({ sub: 'admin' }))}.${s}`],
      ['signature_invalid', `Bearer ${other}`],
      ['token_expired', `Bearer ${await sign(key, { exp: NOW_S - 600 })}`],
      ['token_not_yet_valid', `Bearer ${await sign(key, { nbf: NOW_S + 600 })}`],
      ['token_issued_in_future', `Bearer ${await sign(key, { iat: NOW_S + 600 })}`],
      ['claim_missing', `Bearer ${await sign(key, { exp: undefined })}`],
      ['claim_missing', `Bearer ${await sign(key, { jti: undefined })}`],
      ['claim_invalid', `Bearer ${await sign(key, { exp: 'tomorrow' })}`],
      ['issuer_invalid', `Bearer ${await sign(key, { iss: 'https://evil.example/' })}`],
      ['audience_invalid', `Bearer ${await sign(key, { aud: 'other' })}`],
      ['claims_schema_failed', `Bearer ${await sign(key, { tenant: 42 })}`],
      ['insufficient_scope', `Bearer ${good}`, ['admin']],
      ['token_revoked', `Bearer ${await sign(key, { jti: 'revoked' })}`],
    ]
    for (const [reason, authorization, scopes] of cases) await failWith(verify, reason, authorization, scopes)
    const outage = createVerifier({ issuer: ISSUER, audience: AUDIENCE, secret: key.secret!, now, isRevoked: () => Promise.reject(new Error('revocation store down')) })
    await failWith(outage, 'revocation_unavailable', `Bearer ${good}`)
    // Plug-in faults: a hook that never settles, one that answers a non-boolean, a broken clock.
    const hung = createVerifier({ issuer: ISSUER, audience: AUDIENCE, secret: key.secret!, now, isRevoked: () => new Promise<boolean>(() => {}), revocationTimeout: '20ms' })
    await failWith(hung, 'revocation_unavailable', `Bearer ${good}`)
    const sloppy = createVerifier({ issuer: ISSUER, audience: AUDIENCE, secret: key.secret!, now, isRevoked: (() => good) as never })
    await failWith(sloppy, 'revocation_unavailable', `Bearer ${good}`)
    const clockless = createVerifier({ issuer: ISSUER, audience: AUDIENCE, secret: key.secret!, now: () => NaN })
    await failWith(clockless, 'verifier_misconfigured', `Bearer ${good}`)
    // Every failure above reported one rejected event (reason, iss, kid, alg, sub, ...): scanned too.
    expect(events.filter((e) => (e as { type: string }).type === 'rejected').map((e) => (e as { reason: string }).reason)).toEqual(cases.map(([reason]) => reason))
    for (const e of events) scanEvent('verifier event', e)
    expectNoLeak(cases.length * 5)
  })

  it('through key-set failures, even when private JWKs are given as the key set by mistake', async () => {
    const events: unknown[] = []
    const second = await asymmetric('RS256', 'rsa-2')
    const jwks = { keys: [keys.rsa.privateJwk, keys.ec.privateJwk, keys.ed.privateJwk, { ...second.privateJwk, kid: undefined }] }
    const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks, ...common(events) })
    await expect(verify(`Bearer ${await sign(keys.ec.key)}`)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    const good = await sign(keys.rsa.key)
    const [h, , s] = good.split('.')
    await failWith(verify, 'kid_not_found', `Bearer ${await sign(keys.rsa.key, {}, { kid: 'nope' })}`)
    await failWith(verify, 'kid_missing', `Bearer ${await sign(keys.rsa.key, {}, { kid: undefined })}`)
    await failWith(verify, 'alg_not_allowed', `Bearer ${await sign(keys.rsa.key, {}, { kid: 'ec' })}`)
    await failWith(verify, 'alg_not_allowed', `Bearer ${await sign(keys.hsText)}`)
    await failWith(verify, 'signature_invalid', `Bearer ${h}.${encodeSegment(claims({ sub: 'admin' }))}.${s}`)
    await failWith(verify, 'signature_invalid', `Bearer ${flipSignatureBit(await sign(keys.ed.key, {}, { kid: 'ed' }))}`)
    for (const e of events) scanEvent('verifier event', e)
    expectNoLeak(20)
  })

  it('through remote key-set events and outages, even from an endpoint that publishes private keys', async () => {
    const events: unknown[] = []
    server.route('/leaky.json', json({ keys: [keys.rsa.privateJwk, { ...keys.ec.privateJwk, use: 'enc' }, { kty: 'oct', kid: 'hs', k: Buffer.from(keys.secretBytes).toString('base64url') }, { ...keys.ed.privateJwk, alg: 'RS256' }] }))
    const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: server.url('/leaky.json'), ...common(events) })
    await expect(verify(`Bearer ${await sign(keys.rsa.key)}`)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    await failWith(verify, 'kid_not_found', `Bearer ${await sign(keys.ec.key)}`)
    for (const [path, behaviour] of [['/500.json', status(500)], ['/drop.json', drop]] as const) {
      server.route(path, behaviour)
      const down = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: server.url(path), ...common(events) })
      await failWith(down, 'jwks_unavailable', `Bearer ${await sign(keys.rsa.key)}`)
      await failWith(down, 'jwks_unavailable', `Bearer ${await sign(keys.rsa.key)}`)
    }
    expect(events.map((e) => (e as { type: string }).type).filter((t) => t !== 'verified' && t !== 'rejected' && t !== 'operator_hint')).toEqual(['key_skipped', 'key_skipped', 'key_skipped', 'jwks_fetch', 'kid_miss', 'jwks_error', 'jwks_cooldown', 'jwks_error', 'jwks_cooldown'])
    // One outcome event per verification above (1 verified, 5 rejected), scanned with the rest.
    expect(events.map((e) => (e as { type: string }).type).filter((t) => t === 'verified' || t === 'rejected')).toEqual(['verified', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected'])
    for (const e of events) scanEvent('verifier event', e)
    expectNoLeak(20)
  })

  it('through the throttle: its 429 and its events carry no token, even when failures are signed with the secret', async () => {
    const events: unknown[] = []
    const verifier = createVerifier({ issuer: ISSUER, audience: AUDIENCE, secret: keys.secretText, ...common(events) })
    const a = resolveAdapter('test', { verifier, throttle: { store: memoryThrottleStore(), maxFailures: 2 } }, { clientAddress: (r: { ip: string }) => r.ip, route: () => '/orders/:id' })
    const good = await sign(keys.hsText)
    const bad = await sign(keys.hsText, { aud: 'other' })
    for (let i = 0; i < 2; i++) await expect(authenticate(a, `Bearer ${bad}`, undefined, undefined, { ip: '203.0.113.7' })).rejects.toMatchObject({ reason: 'audience_invalid' })
    const err = await authenticate(a, `Bearer ${good}`, undefined, undefined, { ip: '203.0.113.7' }).then(() => undefined, (e: unknown) => e)
    expect(err).toMatchObject({ reason: 'too_many_failures', status: 429 })
    driven.add('too_many_failures')
    await scan.error('too_many_failures', err)
    // Operator hints ride along (and are scanned below like every event).
    expect(events.map((e) => (e as { type: string }).type).filter((t) => t !== 'operator_hint')).toEqual(['rejected', 'rejected', 'throttled'])
    for (const e of events) scanEvent('verifier event', e)
    expectNoLeak(4)
  })

  it('through guard, token-age and tenant failures, and private keys given as publicKey', async () => {
    const events: unknown[] = []
    const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [keys.ec.key.publicJwk!] }, maxTokenAge: '5m', ...common(events) })
    await failWith(verify, 'token_too_old', `Bearer ${await sign(keys.ec.key, { iat: NOW_S - 3600 })}`)
    const auth = await verify(`Bearer ${await sign(keys.ec.key)}`)
    const guards: [string, Guard][] = [
      ['role_missing', requireRolesGuard(['admin'])],
      ['permission_missing', requirePermissionsGuard(['delete:orders'])],
      ['claim_mismatch', requireClaimGuard('tenant', 'globex', { description: 'Only globex staff' })],
    ]
    for (const [reason, guard] of guards) {
      const err = await (async () => runGuard(guard, auth, 'api'))().then(() => undefined, (e: unknown) => e)
      expect(err, `expected ${reason}`).toMatchObject({ reason })
      driven.add(reason)
      await scan.error(reason, err)
    }
    const resolverDown = createVerifier({ audience: AUDIENCE, now, issuers: () => Promise.reject(new Error('tenants table down')) })
    await failWith(resolverDown, 'issuer_unavailable', `Bearer ${await sign(keys.ec.key)}`)
    for (const [i, pem] of [keys.rsa.pem, keys.ec.pem].entries()) {
      const err = (() => { try { createVerifier({ issuer: ISSUER, audience: AUDIENCE, publicKey: pem }) } catch (e) { return e } })()
      expect(String(err)).toContain('publicKey: a private key')
      await scan.error(`private key as publicKey ${i}`, err)
    }
    for (const e of events) scanEvent('verifier event', e)
    expectNoLeak(6)
  })

  it('through configuration mistakes, which name the option and never echo its value', async () => {
    const mistakes: (() => unknown)[] = [
      () => createVerifier({ issuer: ISSUER, audience: AUDIENCE, secret: keys.secretText.slice(0, 20) }),
      () => createVerifier({ issuer: ISSUER, audience: AUDIENCE, secret: keys.secretText, algorithms: ['RS256'] }),
      () => createVerifier({ issuer: ISSUER, audience: AUDIENCE, secret: keys.secretText, jwks: { keys: [keys.rsa.privateJwk] } } as never),
      () => createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [keys.rsa.privateJwk] }, algorithms: ['HS256'] }),
      () => createVerifier({ issuer: ISSUER, audience: AUDIENCE, secret: [keys.secretText] } as never),
      () => createIssuer({ issuer: ISSUER, audience: AUDIENCE, secret: keys.secretText.slice(0, 20) }),
      () => createIssuer({ issuer: ISSUER, audience: AUDIENCE, secret: keys.secretText, keys: [{ privateKey: keys.ec.pem }] } as never),
      // Key material given as the shared secret: refused, and never quoted.
      () => createVerifier({ issuer: ISSUER, audience: AUDIENCE, secret: JSON.stringify(keys.rsa.privateJwk) }),
      () => createVerifier({ issuer: ISSUER, audience: AUDIENCE, secret: keys.ec.pem }),
      () => createVerifier({ issuer: ISSUER, audience: AUDIENCE, secret: utf8.encode(keys.rsa.pem) }),
      () => createVerifier({ issuer: ISSUER, audience: AUDIENCE, secret: keys.rsa.privateJwk as never }),
      () => createVerifier({ issuer: ISSUER, audience: AUDIENCE, secret: keys.ec.pem.split('\n').filter((l) => !l.startsWith('-----')).join('') }),
      () => createVerifier({ audience: AUDIENCE, issuers: [{ issuer: ISSUER, secret: JSON.stringify({ keys: [keys.ed.privateJwk] }) }] }),
      () => secretKey(keys.rsa.pem),
      () => createIssuer({ issuer: ISSUER, audience: AUDIENCE, secret: keys.rsa.pem }),
      () => createIssuer({ issuer: ISSUER, audience: AUDIENCE, secret: JSON.stringify(keys.ec.privateJwk) }),
      // A secret put in an option that quotes what it got.
      () => createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: keys.secretText.slice(0, 40) }),
      () => createVerifier({ issuer: ISSUER, audience: AUDIENCE, secret: keys.secretText, clockTolerance: keys.secretText.slice(0, 24) as never }),
      () => createVerifier({ issuer: ISSUER, audience: AUDIENCE, secret: keys.secretText, revocationTimeout: keys.secretText.slice(4, 30) as never }),
      () => createVerifier({ issuer: ISSUER, audience: AUDIENCE, secret: keys.secretText, maxTokenSize: 10 ** 9 }),
    ]
    for (const [i, mistake] of mistakes.entries()) {
      expect(mistake, `mistake ${i}`).toThrow(TypeError)
      await scan.error(`configuration mistake ${i}`, (() => { try { mistake() } catch (e) { return e } })())
    }
    const badKeys = [
      { privateKey: keys.ec.pem.replace(/\n[A-Za-z0-9+/]{20}/, '\n') },
      { privateKey: { ...keys.ec.privateJwk, d: keys.rsa.privateJwk.d } },
      { privateKey: { ...keys.ec.privateJwk, d: keys.ec.privateJwk.d!.slice(0, 30) } },
      { privateKey: keys.ec.privateJwk, alg: 'RS256' as const },
      { privateKey: { ...keys.ec.privateJwk, x: keys.ed.privateJwk.x } },
      { privateKey: keys.rsa.pem, alg: 'ES256' as const },
    ]
    for (const [i, key] of badKeys.entries()) {
      // Some fail createIssuer() itself, the others its first use: scanned either way.
      const err = await (async () => createIssuer({ issuer: ISSUER, audience: AUDIENCE, keys: [key] }).issue({ sub: 'alice' }))().then(() => undefined, (e: unknown) => e)
      expect(err, `bad key ${i}`).toBeInstanceOf(TypeError)
      await scan.error(`bad issuer key ${i}`, err)
    }
    expectNoLeak(50)
  })

  it('through every issuer configuration, key and input error', async () => {
    // Fresh keys for the other PEM shapes: their public parts are published nowhere here.
    const rsaKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
    const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
    const pkcs1 = rsaKey.export({ type: 'pkcs1', format: 'pem' }) as string
    const sec1 = ecKey.export({ type: 'sec1', format: 'pem' }) as string
    const encrypted = ecKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string
    scan.pem('rsa PKCS#1 PEM', pkcs1)
    scan.pem('ec SEC1 PEM', sec1)
    scan.pem('ec encrypted PEM', encrypted)
    const { publicKey: publicCryptoKey } = await generateKeyPair('ES256', { extractable: true })
    const other = await exportJWK((await generateKeyPair('ES256', { extractable: true })).publicKey)
    const badKeys: unknown[] = [
      [{ privateKey: pkcs1 }],
      [{ privateKey: sec1 }],
      [{ privateKey: encrypted }],
      [{ privateKey: JSON.stringify(keys.rsa.privateJwk) }],
      [{ privateKey: keys.secretText }],
      [{ privateKey: { kty: 'oct', k: Buffer.from(keys.secretBytes).toString('base64url') } }],
      [{ privateKey: keys.ec.privateJwk, alg: 'RS256' }],
      [{ privateKey: { ...keys.rsa.privateJwk, n: keys.rsa.privateJwk.n!.slice(0, 100) } }],
      [{ privateKey: keys.rsa.privateJwk, kid: 'a' }, { privateKey: keys.ec.privateJwk, kid: 'a' }],
      [{ privateKey: publicCryptoKey }],
    ]
    for (const [i, keyList] of badKeys.entries()) {
      await scan.error(`issuer keys ${i}`, (() => { try { createIssuer({ issuer: ISSUER, audience: AUDIENCE, keys: keyList } as never) } catch (e) { return e } })())
    }
    // The self-test failure: ready() and every method.
    const mismatched = createIssuer({ issuer: ISSUER, audience: AUDIENCE, keys: [{ privateKey: { ...keys.ec.privateJwk, x: other.x, y: other.y } }] })
    for (const use of [() => mismatched.ready(), () => mismatched.issue({ sub: 'a' }), () => mismatched.isRevoked({ iss: ISSUER, exp: 1 })]) {
      await scan.error('issuer self-test', await use().then(() => expect.fail('succeeded'), (e: unknown) => e))
    }
    // issue() inputs carrying secret values in the wrong place: refused by name, never quoted.
    const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE, keys: [{ privateKey: keys.ec.privateJwk }] })
    const cyclic: Record<string, unknown> = { token: keys.secretText }
    cyclic.self = cyclic
    for (const input of [
      { sub: 'a', claims: { scope: keys.secretText, client_id: keys.secretText } },
      { sub: 'a', claims: { toJSON: () => ({ cnf: { jkt: keys.secretText } }) } },
      { sub: 'a', claims: cyclic },
      { sub: 'a', claims: { big: 10n, secret: keys.secretText } },
      { sub: 'a', scopes: [`${keys.secretText} x`] },
      { sub: 'a', roles: [keys.secretText, ''] },
      { sub: '', clientId: keys.secretText },
    ]) {
      await scan.error('issue() input', await issuer.issue(input as never).then(() => expect.fail('accepted'), (e: unknown) => e))
    }
    for (const key of [{ privateKey: pkcs1 }, { privateKey: { ...keys.ec.privateJwk, x: keys.ed.privateJwk.x } }, { privateKey: keys.rsa.privateJwk, alg: 'ES256' as const }]) {
      await scan.error('rotateKeys()', await issuer.rotateKeys(key).then(() => expect.fail('rotated'), (e: unknown) => e))
    }
    for (const call of [() => issuer.revokeFamily(''), () => issuer.revokeSubject('')]) await scan.error('revoke input', await call().then(() => expect.fail('ok'), (e: unknown) => e))
    // A broken clock, a full store, a bad revocation check.
    const clockless = createIssuer({ issuer: ISSUER, audience: AUDIENCE, secret: keys.secretText, now: () => NaN })
    await scan.error('issuer clock', await clockless.issue({ sub: 'a' }).then(() => expect.fail('issued'), (e: unknown) => e))
    const full = createIssuer({ issuer: ISSUER, audience: AUDIENCE, secret: keys.secretText, now, store: memoryStore({ maxRevocations: 1 }) })
    const pairs = [await full.issue({ sub: 'a' }), await full.issue({ sub: 'b' })]
    for (const p of pairs) scan.token('issued access token', p.accessToken)
    await full.revoke(pairs[0]!.accessToken)
    await scan.error('store full', await full.revoke(pairs[1]!.accessToken).then(() => expect.fail('revoked'), (e: unknown) => e))
    await scan.error('revocation check', (() => { try { createRevocationCheck({ issuer: keys.secretText.slice(0, 30), store: {} as never }) } catch (e) { return e } })())
    expectNoLeak(30)
  })

  it('through issuer failures and events: refresh tokens, access tokens and signing keys stay out', async () => {
    const events: IssuerEvent[] = []
    let clock = NOW_S * 1000
    const down = { value: false }
    const inner = memoryStore()
    const store = Object.fromEntries(Object.entries(inner).map(([k, fn]) => [k, (...a: unknown[]) => (down.value ? Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6379')) : (fn as (...x: unknown[]) => unknown)(...a))])) as unknown as IssuerStore
    for (const options of [{ keys: [{ privateKey: keys.rsa.privateJwk }, { privateKey: keys.ec.pem, kid: 'ec-pem' }] }, { secret: keys.secretText }]) {
      const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE, store, now: () => clock, onEvent: (e) => void events.push(e), ...options })
      const algorithms = 'secret' in options ? (['HS256'] as const) : undefined
      const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: issuer.keySource(), isRevoked: issuer.isRevoked, now: () => clock, ...(algorithms ? { algorithms } : {}) })
      const fail = async (what: string, p: Promise<unknown>) => scan.error(what, await p.then(() => expect.fail(`${what} succeeded`), (e: unknown) => e))
      const a = await issuer.issue({ sub: 'alice', scopes: ['read'] })
      const b = await issuer.refresh(a.refreshToken)
      for (const t of [a, b]) {
        scan.secret('refresh token', t.refreshToken)
        scan.token('issued access token', t.accessToken)
      }
      await fail('refresh malformed', issuer.refresh(`${a.refreshToken}!`))
      await fail('refresh unknown', issuer.refresh('A'.repeat(43)))
      await fail('refresh reused', issuer.refresh(a.refreshToken))
      await fail('refresh revoked', issuer.refresh(b.refreshToken))
      await fail('verify revoked', verify(`Bearer ${b.accessToken}`))
      const c = await issuer.issue({ sub: 'bob' })
      scan.secret('refresh token', c.refreshToken)
      scan.token('issued access token', c.accessToken)
      expect(await issuer.revoke(`${c.accessToken}x`)).toBe(false)
      expect(await issuer.revoke(c.accessToken)).toBe(true)
      const d = await issuer.issue({ sub: 'dave' })
      expect(await issuer.revoke(d.refreshToken)).toBe(true)
      const e = await issuer.issue({ sub: 'erin' })
      expect(await issuer.revokeFamily(decodeJwt(e.accessToken).sid as string)).toBe(true)
      for (const t of [d, e]) {
        scan.secret('refresh token', t.refreshToken)
        scan.token('issued access token', t.accessToken)
      }
      await issuer.revokeSubject('dave')
      if (!('secret' in options)) await issuer.rotateKeys()
      clock += 8 * 86_400_000
      await fail('refresh expired', issuer.refresh(c.refreshToken))
      await fail('verify expired', verify(`Bearer ${c.accessToken}`))
      clock -= 8 * 86_400_000
      down.value = true
      await fail('issue, store down', issuer.issue({ sub: 'carol' }))
      await fail('refresh, store down', issuer.refresh(c.refreshToken))
      await fail('revoke, store down', issuer.revoke(c.refreshToken))
      await fail('verify, store down', verify(`Bearer ${c.accessToken}`))
      down.value = false
      scan.see('published JWKS', JSON.stringify(await issuer.jwks()))
    }
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(['refresh_reused', 'family_revoked', 'token_revoked', 'subject_revoked', 'keys_rotated', 'store_error']))
    for (const e of events) scanEvent('issuer event', e)
    expectNoLeak(60)
  })

  it('through every DPoP, mutual-TLS and step-up failure: access tokens, proofs, the DPoP and TLS private keys and the nonce secret stay out', async () => {
    const events: unknown[] = []
    const url = 'https://api.example.com/orders'
    const dpopKey = await generateDpopKey('ES256')
    const other = await generateDpopKey('ES256')
    for (const [label, k] of [['dpop', dpopKey], ['other dpop', other]] as const) {
      scan.privateJwk(`${label} key`, await exportJWK(k.key.signingKey as CryptoKey))
    }
    const nonceSecret = crypto.getRandomValues(new Uint8Array(32))
    scan.bytes('DPoP nonce secret', nonceSecret)
    const pki = testPki()
    for (const [label, c] of [['client', pki.client], ['other client', pki.otherClient]] as const) scan.pem(`${label} TLS key`, c.keyPem)
    const base = { issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [keys.ec.key.publicJwk!] }, now, onEvent: (e: unknown) => void events.push(e) }
    const verify = createVerifier({ ...base, dpop: true })
    const bound = await sign(keys.ec.key, { cnf: { jkt: dpopKey.jkt } })
    const plain = await sign(keys.ec.key)
    const certBound = await sign(keys.ec.key, { cnf: { 'x5t#S256': pki.client.x5t } })
    /** A proof, registered as secret material too (it is a credential for one request). */
    const proof = async (o: Partial<Parameters<typeof signDpopProof>[1]> = {}, key = dpopKey) => {
      const p = await signDpopProof(key, { url, accessToken: bound, ...o }, NOW_S)
      scan.token('DPoP proof', p)
      return p
    }
    const dpop = (p: string | string[] | undefined, method = 'GET'): VerifyRequestOptions => ({ dpop: { proof: p, method, url } })
    const failWithRequest = async (v: ReturnType<typeof createVerifier>, reason: string, authorization: string, request: VerifyRequestOptions) => {
      const err = await v(authorization, request).then(() => undefined, (e: unknown) => e)
      expect(err, `expected ${reason}`).toMatchObject({ reason })
      driven.add(reason)
      await scan.error(`${reason} (${authorization.slice(0, 24)}…)`, err)
    }
    const used = await proof()
    await verify(`DPoP ${bound}`, dpop(used))
    const cases: [string, string, VerifyRequestOptions][] = [
      ['token_bound', `Bearer ${bound}`, {}],
      ['token_bound', `Bearer ${certBound}`, {}],
      ['certificate_mismatch', `Bearer ${certBound}`, { certificate: pki.otherClient.der }],
      ['dpop_proof_missing', `DPoP ${bound}`, dpop(undefined)],
      ['dpop_proof_invalid', `DPoP ${bound}`, dpop([await proof(), await proof()])],
      ['dpop_proof_invalid', `DPoP ${bound}`, dpop(flipSignatureBit(await proof()))],
      ['dpop_proof_invalid', `DPoP ${bound}`, dpop(await proof({ header: { jwk: { ...dpopKey.publicJwk, d: (await exportJWK(dpopKey.key.signingKey as CryptoKey)).d } } }))],
      ['dpop_request_mismatch', `DPoP ${bound}`, dpop(await proof(), 'POST')],
      ['dpop_proof_expired', `DPoP ${bound}`, dpop(await proof({ iat: NOW_S - 3600 }))],
      ['dpop_ath_mismatch', `DPoP ${bound}`, dpop(await proof({ accessToken: plain }))],
      ['dpop_proof_replayed', `DPoP ${bound}`, dpop(used)],
      ['dpop_token_unbound', `DPoP ${plain}`, dpop(await proof({ accessToken: plain }))],
      ['dpop_key_mismatch', `DPoP ${bound}`, dpop(await proof({}, other))],
    ]
    for (const [reason, authorization, request] of cases) await failWithRequest(verify, reason, authorization, request)
    const required = createVerifier({ ...base, dpop: { required: true } })
    await failWithRequest(required, 'dpop_required', `Bearer ${plain}`, {})
    const nonces = createVerifier({ ...base, dpop: { nonce: { secret: nonceSecret } } })
    await failWithRequest(nonces, 'dpop_nonce_required', `DPoP ${bound}`, dpop(await proof({ nonce: Buffer.from(nonceSecret).toString('base64url') })))
    const storeDown = createVerifier({ ...base, dpop: { replayStore: { add: () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6379')) } } })
    await failWithRequest(storeDown, 'replay_store_unavailable', `DPoP ${bound}`, dpop(await proof()))
    // RFC 9470 step-up, through the guard every adapter runs.
    const stepUp = requireAuthLevelGuard({ acr: 'urn:example:mfa', maxAge: '5m', now })
    const err = (() => {
      try {
        runGuard(stepUp, { token: plain, claims: claims(), scopes: [], header: { alg: 'ES256' }, scheme: 'Bearer' } as never, 'api')
      } catch (e) {
        return e
      }
    })()
    expect(err).toMatchObject({ reason: 'insufficient_user_authentication' })
    driven.add('insufficient_user_authentication')
    await scan.error('insufficient_user_authentication', err)
    // A nonce secret too short is named, never quoted.
    const short = (() => {
      try {
        createVerifier({ ...base, dpop: { nonce: { secret: Buffer.from(nonceSecret).toString('base64url').slice(0, 20) } } })
      } catch (e) {
        return e
      }
    })()
    expect(short).toBeInstanceOf(TypeError)
    await scan.error('dpop.nonce.secret too short', short)
    for (const e of events) scanEvent('verifier event', e)
    expectNoLeak(cases.length * 3)
  })

  it('through introspection failures and events: opaque tokens and the client secret stay out, even when the server echoes them', async () => {
    const events: unknown[] = []
    const clientSecret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')
    scan.secret('introspection client secret', clientSecret)
    /** Answers with the token, the client secret (if sent) and the Authorization header inside `wrap`. */
    const echo = (code: number, wrap: (body: string) => string): Behaviour => (req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c.toString()))
      req.on('end', () => {
        const form = new URLSearchParams(body)
        const echoed = `${form.get('token')} ${form.get('client_secret') ?? ''} ${req.headers.authorization ?? ''}`
        res.writeHead(code, { 'content-type': 'application/json' }).end(wrap(echoed))
      })
    }
    const routes: [string, Behaviour, string][] = [
      ['/i/inactive', json({ active: false }), 'token_inactive'],
      ['/i/bound', json({ active: true, token_type: 'DPoP', cnf: { jkt: 'x' } }), 'token_bound'],
      ['/i/foreign', json({ active: true, aud: 'https://other.example' }), 'audience_invalid'],
      ['/i/echo-500', echo(500, (b) => `error for ${b}`), 'introspection_unavailable'],
      ['/i/echo-text', echo(200, (b) => `${b} is not a token`), 'introspection_unavailable'],
      ['/i/echo-truncated', echo(200, (b) => `{"active":true,"sub":"${b}`), 'introspection_unavailable'],
      ['/i/echo-json', echo(200, (b) => JSON.stringify({ error: b })), 'introspection_unavailable'],
      ['/i/echo-active', echo(200, (b) => JSON.stringify({ active: b })), 'introspection_unavailable'],
      ['/i/drop', drop, 'introspection_unavailable'],
    ]
    for (const clientAuth of ['client_secret_basic', 'client_secret_post'] as const) {
      for (const [path, behaviour, reason] of routes) {
        server.route(path, behaviour)
        const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, now, onEvent: (e) => void events.push(e), introspection: { endpoint: server.url(path), clientId: 'orders-api', clientSecret, clientAuth } })
        const token = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')
        scan.secret('opaque token', token)
        await failWith(verify, reason, `Bearer ${token}`)
      }
    }
    expect(new Set(events.map((e) => (e as { type: string }).type))).toEqual(new Set(['introspection', 'introspection_error', 'rejected']))
    for (const e of events) scanEvent('introspection event', e)
    expectNoLeak(routes.length * 2 * 5)
  })

  it('through API-key failures: the secret part of a key and its stored hash stay out', async () => {
    let t = NOW_S * 1000
    const down = { value: false }
    const inner = memoryApiKeyStore()
    const store = Object.fromEntries(Object.entries(inner).map(([k, fn]) => [k, (...a: unknown[]) => (down.value ? Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6379')) : (fn as (...x: unknown[]) => unknown)(...a))])) as unknown as ApiKeyStore
    const apiKeys = createApiKeys({ prefix: 'acme', store, now: () => t, rateLimit: { points: 1, duration: '1h' } })
    const verify = createVerifier({ apiKeys, now: () => t, claims: z.object({ tenant: z.string() }) })
    const register = async (created: { key: string }) => {
      // The id (12 characters after the prefix) is public; the secret and checksum are not, nor the hash.
      scan.secret('API key secret', created.key.slice('acme_'.length + 12))
      scan.secret('API key hash', await hashApiKey(created.key))
      return created.key
    }
    const good = await register(await apiKeys.create({ name: 'ci', owner: 'team', scopes: ['read'], claims: { tenant: 'acme' }, expiresIn: '1d' }))
    const revoked = await apiKeys.create({ name: 'old', claims: { tenant: 'acme' } })
    await register(revoked)
    await apiKeys.revoke(revoked.id)
    const noTenant = await register(await apiKeys.create({ name: 'no tenant' }))
    const typo = `${good.slice(0, 20)}${good[20] === 'a' ? 'b' : 'a'}${good.slice(21)}`
    const wrongSecret = `${good.slice(0, 17)}${good.slice(17, -6).split('').reverse().join('')}${good.slice(-6)}`
    const cases: [string, string | undefined, string[]?, string?][] = [
      ['api_key_invalid', `Bearer ${typo}`],
      ['api_key_invalid', undefined, undefined, typo],
      ['api_key_invalid', `Bearer ${wrongSecret}`],
      ['api_key_invalid', `Bearer ${good.replace('acme_', 'beta_')}`, undefined],
      ['header_malformed', `Bearer ${good}`, undefined, good],
      ['token_too_large', undefined, undefined, good.repeat(300)],
      ['insufficient_scope', `Bearer ${good}`, ['write']],
      ['claims_schema_failed', `Bearer ${noTenant}`],
      ['api_key_revoked', `Bearer ${revoked.key}`],
      ['api_key_rate_limited', `Bearer ${good}`],
    ]
    for (const [reason, authorization, scopes, apiKey] of cases) {
      const err = await verify(authorization, { ...(scopes ? { scopes } : {}), ...(apiKey ? { apiKey } : {}) }).then(() => undefined, (e: unknown) => e)
      expect(err, `expected ${reason}`).toMatchObject({ reason })
      driven.add(reason)
      await scan.error(`${reason} (API key)`, err)
    }
    t += 86400_000
    await failWith(verify, 'api_key_expired', `Bearer ${good}`)
    down.value = true
    await failWith(verify, 'api_key_store_unavailable', `Bearer ${noTenant}`)
    down.value = false
    for (const record of await apiKeys.list()) scan.see('apiKeys.list()', JSON.stringify(record))
    scan.see('apiKeys.get()', JSON.stringify(await apiKeys.get(revoked.id)))
    expectNoLeak(cases.length * 5)
  })

  describe('CLI output', () => {
    let dir: string
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'tokengate-secrets-'))
      writeFileSync(join(dir, 'secret.txt'), `${keys.secretText}\n`)
      writeFileSync(join(dir, 'wrong-secret.txt'), `${keys.secretText.replace(/.$/, '!')}\n`)
      writeFileSync(join(dir, 'ec.pem'), keys.ec.pem)
      writeFileSync(join(dir, 'broken.pem'), keys.ec.pem.replace(/\n[A-Za-z0-9+/]{8}/, '\n'))
      writeFileSync(join(dir, 'rsa.jwk'), JSON.stringify(keys.rsa.privateJwk))
      writeFileSync(join(dir, 'public.jwk'), JSON.stringify(keys.rsa.key.publicJwk))
    })
    afterAll(() => rmSync(dir, { recursive: true, force: true }))

    async function cli(args: string[]): Promise<void> {
      let output = ''
      const code = await run(args, { out: (t) => void (output += `${t}\n`), err: (t) => void (output += `${t}\n`), readStdin: async () => '', stdinIsTTY: false, now })
      expect(code, output).not.toBe(0)
      scan.see(`tokengate ${args.slice(0, 2).join(' ')}`, output)
    }

    it('of failed verifications and refused keys', async () => {
      const flags = ['--issuer', ISSUER, '--audience', AUDIENCE]
      const good = await sign(keys.hsText)
      const [h, p, s] = good.split('.')
      for (const json of [[], ['--json']]) {
        await cli(['verify', good, '--secret-file', join(dir, 'wrong-secret.txt'), ...flags, ...json])
        await cli(['verify', await sign(keys.hsText, { exp: NOW_S - 600 }), '--secret-file', join(dir, 'secret.txt'), ...flags, ...json])
        await cli(['verify', `${h}.${p}x.${s}`, '--secret-file', join(dir, 'secret.txt'), ...flags, ...json])
        await cli(['verify', good, '--secret-file', join(dir, 'secret.txt'), '--alg', 'RS256', ...flags, ...json])
        await cli(['mint', '--key', join(dir, 'broken.pem'), ...json])
        await cli(['mint', '--key', join(dir, 'public.jwk'), ...json])
        await cli(['mint', '--key', join(dir, 'ec.pem'), '--alg', 'RS256', ...json])
        await cli(['mint', '--key', join(dir, 'rsa.jwk'), '--alg', 'HS256', ...json])
      }
      expectNoLeak(16)
    })

    it('of every input file and flag: --jwks, --secret-file, --key, --claims, --header, --fixtures, corrupt JSON included', async () => {
      const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
      const pkcs1 = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }) as string
      const encrypted = ecKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string
      scan.pem('rsa PKCS#1 PEM', pkcs1)
      scan.pem('ec encrypted PEM', encrypted)
      const corrupt = (text: string) => text.replace(/"d":"/, '"d":x')
      const write = (name: string, text: string) => {
        writeFileSync(join(dir, name), text)
        return join(dir, name)
      }
      const files = {
        privateSet: write('private-set.json', JSON.stringify({ keys: [keys.rsa.privateJwk, keys.ec.privateJwk] })),
        corruptSet: write('corrupt-set.json', corrupt(JSON.stringify({ keys: [keys.rsa.privateJwk] }))),
        oneJwk: write('one.jwk', JSON.stringify(keys.ec.privateJwk)),
        secretPem: write('secret-pem.txt', keys.ec.pem),
        secretJwk: write('secret-jwk.txt', JSON.stringify(keys.rsa.privateJwk)),
        secretShort: write('secret-short.txt', keys.secretText.slice(0, 20)),
        octPem: write('oct-pem.jwk', JSON.stringify({ kty: 'oct', k: Buffer.from(keys.rsa.pem).toString('base64url') })),
        octCorrupt: write('oct-corrupt.jwk', `{"kty":"oct","k":"${Buffer.from(keys.secretBytes).toString('base64url')}"x}`),
        pkcs1: write('pkcs1.pem', pkcs1),
        encrypted: write('encrypted.pem', encrypted),
        twoPrivate: write('two-private.json', JSON.stringify({ keys: [keys.rsa.privateJwk, keys.ec.privateJwk] })),
        corruptClaims: write('claims.json', `{"note":"${keys.secretText}" "x":1}`),
      }
      const flags = ['--issuer', ISSUER, '--audience', AUDIENCE]
      const token = await sign(keys.rsa.key, {}, { kid: 'rsa' })
      const forged = flipSignatureBit(token)
      scan.token('forged token', forged)
      for (const json of [[], ['--json']]) {
        await cli(['verify', forged, '--jwks', files.privateSet, ...flags, ...json])
        await cli(['verify', token, '--jwks', files.corruptSet, ...flags, ...json])
        await cli(['verify', token, '--jwks', files.oneJwk, ...flags, ...json])
        for (const secret of [files.secretPem, files.secretJwk, files.secretShort]) await cli(['verify', token, '--secret-file', secret, ...flags, ...json])
        for (const key of [files.octPem, files.octCorrupt, files.pkcs1 /* mints: see below */, files.encrypted, files.twoPrivate, files.oneJwk]) {
          if (key === files.pkcs1 || key === files.oneJwk) await cli(['mint', '--key', key, '--alg', 'PS512', '--claims', '{"exp":"x"', ...json])
          else await cli(['mint', '--key', key, ...json])
        }
        await cli(['mint', '--claims', `@${files.corruptClaims}`, ...json])
        await cli(['mint', '--header', `{"kid":"${keys.secretText}" x}`, ...json])
        await cli(['mint', '--claims', `{"k":"${keys.secretText}",}`, ...json])
      }
      // A fixture directory whose secret file is corrupt.
      const fixtures = join(dir, 'fixtures')
      await run(['fixtures', '--out', fixtures, '--alg', 'HS256'], { out: () => {}, err: () => {}, readStdin: async () => '', stdinIsTTY: false, now })
      const secretFile = join(fixtures, 'secret.jwk.json')
      const k = (JSON.parse(readFileSync(secretFile, 'utf8')) as { k: string }).k
      scan.bytes('fixtures secret', Buffer.from(k, 'base64url'))
      writeFileSync(secretFile, `{"kty":"oct","k":"${k}"!}`)
      await cli(['verify', '--fixtures', fixtures])
      writeFileSync(join(fixtures, 'manifest.json'), `{"version":1,"note":"${keys.secretText}"`)
      await cli(['verify', '--fixtures', fixtures])
      expectNoLeak(30)
    })

    // JSON.parse quotes the text around a syntax error; the CLI reports only the position.
    it('of a corrupted private JWK file', async () => {
      const text = JSON.stringify(keys.rsa.privateJwk).replace(`"d":"`, `"d":x`)
      writeFileSync(join(dir, 'corrupt.jwk'), text)
      await cli(['mint', '--key', join(dir, 'corrupt.jwk')])
      expectNoLeak(1)
    })
  })

  it('after driving every BearerError reason, and nothing of it reached the console', () => {
    expect([...driven].sort()).toEqual(Object.keys(REASONS).sort())
    expectNoLeak(0)
  })
})
