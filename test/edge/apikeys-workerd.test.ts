/**
 * API keys in real workerd (miniflare, no `nodejs_compat`), bundled as wrangler bundles against
 * the built package: keys are minted (WebCrypto randomness, SHA-256), verified, refused with
 * their reasons, and rate-limited, in an isolate.
 */
import { Miniflare } from 'miniflare'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundle, bundledInputs, ROOT, stagePackage } from '../../scripts/edge-bundle.js'
import { HERE } from './harness.js'

let mf: Miniflare
let inputs: string[]

beforeAll(async () => {
  const staged = await stagePackage(join(ROOT, '.tmp', 'edge', 'apikeys-workerd'))
  const built = await bundle({ staged, platform: 'workerd', entry: { file: join(HERE, 'workers', 'apikeys-worker.ts') } })
  inputs = bundledInputs(built, staged)
  mf = new Miniflare({ modules: true, script: built.code, compatibilityDate: '2025-07-18' })
  await mf.ready
}, 60_000)

afterAll(() => mf?.dispose())

const call = (headers: Record<string, string>) => mf.dispatchFetch('http://edge.test/items', { headers })

describe('tokengate/apikeys in workerd', () => {
  it('is bundled from the built package, with no Node module and no source file in it', () => {
    expect(inputs).toContain('dist/apikeys.js')
    expect(inputs.filter((f) => f.startsWith('src/') || /^node:|signature\/node/.test(f))).toEqual([])
  })

  it('mints a key, accepts it in X-API-Key and as a bearer token, refuses a typo, then rate-limits it', async () => {
    const { key } = (await (await mf.dispatchFetch('http://edge.test/keys', { method: 'POST' })).json()) as { key: string }
    expect(key).toMatch(/^edge_[0-9A-Za-z]{40}$/)
    for (const headers of [{ 'x-api-key': key }, { authorization: `Bearer ${key}` }] as Record<string, string>[]) {
      const res = await call(headers)
      expect([res.status, await res.json()]).toEqual([200, { kind: 'api_key', sub: 'team-edge' }])
    }
    const typo = await call({ 'x-api-key': `${key.slice(0, -1)}${key.endsWith('a') ? 'b' : 'a'}` })
    expect([typo.status, typo.headers.get('www-authenticate')]).toEqual([401, 'Bearer realm="api", error="invalid_token", error_description="The API key is not valid"'])
    await typo.arrayBuffer()
    expect((await call({ 'x-api-key': key })).status).toBe(200)
    const limited = await call({ 'x-api-key': key })
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    await limited.arrayBuffer()
  })
})
