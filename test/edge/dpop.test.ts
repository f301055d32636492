/**
 * DPoP (RFC 9449), step-up (RFC 9470) and resource metadata (RFC 9728) in real workerd, without
 * `nodejs_compat`: a Hono Worker on `tokengate/hono` bundled from the built package. Proofs are
 * verified with WebCrypto in the isolate; nonces are HMACs under a secret two isolates share.
 */
import { Miniflare, type WorkerOptions } from 'miniflare'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundle, bundledInputs, ROOT, stagePackage } from '../../scripts/edge-bundle.js'
import { createTestKit, type TestKit } from '../../src/testing/index.js'
import { expectAnswer, HERE } from './harness.js'

const SECRET = 'edge-dpop-nonce-secret-0123456789abcdef'
let kit: TestKit
let mf: Miniflare
let inputs: string[]

const worker = (name: string, script: string): WorkerOptions => ({
  name,
  modules: true,
  script,
  compatibilityDate: '2025-07-18',
  routes: [`${name}.edge.test/*`],
  bindings: { ISSUER: kit.issuer, AUDIENCE: kit.audience, JWKS: JSON.stringify(kit.jwks), NONCE_SECRET: SECRET },
})

beforeAll(async () => {
  kit = await createTestKit({ alg: 'ES256' })
  const staged = await stagePackage(join(ROOT, '.tmp', 'edge', 'dpop'))
  const built = await bundle({ staged, platform: 'workerd', entry: { file: join(HERE, 'workers', 'dpop-worker.ts') } })
  inputs = bundledInputs(built, staged)
  mf = new Miniflare({ workers: [worker('dpop', built.code), worker('dpop-other', built.code)] })
  await mf.ready
}, 60_000)

afterAll(async () => {
  await mf?.dispose()
})

const url = (name: string, path = '/api/items') => `http://${name}.edge.test${path}`
const get = (name: string, headers: Record<string, string>, path?: string) => mf.dispatchFetch(url(name, path), { headers })

describe('DPoP on a Worker (tokengate/hono in workerd)', () => {
  it('is bundled from the built package, with no Node module in it', () => {
    expect(inputs).toContain('dist/hono.js')
    expect(inputs.filter((f) => f.startsWith('src/') || /^node:|signature\/node/.test(f))).toEqual([])
  })

  it('RFC 9449 §9: asks for a nonce, then serves the proof that carries it, with the next nonce', async () => {
    const token = await kit.dpopBound()
    const first = await get('dpop', { authorization: `DPoP ${token}`, dpop: await kit.dpopProof({ url: url('dpop'), accessToken: token }) })
    const nonce = first.headers.get('dpop-nonce')!
    await expectAnswer(first, { status: 401, reason: 'dpop_nonce_required' })
    expect(first.headers.get('www-authenticate')).toContain('DPoP realm="api", error="use_dpop_nonce"')
    const ok = await get('dpop', { authorization: `DPoP ${token}`, dpop: await kit.dpopProof({ url: url('dpop'), accessToken: token, nonce }) })
    expect(ok.headers.get('dpop-nonce')).toBe(nonce)
    expect(await expectAnswer(ok, { status: 200 })).toEqual({ sub: 'test-user', scheme: 'DPoP' })
    // A replay is refused.
    await expectAnswer(await get('dpop', { authorization: `DPoP ${token}`, dpop: kit.replayDpopProof() }), { status: 401, reason: 'dpop_proof_replayed' })
  })

  it('shares nonces between isolates with the same secret (no shared state)', async () => {
    const token = await kit.dpopBound()
    const nonce = (await get('dpop', {})).headers.get('dpop-nonce')!
    const res = await get('dpop-other', { authorization: `DPoP ${token}`, dpop: await kit.dpopProof({ url: url('dpop-other'), accessToken: token, nonce }) })
    expect(await expectAnswer(res, { status: 200 })).toEqual({ sub: 'test-user', scheme: 'DPoP' })
  })

  it('RFC 9449 §7.2: refuses the bound token as Bearer, and serves plain Bearer tokens', async () => {
    await expectAnswer(await get('dpop', { authorization: `Bearer ${await kit.dpopBound()}` }), { status: 401, reason: 'token_bound' })
    expect(await expectAnswer(await get('dpop', { authorization: `Bearer ${await kit.valid()}` }), { status: 200 })).toEqual({ sub: 'test-user', scheme: 'Bearer' })
  })

  it('RFC 9470 / RFC 9728: step-up challenge with resource_metadata, and the metadata document', async () => {
    const res = await get('dpop', { authorization: `Bearer ${await kit.valid({ acr: 'urn:example:pwd' })}` }, '/api/transfers')
    await expectAnswer(res, { status: 401, reason: 'insufficient_user_authentication' })
    expect(res.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="api", error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="urn:example:mfa", resource_metadata="https:\/\/dpop\.edge\.test\/\.well-known\/oauth-protected-resource", DPoP /,
    )
    const doc = await get('dpop', {}, '/.well-known/oauth-protected-resource')
    expect(await doc.json()).toEqual({ resource: 'https://dpop.edge.test', authorization_servers: [kit.issuer], bearer_methods_supported: ['header'] })
  })
})
