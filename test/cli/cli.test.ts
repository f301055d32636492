/**
 * The `tokengate` bin, spawned as users run it: help, exit codes, mint → inspect → verify.
 */
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { COMMANDS } from '../../src/cli/run.js'
import { createTestKit, type JwksServer, type TestKit } from '../../src/testing/index.js'
import { CLI, tokengate, tokengateInProcess, tokengateJson } from './run-cli.js'

const dir = mkdtempSync(join(tmpdir(), 'tokengate-cli-'))
let kit: TestKit
let jwksFile: string
let trust: string[]

beforeAll(async () => {
  // The CLI's default test key: RS256 from the default seed.
  kit = await createTestKit()
  jwksFile = join(dir, 'jwks.json')
  writeFileSync(jwksFile, JSON.stringify(kit.jwks))
  trust = ['--jwks', jwksFile, '--issuer', kit.issuer, '--audience', kit.audience]
})

describe('tokengate --help', () => {
  it('lists every command and the exit codes, exit 0', async () => {
    const r = await tokengate(['--help'])
    expect(r.code).toBe(0)
    for (const c of COMMANDS) expect(r.stdout).toContain(`  ${c.name}`)
    expect(r.stdout).toMatch(/^ {2}3 {3}verify: keys unavailable/m)
  })

  it.each(COMMANDS.map((c) => c.name))('%s --help documents every flag of the command, exit 0', async (name) => {
    const r = await tokengateInProcess([name, '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`Usage: tokengate ${name}`)
    for (const flag of [...Object.keys(COMMANDS.find((c) => c.name === name)!.options), 'json', 'help']) expect(r.stdout).toContain(`--${flag}`)
    expect(r.stdout).toContain('Exit codes:')
  })

  it('runs as an executable through its shebang and prints the package version', async () => {
    expect(readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true)
    expect(statSync(CLI).mode & 0o111).not.toBe(0)
    const r = await tokengate(['--version'], { direct: true })
    expect(r.code).toBe(0)
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version)
  })
})

describe('usage errors exit 2', () => {
  it.each([
    [['frobnicate'], /unknown command "frobnicate"/],
    [[], /no command given/],
    [['verify', 'x', '--bogus'], /Unknown option '--bogus'/],
    [['verify', 'x', '--jwks'], /argument missing/],
    [['verify', 'x', '--issuer', 'i', '--audience', 'a'], /a key source is required/],
    [['verify', 'x', '--jwks', 'j', '--jwks-uri', 'http://127.0.0.1/', '--issuer', 'i', '--audience', 'a'], /give one key source/],
    [['verify', 'x', '--jwks', '/nonexistent/jwks.json', '--issuer', 'i', '--audience', 'a'], /--jwks: cannot read \/nonexistent\/jwks.json: ENOENT/],
    [['mint', '--claims', '{not json'], /--claims: not valid JSON/],
    [['mint', '--ttl', 'soon'], /--ttl: expected seconds or a duration/],
    [['mint', '--alg', 'none'], /--alg: expected one of/],
    [['inspect'], /no token given/],
    [['fixtures'], /--out <dir> is required/],
    [['fixtures', '--out', 'unused', '--ttl', 'soon'], /--ttl: expected seconds or a duration/],
    [['fixtures', '--out', 'unused', '--scope', 'read admin', '--required-scope', 'admin'], /--required-scope: "admin" is one of the --scope scopes/],
    [['verify', '--fixtures', '/nonexistent'], /--fixtures: ENOENT/],
  ])('%j', async (args, message) => {
    const r = await tokengateInProcess(args)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
  })

  it('refuses to skip the issuer check silently: --issuer or --any-issuer is required', async () => {
    const r = await tokengate(['verify', await kit.valid(), '--jwks', jwksFile, '--audience', kit.audience])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--issuer is required (or --any-issuer')
  })

  it('with --json, prints the usage error as JSON on stdout', async () => {
    const r = await tokengateJson(['verify', 'x', '--bogus'])
    expect(r.code).toBe(2)
    expect(r.json).toEqual({ error: { type: 'usage', message: expect.stringContaining('--bogus') } })
  })
})

describe('tokengate mint', () => {
  it('signs with the test kit key by default: the token verifies against the kit JWKS, exit 0', async () => {
    const minted = await tokengate(['mint', '--sub', 'alice', '--scope', 'read write'])
    expect(minted.code).toBe(0)
    const r = await tokengateJson(['verify', minted.stdout.trim(), ...trust, '--scope', 'write'])
    expect(r.code).toBe(0)
    expect(r.json).toMatchObject({ valid: true, status: 200, reason: null, claims: { sub: 'alice', iss: kit.issuer }, scopes: ['read', 'write'] })
  })

  it('signs with a PEM key file (ES256 inferred from the key)', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const pem = join(dir, 'ec.pem')
    writeFileSync(pem, privateKey.export({ format: 'pem', type: 'pkcs8' }))
    const pub = join(dir, 'ec.jwks.json')
    writeFileSync(pub, JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'ec-1' }] }))
    const minted = await tokengateJson(['mint', '--key', pem, '--kid', 'ec-1', '--iss', 'https://idp.example.com/', '--aud', 'api'])
    expect(minted.json.header).toEqual({ alg: 'ES256', kid: 'ec-1', typ: 'at+jwt' })
    const r = await tokengate(['verify', minted.json.token, '--jwks', pub, '--issuer', 'https://idp.example.com/', '--audience', 'api'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^accepted: 200$/m)
  })

  it('refuses a public key file for minting, exit 2', async () => {
    const r = await tokengate(['mint', '--key', jwksFile])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('JWK Set with 0 private keys')
  })

  it('removes a claim set to null in --claims (a token without exp)', async () => {
    const minted = await tokengateJson(['mint', '--claims', '{"exp":null,"tenant":"t1"}'])
    expect(minted.json.payload).not.toHaveProperty('exp')
    expect(minted.json.payload.tenant).toBe('t1')
    const r = await tokengateJson(['verify', minted.json.token, ...trust])
    expect(r.json).toMatchObject({ status: 401, reason: 'claim_missing' })
  })
})

describe('tokengate mint: bound tokens', () => {
  it('--dpop binds the token to the test kit\'s DPoP key, which a DPoP verifier then demands a proof from', async () => {
    const minted = await tokengateJson(['mint', '--dpop', '--sub', 'alice'])
    expect(minted.code).toBe(0)
    expect(minted.json.payload.cnf).toEqual({ jkt: kit.dpopKey.jkt })
    // As a bearer token it is refused; --accept-bound inspects it anyway.
    expect((await tokengateJson(['verify', minted.json.token, ...trust])).json).toMatchObject({ status: 401, reason: 'token_bound' })
    expect((await tokengateJson(['verify', minted.json.token, ...trust, '--accept-bound'])).json).toMatchObject({ valid: true, claims: { sub: 'alice' } })
  })

  it('--jkt and --x5t-s256 bind to the given thumbprints; anything else is a usage error, exit 2', async () => {
    const jkt = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs'
    const x5t = 'bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2'
    const minted = await tokengateJson(['mint', '--jkt', jkt, '--x5t-s256', x5t])
    expect(minted.json.payload.cnf).toEqual({ jkt, 'x5t#S256': x5t })
    const bad = await tokengate(['mint', '--jkt', 'short'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--jkt: expected a base64url SHA-256 thumbprint')
  })
})

describe('tokengate inspect', () => {
  it('decodes header and payload but never claims validity', async () => {
    const r = await tokengate(['inspect', await kit.badSignature()])
    expect(r.code).toBe(0)
    expect(r.stdout.split('\n')[0]).toMatch(/^NOT VERIFIED/)
    expect(r.stdout).not.toMatch(/\bvalid\b(?! until)/i)
    const j = await tokengateJson(['inspect', await kit.badSignature()])
    expect(j.json).toMatchObject({ verified: false, header: { alg: 'RS256', kid: kit.kid }, payload: { iss: kit.issuer } })
  })

  it.each([
    ['alg none', (k: TestKit) => k.algNone(), 'alg_none'],
    ['missing exp', (k: TestKit) => k.valid({ exp: undefined }), 'exp_missing'],
    ['odd typ', (k: TestKit) => k.valid({}, { typ: 'dpop+jwt' }), 'typ_unusual'],
    ['expired', (k: TestKit) => k.expired(), 'expired'],
    ['not yet valid', (k: TestKit) => k.notYetValid(), 'not_yet_valid'],
    ['header-supplied key', (k: TestKit) => k.valid({}, { jku: 'https://evil.example/jwks' }), 'header_key'],
  ])('warns on %s', async (_, make, code) => {
    const r = await tokengateJson(['inspect', await make(kit)])
    expect(r.code).toBe(0)
    expect(r.json.warnings.map((w: { code: string }) => w.code)).toContain(code)
  })

  it('gives no warnings for a valid kit token', async () => {
    const token = await kit.valid()
    const { iat } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { iat: number }
    const r = await tokengateJson(['inspect', token, '--now', String(iat)])
    expect(r.json.warnings).toEqual([])
    expect(r.json.times.exp).toMatchObject({ value: iat + 3600, iso: new Date((iat + 3600) * 1000).toISOString(), relative: 'in 1h' })
  })

  it('reads the token from stdin, stripping "Bearer "', async () => {
    const r = await tokengateJson(['inspect', '-'], { stdin: `Bearer ${await kit.valid({ sub: 'piped' })}\n` })
    expect(r.json.payload.sub).toBe('piped')
  })

  it.each([
    ['a truncated token', (k: TestKit) => k.truncated(), /three segments/],
    ['a malformed header', (k: TestKit) => k.malformedHeader(), /header is not UTF-8 JSON/],
    ['a JWE', async () => 'eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d', /encrypted \(JWE/],
  ])('exits 1 on %s', async (_, make, message) => {
    const r = await tokengate(['inspect', await make(kit)])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(message)
  })
})

describe('tokengate verify', () => {
  let server: JwksServer
  beforeAll(async () => {
    server = await kit.server()
  })
  afterAll(() => server.close())

  it('rejects an expired token: exit 1, status, reason and the exact challenge', async () => {
    const r = await tokengateJson(['verify', await kit.expired(), ...trust])
    expect(r.code).toBe(1)
    expect(r.json).toEqual({
      valid: false,
      status: 401,
      reason: 'token_expired',
      code: 'invalid_token',
      message: 'The token has expired',
      wwwAuthenticate: 'Bearer realm="api", error="invalid_token", error_description="The token has expired"',
    })
    const human = await tokengate(['verify', await kit.expired(), ...trust])
    expect(human.stdout.split('\n')[0]).toBe('rejected: 401 token_expired')
  })

  it('answers 403 insufficient_scope for a missing --scope, exit 1', async () => {
    const r = await tokengateJson(['verify', await kit.valid({ scope: 'read' }), ...trust, '--scope', 'read', '--scope', 'admin'])
    expect(r.code).toBe(1)
    expect(r.json).toMatchObject({ status: 403, reason: 'insufficient_scope', code: 'insufficient_scope' })
  })

  it('verifies against a live JWKS (--jwks-uri) and exits 3 when the keys are unavailable', async () => {
    const args = ['--jwks-uri', server.jwksUri, '--issuer', kit.issuer, '--audience', kit.audience]
    expect((await tokengate(['verify', await kit.valid(), ...args])).code).toBe(0)
    server.fail(500)
    try {
      const r = await tokengateJson(['verify', await kit.valid(), ...args])
      expect(r.code).toBe(3)
      expect(r.json).toMatchObject({ status: 503, reason: 'jwks_unavailable' })
    } finally {
      server.heal()
    }
  })

  it('prints the cause of an iss mismatch: expected vs actual and the trailing-slash hint', async () => {
    const withoutSlash = kit.issuer.replace(/\/$/, '')
    const args = ['--jwks', jwksFile, '--issuer', withoutSlash, '--audience', kit.audience]
    const human = await tokengate(['verify', await kit.valid(), ...args])
    expect(human.code).toBe(1)
    expect(human.stdout.split('\n').slice(0, 3)).toEqual([
      'rejected: 401 issuer_invalid',
      '  The token issuer is not accepted',
      `  cause: iss "${kit.issuer}" is not the configured issuer "${withoutSlash}" (differs only by a trailing slash); pass --issuer with the exact value`,
    ])
    expect(human.stderr).toBe('')
    const r = await tokengateJson(['verify', await kit.valid(), ...args])
    expect(r.json.cause).toEqual({ message: expect.stringContaining('differs only by a trailing slash'), expected: [withoutSlash], actual: kit.issuer })
  })

  it('a JWKS URL answering 404: exit 3, the URL and status as the cause, and no advice to retry', async () => {
    const args = ['--jwks-uri', server.jwksUri.replace(/[^/]+$/, 'nope.json'), '--issuer', kit.issuer, '--audience', kit.audience]
    const human = await tokengate(['verify', await kit.valid(), ...args])
    expect(human.code).toBe(3)
    expect(human.stdout).toContain(`  cause: GET ${args[1]}: HTTP 404 (not worth retrying: check the URL (--jwks-uri) and what it serves)`)
    expect(human.stdout + human.stderr).not.toMatch(/retry later/i)
    const r = await tokengateJson(['verify', await kit.valid(), ...args])
    expect(r.json).toMatchObject({ status: 503, reason: 'jwks_unavailable', cause: { url: args[1], status: 404, retry: false } })
  })

  it('a JWKS server failing with 500: exit 3, and this time a retry may help', async () => {
    server.fail(500)
    try {
      const r = await tokengateJson(['verify', await kit.valid(), '--jwks-uri', server.jwksUri, '--issuer', kit.issuer, '--audience', kit.audience])
      expect(r.code).toBe(3)
      expect(r.json.cause).toEqual({ message: `GET ${server.jwksUri}: HTTP 500 (retry later; the token may be fine)`, retry: true, url: server.jwksUri, status: 500 })
    } finally {
      server.heal()
    }
  })

  it('judges time with --now: a token is expired an hour after its exp', async () => {
    const token = await kit.valid()
    const exp = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).exp as number
    expect((await tokengate(['verify', token, ...trust, '--now', String(exp - 60)])).code).toBe(0)
    const r = await tokengateJson(['verify', token, ...trust, '--now', new Date((exp + 3600) * 1000).toISOString()])
    expect(r.json.reason).toBe('token_expired')
  })

  it('turns a verifier configuration mistake into a usage error naming the option', async () => {
    const r = await tokengate(['verify', await kit.valid(), ...trust, '--alg', 'HS256'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('algorithms')
  })
})
