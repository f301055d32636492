/**
 * `tokengate fixtures` writes a directory; `tokengate verify --fixtures` checks every token
 * in it against the manifest, through the real pipeline. Both spawned as users run them.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BearerError, createVerifier } from '../../src/index.js'
import { EXPECTED_OUTCOMES, startJwksServer, type FixtureManifest } from '../../src/testing/index.js'
import { tokengate, tokengateJson } from './run-cli.js'

const root = mkdtempSync(join(tmpdir(), 'tokengate-fixtures-'))
const readManifest = (dir: string): FixtureManifest => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'))

async function writeFixtures(name: string, ...args: string[]): Promise<string> {
  const dir = join(root, name)
  const r = await tokengate(['fixtures', '--out', dir, ...args])
  expect(r.code, r.stderr).toBe(0)
  return dir
}

describe('tokengate fixtures', () => {
  it('writes the JWKS, one file per token and a manifest of expected outcomes', async () => {
    const dir = await writeFixtures('rs256')
    const manifest = readManifest(dir)
    expect(readdirSync(dir).sort()).toEqual(['jwks.json', 'manifest.json', 'tokens'])
    expect(readdirSync(join(dir, 'tokens')).sort()).toEqual(Object.keys(EXPECTED_OUTCOMES).map((n) => `${n}.jwt`).sort())
    expect(manifest).toMatchObject({ version: 1, generator: 'tokengate', alg: 'RS256', keys: { jwks: 'jwks.json' } })
    expect(manifest.validUntil - manifest.issuedAt).toBe(3600)
    for (const c of manifest.cases) {
      expect(readFileSync(join(dir, c.file), 'utf8')).toBe(c.token)
      expect(c.expected).toEqual(EXPECTED_OUTCOMES[c.name])
    }
  })

  it('every manifest expectation holds in-process too (createVerifier on the files)', async () => {
    const dir = await writeFixtures('in-process', '--alg', 'ES256')
    const m = readManifest(dir)
    const verify = createVerifier({ issuer: m.issuer, audience: m.audience, jwks: JSON.parse(readFileSync(join(dir, 'jwks.json'), 'utf8')) })
    for (const c of m.cases) {
      const outcome = await verify(`Bearer ${readFileSync(join(dir, c.file), 'utf8')}`, { scopes: c.request.scopes }).then(
        () => ({ status: 200, reason: null }),
        (err: unknown) => (BearerError.is(err) ? { status: err.status, reason: err.reason } : { status: 0, reason: String(err) }),
      )
      expect({ case: c.name, ...outcome }).toEqual({ case: c.name, status: c.expected.status, reason: c.expected.reason })
    }
  })

  it.each(['RS256', 'ES256', 'EdDSA', 'HS256'])('%s: tokengate verify --fixtures finds every outcome as documented, exit 0', async (alg) => {
    const dir = await writeFixtures(`verify-${alg}`, '--alg', alg)
    const r = await tokengateJson(['verify', '--fixtures', dir])
    expect(r.code).toBe(0)
    expect(r.json.ok).toBe(true)
    expect(r.json.results.map((x: { name: string; pass: boolean }) => [x.name, x.pass])).toEqual(readManifest(dir).cases.map((c) => [c.name, true]))
    expect(r.json.results).toHaveLength(alg === 'HS256' ? 11 : 12)
  })

  it('by default every case requires the same scopes, so one route serves them all; --required-scope gives missingScope its own', async () => {
    const same = readManifest(await writeFixtures('one-route', '--alg', 'ES256', '--scope', 'read:orders'))
    expect(new Set(same.cases.map((c) => c.request.scopes.join(' ')))).toEqual(new Set(['read:orders']))
    const missing = same.cases.find((c) => c.name === 'missingScope')!
    expect(JSON.parse(Buffer.from(missing.token.split('.')[1]!, 'base64url').toString()).scope).toBeUndefined()
    const own = readManifest(await writeFixtures('own-scope', '--alg', 'ES256', '--required-scope', 'admin'))
    expect(own.cases.find((c) => c.name === 'missingScope')!.request.scopes).toEqual(['admin'])
    expect(own.cases.find((c) => c.name === 'valid')!.request.scopes).toEqual(['read'])
  })

  it('says how long the expectations hold and how to make them last (--ttl)', async () => {
    const dir = join(root, 'ttl-note')
    const r = await tokengate(['fixtures', '--out', dir])
    expect(r.stdout).toMatch(/^expectations hold until \S+ \(--ttl 1h; for fixtures committed to a repository, --ttl 3650d\)$/m)
    expect((await tokengate(['fixtures', '--help'])).stdout).toContain('--ttl 3650d')
  })

  it('fails (exit 1) and names the case when an expectation does not hold', async () => {
    const dir = await writeFixtures('tampered', '--alg', 'ES256')
    const manifest = readManifest(dir)
    const expired = manifest.cases.find((c) => c.name === 'expired')!
    writeFileSync(join(dir, expired.file), readFileSync(join(dir, 'tokens/valid.jwt')))
    const r = await tokengate(['verify', '--fixtures', dir])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/^FAIL {2}expired +expected 401 token_expired, got 200$/m)
    expect(r.stdout).toContain('11/12 cases as expected')
  })

  it('long-lived fixtures (--ttl 3650d) still hold nine years later', async () => {
    const dir = await writeFixtures('static', '--alg', 'ES256', '--ttl', '3650d')
    const m = readManifest(dir)
    expect(m.validUntil - m.issuedAt).toBe(3650 * 86400)
    const r = await tokengateJson(['verify', '--fixtures', dir, '--now', String(m.issuedAt + 9 * 365 * 86400)])
    expect(r.json).toMatchObject({ ok: true, failed: 0 })
  })

  it('fixtures checked against keys served over HTTP (--jwks-uri overrides the manifest)', async () => {
    const dir = await writeFixtures('served', '--alg', 'ES256')
    const server = await startJwksServer({ jwks: JSON.parse(readFileSync(join(dir, 'jwks.json'), 'utf8')) })
    try {
      const r = await tokengateJson(['verify', '--fixtures', dir, '--jwks-uri', server.jwksUri])
      expect(r.json).toMatchObject({ ok: true, failed: 0 })
      expect(server.requests.jwks).toBe(1)
    } finally {
      await server.close()
    }
  })

  it('uses --iss, --aud, --seed and --scope, and the same seed gives the same keys', async () => {
    const a = await writeFixtures('custom-a', '--alg', 'ES256', '--seed', 'orders', '--iss', 'https://idp.example.com/', '--aud', 'orders-api', '--scope', 'read:orders')
    const b = await writeFixtures('custom-b', '--alg', 'ES256', '--seed', 'orders')
    expect(readManifest(a)).toMatchObject({ issuer: 'https://idp.example.com/', audience: 'orders-api' })
    expect(readManifest(a).cases.find((c) => c.name === 'valid')!.request.scopes).toEqual(['read:orders'])
    expect(readFileSync(join(a, 'jwks.json'), 'utf8')).toBe(readFileSync(join(b, 'jwks.json'), 'utf8'))
    expect((await tokengate(['verify', '--fixtures', a])).code).toBe(0)
  })

  it('regenerates over its own directory but refuses a foreign non-empty one (exit 2)', async () => {
    const dir = await writeFixtures('again', '--alg', 'ES256')
    expect((await tokengate(['fixtures', '--out', dir, '--alg', 'EdDSA'])).code).toBe(0)
    expect(readManifest(dir).alg).toBe('EdDSA')
    const foreign = join(root, 'foreign')
    mkdirSync(foreign)
    writeFileSync(join(foreign, 'notes.txt'), 'mine')
    const r = await tokengate(['fixtures', '--out', foreign])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('refusing to write there')
    expect(readdirSync(foreign)).toEqual(['notes.txt'])
  })
})
