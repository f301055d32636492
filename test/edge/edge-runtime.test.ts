/**
 * A Vercel Edge middleware on tokengate, bundled the way Next.js bundles it (conditions
 * `edge-light`, `worker`; `process.env.*` inlined at build time) against the built package,
 * running in Vercel's `edge-runtime` (EdgeVM: a V8 context with only the edge globals; no
 * `process`, no `Buffer`, no `require`). Its JWKS comes from a real HTTP server on 127.0.0.1.
 * Each case gets its own runtime: its own isolate, module state and JWKS URL.
 */
import { EdgeRuntime } from 'edge-runtime'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundle, bundledInputs, ROOT, stagePackage, type StagedPackage } from '../../scripts/edge-bundle.js'
import { delay, hang, json, startKeyServer, status, type KeyServer } from '../jwks/jwks-server.js'
import { AUDIENCE, CHALLENGE, edgeKey, expectAnswer, HERE, ISSUER, withStats, type EdgeKey, type IsolateStats } from './harness.js'

let server: KeyServer
let key: EdgeKey
let staged: StagedPackage
let closedPort: number
const runtimes = new Map<string, EdgeRuntime>()
const codes = new Map<string, string>()
let inputs: string[]

const MIDDLEWARE = join(HERE, 'vercel', 'middleware.ts')
// What Next does with a middleware's answer: a Response is sent; nothing means "continue",
// which the edge router marks with `x-middleware-next: 1`.
const HANDLER = `(request) => app.default(request).then((res) => res ?? new Response(null, { headers: { 'x-middleware-next': '1' } }))`
const SERVE = `\naddEventListener('fetch', (event) => event.respondWith(__edge.default.fetch(event.request)))`

/** Bundles the middleware for one JWKS URL (Next inlines env at build time) and starts a runtime on it. */
async function start(name: string, jwksUri: string, timeout = '5s'): Promise<void> {
  const built = await bundle({
    staged,
    platform: 'edge-light',
    format: 'iife',
    globalName: '__edge',
    entry: { contents: withStats(MIDDLEWARE, HANDLER) },
    define: { 'process.env.ISSUER': ISSUER, 'process.env.AUDIENCE': AUDIENCE, 'process.env.JWKS_URI': jwksUri, 'process.env.JWKS_TIMEOUT': timeout },
  })
  inputs ??= bundledInputs(built, staged)
  codes.set(name, built.code + SERVE)
  runtimes.set(name, new EdgeRuntime({ initialCode: codes.get(name)! }))
}

async function call(name: string, authorization?: string, path = '/items'): Promise<Response> {
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
  closedPort = Number(new URL(gone.origin).port)
  await gone.close()
  server.route('/main.json', json(key.jwks))
  server.route('/cold.json', delay(300, json(key.jwks)))
  server.route('/failing.json', status(500))
  server.route('/hang.json', hang)
  staged = await stagePackage(join(ROOT, '.tmp', 'edge', 'edge-runtime'))
  await start('main', server.url('/main.json'))
  await start('cold', server.url('/cold.json'))
  await start('down', `http://127.0.0.1:${closedPort}/jwks.json`)
  await start('failing', server.url('/failing.json'))
  await start('hang', server.url('/hang.json'), '500ms')
}, 60_000)

afterAll(() => server?.close())

describe('a Vercel Edge middleware on the tokengate core, in edge-runtime', () => {
  it('is bundled from the built package with no Node module in it', () => {
    expect(inputs).toContain('dist/index.js')
    expect(inputs.filter((f) => f.startsWith('src/'))).toEqual([])
    expect(inputs.filter((f) => /^node:|signature\/node/.test(f))).toEqual([])
  })

  it('lets a valid token through (x-middleware-next)', async () => {
    const res = await call('main', key.valid)
    expect([res.status, res.headers.get('x-middleware-next')]).toEqual([200, '1'])
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

  it('answers 503 jwks_unavailable when the JWKS endpoint never answers (the deadline fires)', async () => {
    await expectAnswer(await call('hang', key.valid), { status: 503, reason: 'jwks_unavailable', wwwAuthenticate: null })
  })

  it('makes exactly one JWKS fetch for 8 concurrent cold requests, and lets every one through', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => call('cold', key.valid)))
    expect(answers.map((r) => [r.status, r.headers.get('x-middleware-next')])).toEqual(Array(8).fill([200, '1']))
    expect(server.count('/cold.json')).toBe(1)
    expect((await stats('cold')).importKey).toBe(1)
  })

  it('keeps keys and the imported CryptoKey for the isolate: no fetch, no import after the first', async () => {
    for (const authorization of [key.valid, key.expired, key.wrongScope, key.valid, key.valid]) await (await call('main', authorization)).arrayBuffer()
    expect(server.count('/main.json')).toBe(1)
    expect((await stats('main')).importKey).toBe(1)
  })

  it('leaves no timer pending once the responses are sent, failures included', async () => {
    for (const name of runtimes.keys()) expect([name, (await stats(name)).pendingTimers]).toEqual([name, []])
  })

  it('relies on nothing surviving between isolates: a fresh runtime fetches the keys again and answers', async () => {
    const before = server.count('/main.json')
    runtimes.set('main', new EdgeRuntime({ initialCode: codes.get('main')! }))
    const res = await call('main', key.valid)
    expect(res.headers.get('x-middleware-next')).toBe('1')
    expect(server.count('/main.json')).toBe(before + 1)
    expect((await stats('main')).importKey).toBe(1)
  })
})
