/**
 * Bun and Deno, the real binaries (npm packages `bun` and `deno`): each runs
 * test/runtimes/app/app.ts against the built package (staged by package.setup.ts) on its own
 * server (`Bun.serve`, `Deno.serve`), once with the runtime's own export conditions
 * (node:crypto signatures) and once with `--conditions=worker` (WebCrypto). Keys come from a
 * real JWKS server on 127.0.0.1; Deno gets `--allow-net=127.0.0.1` and no other permission.
 * Excluded from the vitest project `web`: the built package picks its backend by condition.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXPECTED_OUTCOMES, type TokenCase } from '../../src/testing/index.js'
import { adapterFixture, bearer as auth, CHALLENGE, CLAIM_DESCRIPTION, expectAnswer, failureCases, GUARDED_ROUTES, requestWithTwoAuthorizations, SEEN, type AdapterFixture } from '../adapters/fixtures.js'
import { json, startKeyServer, type KeyServer } from '../jwks/jwks-server.js'
import { PROJECT, runtimeBinary } from './package.setup.js'
import { signToken } from '../../src/testing/tokens.js'
import { AUDIENCE, ISSUER } from '../helpers/setup.js'
import { start as startExample } from '../../examples/bun-deno/start.js'

const DENO_PERMISSIONS = ['--allow-net=127.0.0.1']

interface Run {
  readonly runtime: 'bun' | 'deno'
  readonly backend: 'node' | 'web'
  /** The command line before the script and its arguments. */
  readonly args: readonly string[]
}
const RUNS: readonly Run[] = [
  { runtime: 'bun', backend: 'node', args: ['--no-install'] },
  { runtime: 'bun', backend: 'web', args: ['--no-install', '--conditions=worker'] },
  { runtime: 'deno', backend: 'node', args: ['run', '--no-lock', ...DENO_PERMISSIONS] },
  { runtime: 'deno', backend: 'web', args: ['run', '--no-lock', ...DENO_PERMISSIONS, '--conditions=worker'] },
]
// Hermetic: Deno's cache under .tmp, no update checks, no colours in what we parse.
const ENV = { ...process.env, DENO_DIR: join(PROJECT, '.deno'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' }

/** Starts the app; resolves with its URL once it prints `listening <url>`. */
function startApp(run: Run, config: object): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const child = spawn(runtimeBinary(run.runtime), [...run.args, 'app.ts', JSON.stringify(config)], { cwd: PROJECT, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout!.on('data', (chunk) => (out += chunk))
  child.stderr!.on('data', (chunk) => (out += chunk))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${run.runtime} did not start in 30 s:\n${out}`)), 30_000)
    child.on('exit', (code) => reject(new Error(`${run.runtime} exited with ${code}:\n${out}`)))
    child.stdout!.on('data', () => {
      const url = /listening (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1]
      if (!url) return
      clearTimeout(timer)
      resolve({ url, child, output: () => out })
    })
  })
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.removeAllListeners('exit')
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

describe.each(RUNS)('$runtime with the $backend signature backend', (run) => {
  let f: AdapterFixture
  let keys: KeyServer
  let app: Awaited<ReturnType<typeof startApp>> | undefined
  const jwksPath = `/jwks-${run.runtime}-${run.backend}.json`

  beforeAll(async () => {
    f = await adapterFixture()
    keys = await startKeyServer()
    keys.route(jwksPath, json({ keys: [f.key.publicJwk] }))
    const { issuer, audience, now } = f.options
    app = await startApp(run, { issuer, audience, now: now!(), jwksUri: keys.url(jwksPath), downJwksUri: f.downJwksUri })
  }, 40_000)
  afterAll(async () => {
    await stop(app?.child)
    await keys?.close()
    await f?.close()
  })

  it(`resolves #signature-backend to dist/signature/${run.backend}.js`, () => {
    const args = run.args.filter((a) => !a.startsWith('--allow'))
    const resolved = execFileSync(runtimeBinary(run.runtime), [...args, 'probe.js'], { cwd: join(PROJECT, 'node_modules', 'tokengate'), env: ENV, encoding: 'utf8' })
    expect(resolved.trim()).toMatch(new RegExp(`/node_modules/tokengate/dist/signature/${run.backend}\\.js$`))
  })

  it('tokengate/hono: a valid token passes with the claims the handler saw', async () => {
    const res = await expectAnswer(`${app!.url}/api/me`, auth(f.valid), { status: 200 })
    expect(await res.json()).toEqual(SEEN)
    await expectAnswer(`${app!.url}/api/orders`, auth(f.valid), { status: 200 })
  })

  it('tokengate/hono: every guarded route passes a token that meets its guard, twice (the second from the verified-token cache)', async () => {
    expect(CLAIM_DESCRIPTION).toBe('Only globex staff may do this') // app.ts repeats it
    for (const path of GUARDED_ROUTES) {
      for (let i = 0; i < 2; i++) expect(await (await expectAnswer(`${app!.url}${path}`, auth(f.staff), { status: 200 })).json()).toMatchObject({ sub: 'user-1', tenant: 'globex' })
      await expectAnswer(`${app!.url}${path}`, auth(f.valid), { status: 403 })
    }
  })

  it.each(failureCases({} as AdapterFixture).map(([name]) => name))('tokengate/hono answers %s', async (name) => {
    const [, path, init, expected] = failureCases(f).find(([n]) => n === name)!
    await expectAnswer(`${app!.url}${path}`, init, expected)
  })

  it('tokengate/hono: repeated Authorization fields, which arrive joined, fail with 400', async () => {
    expect(await requestWithTwoAuthorizations(`${app!.url}/api/me`, `Bearer ${f.valid}`, `Bearer ${f.valid}`)).toEqual({ status: 400, wwwAuthenticate: CHALLENGE.twoTokens })
  })

  it('the core verifier alone: 200, 403 and 401 with their challenges', async () => {
    expect(await (await expectAnswer(`${app!.url}/core/me`, auth(f.valid), { status: 200 })).json()).toEqual(SEEN)
    await expectAnswer(`${app!.url}/core/me`, auth(f.noScope), { status: 403, wwwAuthenticate: CHALLENGE.scope, reason: 'insufficient_scope' })
    await expectAnswer(`${app!.url}/core/me`, auth(f.expired), { status: 401, wwwAuthenticate: CHALLENGE.expired, reason: 'token_expired' })
  })

  it('fetched each JWKS once for every request so far (one per verifier: the middleware and the core)', () => {
    expect(keys.count(jwksPath)).toBe(2)
  })

  it('tokengate/testing inside the runtime: every kit token gets its documented outcome from the kit JWKS server', async () => {
    const tokens = (await (await fetch(`${app!.url}/kit/tokens`)).json()) as Record<TokenCase, string>
    expect(Object.keys(tokens).sort()).toEqual(Object.keys(EXPECTED_OUTCOMES).sort())
    for (const [name, token] of Object.entries(tokens) as [TokenCase, string][]) {
      const expected = EXPECTED_OUTCOMES[name]
      const res = await fetch(`${app!.url}/kit/me`, auth(token))
      const body = (await res.json()) as { reason?: string; sub?: string }
      expect([name, res.status, body.reason ?? null]).toEqual([name, expected.status, expected.reason])
      if (expected.status === 200) expect(body.sub).toBe('test-user')
    }
  })
})

describe.each(['bun', 'deno'] as const)('examples/bun-deno/server.ts on %s', (runtime) => {
  let f: AdapterFixture
  let keys: KeyServer
  let server: { url: string; close(): Promise<void> } | undefined

  beforeAll(async () => {
    f = await adapterFixture()
    keys = await startKeyServer()
    keys.route('/jwks.json', json({ keys: [f.key.publicJwk] }))
    server = await startExample(runtime, 0, { ISSUER: ISSUER, AUDIENCE: AUDIENCE, JWKS_URI: keys.url('/jwks.json') })
  }, 40_000)
  afterAll(async () => {
    await server?.close()
    await keys?.close()
    await f?.close()
  })

  it('answers 200 with the caller, 401 without a token, 403 without read:orders, the role or the plan (on the real clock)', async () => {
    const now = Math.floor(Date.now() / 1000)
    const sign = (scope?: string) => signToken(f.key, { iss: ISSUER, aud: AUDIENCE, sub: 'user-1', iat: now, exp: now + 600, ...(scope ? { scope } : {}) })
    const res = await expectAnswer(`${server!.url}/api/me`, auth(await sign('read:orders')), { status: 200 })
    expect(await res.json()).toEqual({ sub: 'user-1', scopes: ['read:orders'] })
    await expectAnswer(`${server!.url}/api/orders`, auth(await sign('read:orders')), { status: 200 })
    await expectAnswer(`${server!.url}/api/me`, {}, { status: 401, wwwAuthenticate: CHALLENGE.missing, reason: 'token_missing' })
    await expectAnswer(`${server!.url}/api/orders`, auth(await sign()), { status: 403, wwwAuthenticate: CHALLENGE.scope, reason: 'insufficient_scope' })
    // The role and claim guards of every example (/api/staff, /api/billing).
    const staff = await signToken(f.key, { iss: ISSUER, aud: AUDIENCE, sub: 'user-1', iat: now, exp: now + 600, roles: ['admin'], plan: 'pro' })
    await expectAnswer(`${server!.url}/api/staff`, auth(staff), { status: 200 })
    await expectAnswer(`${server!.url}/api/billing`, auth(staff), { status: 200 })
    await expectAnswer(`${server!.url}/api/staff`, auth(await sign()), { status: 403, wwwAuthenticate: CHALLENGE.role, reason: 'role_missing' })
    await expectAnswer(`${server!.url}/api/billing`, auth(await sign()), {
      status: 403,
      wwwAuthenticate: 'Bearer realm="api", error="insufficient_scope", error_description="A paid plan is required"',
      reason: 'claim_mismatch',
    })
    expect(keys.count('/jwks.json')).toBe(1)
  })
})
