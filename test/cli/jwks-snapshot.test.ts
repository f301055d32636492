/**
 * `tokengate jwks snapshot`, spawned as users run it, against a real key server: the snapshot
 * it writes seeds a key store, so a cold verifier verifies while the key server is down.
 */
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createVerifier, memoryKeyStore, type JwksSnapshot } from '../../src/index.js'
import { json, startKeyServer, status, type KeyServer } from '../jwks/jwks-server.js'
import { signer, type Signer } from '../jwks/harness.js'
import { AUDIENCE, ISSUER } from '../helpers/setup.js'
import { tokengate, tokengateJson } from './run-cli.js'

const dir = mkdtempSync(join(tmpdir(), 'tokengate-snapshot-'))
let server: KeyServer
let k1: Signer

beforeAll(async () => {
  server = await startKeyServer()
  k1 = await signer('k1')
  // A careless IdP that publishes a private member: the snapshot must not carry it.
  const leaky = { ...(k1.jwk as Record<string, unknown>), d: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }).d }
  server.route('/jwks.json', json({ keys: [leaky] }, { 'cache-control': 'max-age=900' }))
  server.route('/tenant/.well-known/openid-configuration', json({ issuer: server.url('/tenant'), jwks_uri: server.url('/jwks.json') }))
  server.route('/down.json', status(503))
})
afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('tokengate jwks snapshot', () => {
  it('writes a v1 snapshot of the public keys, fresh for the server’s max-age, exit 0', async () => {
    const out = join(dir, 'a.json')
    const r = await tokengate(['jwks', 'snapshot', server.url('/jwks.json'), '--out', out])
    expect([r.code, r.stderr]).toEqual([0, ''])
    expect(r.stdout).toMatch(new RegExp(`^wrote ${out}: 1 key from ${server.url('/jwks.json')}, fresh until \\d{4}-`))
    const snapshot = JSON.parse(readFileSync(out, 'utf8')) as JwksSnapshot
    expect(snapshot).toMatchObject({ v: 1, key: `jwks:${server.url('/jwks.json')}`, uri: server.url('/jwks.json') })
    expect(snapshot.freshUntil - snapshot.fetchedAt).toBe(900_000)
    expect(snapshot.jwks).toEqual({ keys: [k1.jwk] })
    expect(readFileSync(out, 'utf8')).not.toContain('"d"')
  })

  it('seeds memoryKeyStore: a cold verifier verifies with it while the key server is down', async () => {
    const r = await tokengate(['jwks', 'snapshot', server.url('/jwks.json')])
    expect(r.code).toBe(0)
    const snapshot = JSON.parse(r.stdout) as JwksSnapshot
    const before = server.count('/jwks.json')
    server.route('/jwks.json', status(500))
    try {
      const nowS = Math.floor(Date.now() / 1000)
      const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: server.url('/jwks.json'), keyStore: memoryKeyStore({ snapshots: [snapshot] }) })
      await expect(verify(await k1.token({ iat: nowS, exp: nowS + 60 }))).resolves.toMatchObject({ claims: { sub: 'user-1' } })
      expect(server.count('/jwks.json')).toBe(before)
    } finally {
      server.route('/jwks.json', json({ keys: [k1.jwk] }, { 'cache-control': 'max-age=900' }))
    }
  })

  it('finds the key set through discovery with --issuer, keyed as a discovery verifier reads it', async () => {
    const r = await tokengateJson(['jwks', 'snapshot', '--issuer', server.url('/tenant'), '--out', join(dir, 'b.json')])
    expect(r.code).toBe(0)
    expect(r.json).toMatchObject({ written: join(dir, 'b.json'), uri: server.url('/jwks.json'), keys: 1 })
    const snapshot = JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8')) as JwksSnapshot
    expect(snapshot.key).toBe(`jwks:${server.url('/tenant/.well-known/openid-configuration')}`)
  })

  it('exits 3 when the key set cannot be fetched, saying why', async () => {
    const r = await tokengate(['jwks', 'snapshot', server.url('/down.json')])
    expect(r.code).toBe(3)
    expect(r.stderr).toContain('http_status')
    expect(r.stdout).toBe('')
  })

  it.each([
    [['jwks'], /expected a subcommand: snapshot/],
    [['jwks', 'dump'], /unknown subcommand "dump"/],
    [['jwks', 'snapshot'], /expected the JWKS URL, or --issuer/],
    [['jwks', 'snapshot', 'ftp://x/jwks'], /http\(s\) URL/],
  ])('%j is a usage error, exit 2', async (args, message) => {
    const r = await tokengate(args)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
  })
})
