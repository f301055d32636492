/**
 * Cloudflare Workers on tokengate, bundled the way wrangler bundles (esbuild, conditions
 * `workerd`, `worker`, `browser`) against the built package, running in real workerd through
 * miniflare, without `nodejs_compat`: a plain `fetch` handler on the core, and a Hono app on
 * `tokengate/hono`. Their JWKS comes from a real HTTP server on 127.0.0.1, fetched by
 * workerd's own `fetch`: no outbound mock, so timeouts, refused connections and concurrency
 * are workerd's. Each miniflare worker is its own isolate with its own JWKS path.
 */
import { Miniflare, type WorkerOptions } from 'miniflare'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundle, bundledInputs, ROOT, stagePackage } from '../../scripts/edge-bundle.js'
import { hang, json, startKeyServer, status, type KeyServer } from '../jwks/jwks-server.js'
import { AUDIENCE, CHALLENGE, edgeKey, expectAnswer, HERE, ISSUER, when, withStats, type EdgeKey, type IsolateStats } from './harness.js'

/** The Workers under test: the source file, and the public entry its bundle must use. */
const APPS = [
  { app: 'core', file: 'core-worker.ts', entry: 'dist/index.js' },
  { app: 'hono', file: 'hono-worker.ts', entry: 'dist/hono.js' },
] as const
/** One isolate per case: which JWKS each one's keys come from. */
const CASES = ['main', 'cold', 'down', 'failing', 'hang'] as const

let server: KeyServer
let key: EdgeKey
let mf: Miniflare
let options: ConstructorParameters<typeof Miniflare>[0]
const inputs = new Map<string, string[]>()

function worker(name: string, script: string, jwksUri: string, timeout = '5s'): WorkerOptions {
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
  mf.dispatchFetch(`http://${name}.edge.test/api/items`, { headers: authorization ? { authorization } : {} })

async function stats(name: string): Promise<IsolateStats> {
  return (await (await mf.dispatchFetch(`http://${name}.edge.test/__edge/stats`)).json()) as IsolateStats
}

beforeAll(async () => {
  ;[server, key] = await Promise.all([startKeyServer(), edgeKey()])
  const gone = await startKeyServer()
  const refused = `${gone.origin}/jwks.json`
  await gone.close()
  const staged = await stagePackage(join(ROOT, '.tmp', 'edge', 'workerd'))
  const workers: WorkerOptions[] = []
  for (const { app, file } of APPS) {
    const built = await bundle({ staged, platform: 'workerd', entry: { contents: withStats(join(HERE, 'workers', file), 'app.default.fetch') } })
    inputs.set(app, bundledInputs(built, staged))
    server.route(`/${app}/main.json`, json(key.jwks))
    // Answers only once all 8 concurrent requests are inside the isolate, waiting on it.
    server.route(`/${app}/cold.json`, when(async () => (await stats(`${app}-cold`)).active === 8, json(key.jwks)))
    server.route(`/${app}/failing.json`, status(500))
    server.route(`/${app}/hang.json`, hang)
    for (const c of CASES) {
      const timeout = c === 'hang' ? '500ms' : '5s'
      workers.push(worker(`${app}-${c}`, built.code, c === 'down' ? refused : server.url(`/${app}/${c}.json`), timeout))
    }
  }
  options = { workers }
  mf = new Miniflare(options)
  await mf.ready
}, 60_000)

afterAll(async () => {
  await mf?.dispose()
  await server?.close()
})

describe.each(APPS)('a Worker ($app) in workerd', ({ app, entry }) => {
  const at = (c: (typeof CASES)[number]) => `${app}-${c}`

  it('is bundled from the built package, with no Node module and no source file in it', () => {
    expect(inputs.get(app)).toContain(entry)
    expect(inputs.get(app)!.filter((f) => f.startsWith('src/') || /^node:|signature\/node/.test(f))).toEqual([])
  })

  it('answers a valid token with 200 and the claims', async () => {
    expect(await expectAnswer(await call(at('main'), key.valid), { status: 200 })).toEqual({ sub: 'user-1', scopes: ['read:items'] })
  })

  it('answers an expired token with 401 token_expired', async () => {
    await expectAnswer(await call(at('main'), key.expired), { status: 401, reason: 'token_expired', wwwAuthenticate: CHALLENGE.expired })
  })

  it('answers a token without the scope with 403 insufficient_scope naming it', async () => {
    await expectAnswer(await call(at('main'), key.wrongScope), { status: 403, reason: 'insufficient_scope', wwwAuthenticate: CHALLENGE.scope })
  })

  it('answers a request without credentials with 401 and a bare challenge', async () => {
    await expectAnswer(await call(at('main')), { status: 401, reason: 'token_missing', wwwAuthenticate: CHALLENGE.missing })
  })

  it('answers 503 jwks_unavailable, not 401, when the JWKS server refuses connections', async () => {
    await expectAnswer(await call(at('down'), key.valid), { status: 503, reason: 'jwks_unavailable', wwwAuthenticate: null })
  })

  it('answers 503 jwks_unavailable when the JWKS endpoint answers 500', async () => {
    await expectAnswer(await call(at('failing'), key.valid), { status: 503, reason: 'jwks_unavailable', wwwAuthenticate: null })
    expect(server.count(`/${app}/failing.json`)).toBe(1)
  })

  it('answers 503 jwks_unavailable when the JWKS endpoint never answers (the deadline fires in workerd)', async () => {
    await expectAnswer(await call(at('hang'), key.valid), { status: 503, reason: 'jwks_unavailable', wwwAuthenticate: null })
  })

  it('makes exactly one JWKS fetch and one key import for 8 concurrent cold requests, and answers every one 200', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => call(at('cold'), key.valid)))
    expect(answers.map((r) => r.status)).toEqual(Array(8).fill(200))
    await Promise.all(answers.map((r) => r.arrayBuffer()))
    // One request's fetch, awaited by seven others: workerd lets the promise cross requests.
    expect(server.count(`/${app}/cold.json`)).toBe(1)
    expect(await stats(at('cold'))).toMatchObject({ peak: 8, importKey: 1 })
  })

  it('keeps the keys and the imported CryptoKey for the isolate: no fetch, no import after the first', async () => {
    for (const authorization of [key.valid, key.expired, key.wrongScope, key.valid, key.valid]) await (await call(at('main'), authorization)).arrayBuffer()
    expect(server.count(`/${app}/main.json`)).toBe(1)
    expect((await stats(at('main'))).importKey).toBe(1)
  })

  it('leaves no timer pending once the responses are sent, failures included', async () => {
    for (const c of CASES) expect([c, (await stats(at(c))).pendingTimers]).toEqual([c, []])
  })
})

// Last: restarts every isolate.
describe('fresh isolates', () => {
  it('rely on nothing from earlier ones: each Worker fetches the keys again and answers 200', async () => {
    const before = APPS.map(({ app }) => server.count(`/${app}/main.json`))
    await mf.setOptions(options)
    for (const { app } of APPS) await expectAnswer(await call(`${app}-main`, key.valid), { status: 200 })
    expect(APPS.map(({ app }) => server.count(`/${app}/main.json`))).toEqual(before.map((n) => n + 1))
    for (const { app } of APPS) expect((await stats(`${app}-main`)).importKey).toBe(1)
  })
})
