/**
 * A Cloudflare Worker on tokengate, bundled the way wrangler bundles (esbuild, conditions
 * `workerd`, `worker`, `browser`) against the built package, running in real workerd through
 * miniflare, without `nodejs_compat`. Its JWKS comes from a real HTTP server on 127.0.0.1,
 * fetched by workerd's own `fetch`: no outbound mock, so timeouts, refused connections and
 * concurrency are workerd's. Each miniflare worker is its own isolate with its own JWKS path.
 */
import { Miniflare, type WorkerOptions } from 'miniflare'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundle, bundledInputs, ROOT, stagePackage } from '../../scripts/edge-bundle.js'
import { delay, hang, json, startKeyServer, status, type KeyServer } from '../jwks/jwks-server.js'
import { AUDIENCE, CHALLENGE, edgeKey, expectAnswer, HERE, ISSUER, withStats, type EdgeKey, type IsolateStats } from './harness.js'

let server: KeyServer
let key: EdgeKey
let mf: Miniflare
let options: ConstructorParameters<typeof Miniflare>[0]
let inputs: string[]
/** A port nothing listens on: connection refused. */
let closedPort: number

/** One Worker (one isolate) per case, each on its own host and JWKS URL. */
function worker(name: string, jwksUri: string, script: string, timeout = '5s'): WorkerOptions {
  return {
    name,
    modules: true,
    script,
    compatibilityDate: '2025-07-18',
    routes: [`${name}.edge.test/*`],
    bindings: { ISSUER, AUDIENCE, JWKS_URI: jwksUri, JWKS_TIMEOUT: timeout },
  }
}

const call = (name: string, authorization?: string) =>
  mf.dispatchFetch(`http://${name}.edge.test/items`, { headers: authorization ? { authorization } : {} })

async function stats(name: string): Promise<IsolateStats> {
  return (await (await mf.dispatchFetch(`http://${name}.edge.test/__edge/stats`)).json()) as IsolateStats
}

beforeAll(async () => {
  ;[server, key] = await Promise.all([startKeyServer(), edgeKey()])
  const gone = await startKeyServer()
  closedPort = Number(new URL(gone.origin).port)
  await gone.close()
  server.route('/main.json', json(key.jwks))
  // Slow enough that every concurrent request arrives while the one fetch is in flight.
  server.route('/cold.json', delay(300, json(key.jwks)))
  server.route('/failing.json', status(500))
  server.route('/hang.json', hang)

  const staged = await stagePackage(join(ROOT, '.tmp', 'edge', 'workerd'))
  const file = join(HERE, 'workers', 'core-worker.ts')
  const built = await bundle({ staged, platform: 'workerd', entry: { contents: withStats(file, 'app.default.fetch') } })
  inputs = bundledInputs(built, staged)
  options = {
    workers: [
      worker('main', server.url('/main.json'), built.code),
      worker('cold', server.url('/cold.json'), built.code),
      worker('down', `http://127.0.0.1:${closedPort}/jwks.json`, built.code),
      worker('failing', server.url('/failing.json'), built.code),
      worker('hang', server.url('/hang.json'), built.code, '500ms'),
    ],
  }
  mf = new Miniflare(options)
  await mf.ready
}, 60_000)

afterAll(async () => {
  await mf?.dispose()
  await server?.close()
})

describe('a Worker on the tokengate core, in workerd', () => {
  it('is bundled from the built package with no Node module in it', () => {
    expect(inputs).toContain('dist/index.js')
    expect(inputs.filter((f) => f.startsWith('src/'))).toEqual([])
    expect(inputs.filter((f) => /^node:|signature\/node/.test(f))).toEqual([])
  })

  it('answers a valid token with 200 and the claims', async () => {
    const res = await call('main', key.valid)
    expect(await expectAnswer(res, { status: 200 })).toEqual({ sub: 'user-1', scopes: ['read:items'] })
  })

  it('answers an expired token with 401 token_expired', async () => {
    await expectAnswer(await call('main', key.expired), { status: 401, reason: 'token_expired', wwwAuthenticate: CHALLENGE.expired })
  })

  it('answers a token without the scope with 403 insufficient_scope naming it', async () => {
    await expectAnswer(await call('main', key.wrongScope), { status: 403, reason: 'insufficient_scope', wwwAuthenticate: CHALLENGE.scope })
  })

  it('answers a request without credentials with 401 and a bare challenge', async () => {
    await expectAnswer(await call('main'), { status: 401, reason: 'token_missing', wwwAuthenticate: CHALLENGE.missing })
  })

  it('answers 503 jwks_unavailable, not 401, when the JWKS server refuses connections', async () => {
    await expectAnswer(await call('down', key.valid), { status: 503, reason: 'jwks_unavailable', wwwAuthenticate: null })
  })

  it('answers 503 jwks_unavailable when the JWKS endpoint answers 500', async () => {
    await expectAnswer(await call('failing', key.valid), { status: 503, reason: 'jwks_unavailable', wwwAuthenticate: null })
    expect(server.count('/failing.json')).toBe(1)
  })

  it('answers 503 jwks_unavailable when the JWKS endpoint never answers (the deadline fires in workerd)', async () => {
    await expectAnswer(await call('hang', key.valid), { status: 503, reason: 'jwks_unavailable', wwwAuthenticate: null })
  })

  it('makes exactly one JWKS fetch for 8 concurrent cold requests, and every one gets 200', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => call('cold', key.valid)))
    expect(answers.map((r) => r.status)).toEqual(Array(8).fill(200))
    await Promise.all(answers.map((r) => r.arrayBuffer()))
    expect(server.count('/cold.json')).toBe(1)
    // The shared fetch's promise crossed from one request to seven others, and the key was imported once.
    expect((await stats('cold')).importKey).toBe(1)
  })

  it('keeps keys and the imported CryptoKey for the isolate: no fetch, no import after the first', async () => {
    for (const authorization of [key.valid, key.expired, key.wrongScope, key.valid, key.valid]) await (await call('main', authorization)).arrayBuffer()
    expect(server.count('/main.json')).toBe(1)
    expect((await stats('main')).importKey).toBe(1)
  })

  it('leaves no timer pending once the responses are sent, failures included', async () => {
    for (const name of ['main', 'cold', 'down', 'failing', 'hang']) expect([name, (await stats(name)).pendingTimers]).toEqual([name, []])
  })

  // Last: restarts every isolate.
  it('relies on nothing surviving between isolates: a fresh isolate fetches the keys again and answers 200', async () => {
    const before = server.count('/main.json')
    await mf.setOptions(options)
    await expectAnswer(await call('main', key.valid), { status: 200 })
    expect(server.count('/main.json')).toBe(before + 1)
    expect((await stats('main')).importKey).toBe(1)
  })
})
