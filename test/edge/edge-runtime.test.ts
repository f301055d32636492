/**
 * Vercel Edge middleware on tokengate, bundled the way Next.js bundles it (conditions
 * `edge-light`, `worker`; `process.env.*` inlined at build time) against the built package,
 * running in Vercel's `edge-runtime` (EdgeVM: a V8 context with only the edge globals; no
 * `process`, no `Buffer`, no `require`): a hand-written middleware on the core, and
 * `bearerMiddleware` from `tokengate/next`. Their JWKS comes from a real HTTP server on
 * 127.0.0.1. Each case gets its own runtime: its own context, module state and JWKS URL.
 */
import { EdgeRuntime } from 'edge-runtime'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundle, bundledInputs, ROOT, stagePackage } from '../../scripts/edge-bundle.js'
import { hang, json, startKeyServer, status, type KeyServer } from '../jwks/jwks-server.js'
import { AUDIENCE, CHALLENGE, edgeKey, expectAnswer, HERE, ISSUER, when, withStats, type EdgeKey, type IsolateStats } from './harness.js'

// What Next does with a middleware's answer: a Response is sent; nothing means "continue",
// which the edge router marks with `x-middleware-next: 1`.
const next = (fn: string) => `(request) => ${fn}(request).then((res) => res ?? new Response(null, { headers: { 'x-middleware-next': '1' } }))`

/** The middlewares under test: source file, how it is called, and the public entry its bundle must use. */
const APPS = [
  { app: 'core', file: 'middleware.ts', handler: next('app.default'), entry: 'dist/index.js' },
  { app: 'next', file: 'next-middleware.ts', handler: next('app.middleware'), entry: 'dist/next.js' },
] as const
const CASES = ['main', 'cold', 'down', 'failing', 'hang'] as const
const SERVE = `\naddEventListener('fetch', (event) => event.respondWith(__edge.default.fetch(event.request)))`

let server: KeyServer
let key: EdgeKey
const runtimes = new Map<string, EdgeRuntime>()
const codes = new Map<string, string>()
const inputs = new Map<string, string[]>()

async function call(name: string, authorization?: string, path = '/api/items'): Promise<Response> {
  const res = await runtimes.get(name)!.dispatchFetch(`http://edge.test${path}`, { headers: authorization ? { authorization } : {} })
  await res.waitUntil()
  return res as unknown as Response
}

async function stats(name: string): Promise<IsolateStats> {
  return (await (await call(name, undefined, '/__edge/stats')).json()) as IsolateStats
}

beforeAll(async () => {
  ;[server, key] = await Promise.all([startKeyServer(), edgeKey()])
  const gone = await startKeyServer()
  const refused = `${gone.origin}/jwks.json`
  await gone.close()
  const staged = await stagePackage(join(ROOT, '.tmp', 'edge', 'edge-runtime'))
  for (const { app, file, handler } of APPS) {
    server.route(`/${app}/main.json`, json(key.jwks))
    // Answers only once all 8 concurrent requests are inside the isolate, waiting on it.
    server.route(`/${app}/cold.json`, when(async () => (await stats(`${app}-cold`)).active === 8, json(key.jwks)))
    server.route(`/${app}/failing.json`, status(500))
    server.route(`/${app}/hang.json`, hang)
    for (const c of CASES) {
      // Next inlines env at build time: one build per configuration.
      const jwksUri = c === 'down' ? refused : server.url(`/${app}/${c}.json`)
      const built = await bundle({
        staged,
        platform: 'edge-light',
        format: 'iife',
        globalName: '__edge',
        entry: { contents: withStats(join(HERE, 'vercel', file), handler) },
        define: { 'process.env.ISSUER': ISSUER, 'process.env.AUDIENCE': AUDIENCE, 'process.env.JWKS_URI': jwksUri, 'process.env.JWKS_TIMEOUT': c === 'hang' ? '500ms' : '5s' },
      })
      if (c === 'main') inputs.set(app, bundledInputs(built, staged))
      codes.set(`${app}-${c}`, built.code + SERVE)
      runtimes.set(`${app}-${c}`, new EdgeRuntime({ initialCode: codes.get(`${app}-${c}`)! }))
    }
  }
}, 60_000)

afterAll(() => server?.close())

describe.each(APPS)('a Vercel Edge middleware ($app) in edge-runtime', ({ app, entry }) => {
  const at = (c: (typeof CASES)[number]) => `${app}-${c}`

  it('is bundled from the built package, with no Node module and no source file in it', () => {
    expect(inputs.get(app)).toContain(entry)
    expect(inputs.get(app)!.filter((f) => f.startsWith('src/') || /^node:|signature\/node/.test(f))).toEqual([])
  })

  it('lets a valid token through (x-middleware-next)', async () => {
    const res = await call(at('main'), key.valid)
    expect([res.status, res.headers.get('x-middleware-next')]).toEqual([200, '1'])
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

  it('answers 503 jwks_unavailable when the JWKS endpoint never answers (the deadline fires)', async () => {
    await expectAnswer(await call(at('hang'), key.valid), { status: 503, reason: 'jwks_unavailable', wwwAuthenticate: null })
  })

  it('makes exactly one JWKS fetch and one key import for 8 concurrent cold requests, and lets every one through', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => call(at('cold'), key.valid)))
    expect(answers.map((r) => [r.status, r.headers.get('x-middleware-next')])).toEqual(Array(8).fill([200, '1']))
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

  it('relies on nothing from an earlier isolate: a fresh runtime fetches the keys again and answers', async () => {
    const before = server.count(`/${app}/main.json`)
    runtimes.set(at('main'), new EdgeRuntime({ initialCode: codes.get(at('main'))! }))
    expect((await call(at('main'), key.valid)).headers.get('x-middleware-next')).toBe('1')
    expect(server.count(`/${app}/main.json`)).toBe(before + 1)
    expect((await stats(at('main'))).importKey).toBe(1)
  })
})
