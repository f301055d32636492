/**
 * `tokengate dev`, spawned as users run it: a local issuer on 127.0.0.1 whose printed options
 * accept its printed token, a token endpoint that mints more, discovery, and a clean stop on
 * Ctrl-C (SIGINT).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { createServer } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createVerifier, type VerifierEvent } from '../../src/index.js'
import { CLI, tokengate } from './run-cli.js'

interface Dev {
  readonly child: ChildProcessWithoutNullStreams
  readonly stdout: () => string
  readonly stderr: () => string
  /** Resolves with the exit code. */
  readonly exit: Promise<number | null>
}

const running: Dev[] = []
afterEach(() => {
  for (const d of running.splice(0)) d.child.kill('SIGKILL')
})

/** Spawns `tokengate dev ...args` and waits until it has printed `until` (its ready line). */
async function dev(args: string[], until = 'Ctrl-C to stop.'): Promise<Dev> {
  const child = spawn(process.execPath, [CLI, 'dev', ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  const d: Dev = { child, stdout: () => out, stderr: () => err, exit }
  running.push(d)
  const deadline = Date.now() + 15_000
  while (!out.includes(until)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`tokengate dev did not start (exit ${child.exitCode}):\n${out}\n${err}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return d
}

describe('tokengate dev', () => {
  it('prints the issuer, the JWKS URL, the exact verifier options and a token those options accept; stops on Ctrl-C with exit 0', async () => {
    const d = await dev(['--port', '0', '--scope', 'read:orders'])
    const out = d.stdout()
    const origin = /issuer {4}(http:\/\/127\.0\.0\.1:\d+)\/\n/.exec(out)![1]!
    expect(out).toContain(`  jwks      ${origin}/.well-known/jwks.json\n`)
    expect(out).toContain('  audience  http://localhost:3000\n')
    const literal = `{ issuer: '${origin}/', audience: 'http://localhost:3000', jwksUri: '${origin}/.well-known/jwks.json' }`
    expect(out).toContain(`\n  ${literal}\n`)
    expect(out).toContain('A token (sub "dev-user", scope "read:orders", expires in 1h):')
    expect(out).toContain(`  curl -s -X POST ${origin}/token -d sub=alice -d scope=read:orders\n`)
    const token = /\n {2}(eyJ[\w-]+\.[\w-]+\.[\w-]+)\n/.exec(out)![1]!

    // The printed options, evaluated as written, accept the printed token.
    const options = new Function(`return ${literal}`)() as { issuer: string; audience: string; jwksUri: string }
    const verify = createVerifier({ ...options, logger: false })
    const auth = await verify(`Bearer ${token}`, { scopes: ['read:orders'] })
    expect(auth.claims).toMatchObject({ iss: `${origin}/`, aud: 'http://localhost:3000', sub: 'dev-user', scope: 'read:orders' })
    expect(auth.header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' })

    d.child.kill('SIGINT')
    expect(await d.exit).toBe(0)
    expect(d.stderr()).toBe('tokengate dev: stopped\n')
    // Stopped means stopped: the port no longer answers.
    await expect(fetch(`${origin}/.well-known/jwks.json`)).rejects.toThrow()
  })

  it('mints more tokens with POST /token (the printed curl command): bare by default, JSON on request, with sub, scope, ttl and claims', async () => {
    const d = await dev(['--port', '0', '--json'], '\n}\n')
    const info = JSON.parse(d.stdout()) as { issuer: string; jwksUri: string; tokenEndpoint: string; token: string; verifierOptions: { issuer: string; audience: string; jwksUri: string }; mint: string }
    expect(info.verifierOptions).toEqual({ issuer: info.issuer, audience: 'http://localhost:3000', jwksUri: info.jwksUri })
    expect(info.mint).toBe(`curl -s -X POST ${info.tokenEndpoint} -d sub=alice`)
    const verify = createVerifier({ ...info.verifierOptions, logger: false })

    const bare = await fetch(info.tokenEndpoint, { method: 'POST', body: new URLSearchParams({ sub: 'alice', scope: 'read:orders write:orders', ttl: '5m' }) })
    expect(bare.headers.get('content-type')).toBe('text/plain')
    const minted = await verify(`Bearer ${(await bare.text()).trim()}`, { scopes: ['write:orders'] })
    expect(minted.claims).toMatchObject({ sub: 'alice', scope: 'read:orders write:orders' })
    expect(minted.claims.exp! - minted.claims.iat!).toBe(300)

    const asJson = await fetch(info.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ sub: 'bob', claims: { org_id: 'acme' } }),
    })
    const body = (await asJson.json()) as { access_token: string; token_type: string; expires_in: number }
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 })
    expect((await verify(`Bearer ${body.access_token}`)).claims).toMatchObject({ sub: 'bob', org_id: 'acme' })

    const bad = await fetch(info.tokenEndpoint, { method: 'POST', body: new URLSearchParams({ ttl: 'forever' }) })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringContaining('ttl') })
    expect((await fetch(info.tokenEndpoint)).status).toBe(405)
    d.child.kill('SIGINT')
    expect(await d.exit).toBe(0)
  })

  it('serves discovery: a verifier with discovery: true accepts its tokens', async () => {
    const d = await dev(['--port', '0', '--json', '--alg', 'RS256', '--aud', 'orders-api'], '\n}\n')
    const info = JSON.parse(d.stdout()) as { issuer: string; token: string }
    const events: VerifierEvent[] = []
    const verify = createVerifier({ issuer: info.issuer, audience: 'orders-api', discovery: true, onEvent: (e) => void events.push(e), logger: false })
    expect((await verify(`Bearer ${info.token}`)).header.alg).toBe('RS256')
    expect(events.map((e) => e.type)).toEqual(['discovery', 'jwks_fetch', 'verified'])
    d.child.kill('SIGTERM')
    expect(await d.exit).toBe(0)
  })

  it('with --seed, keeps its key across restarts, and tokengate mint --seed makes tokens it accepts', async () => {
    const first = await dev(['--port', '0', '--json', '--seed', 'my-dev'], '\n}\n')
    const a = JSON.parse(first.stdout()) as { kid: string; verifierOptions: { issuer: string; audience: string; jwksUri: string } }
    const offline = await tokengate(['mint', '--seed', 'my-dev', '--alg', 'ES256', '--iss', a.verifierOptions.issuer, '--aud', a.verifierOptions.audience])
    expect(offline.code).toBe(0)
    const verify = createVerifier({ ...a.verifierOptions, logger: false })
    expect((await verify(`Bearer ${offline.stdout.trim()}`)).header.kid).toBe(a.kid)
    first.child.kill('SIGINT')
    await first.exit
    const second = await dev(['--port', '0', '--json', '--seed', 'my-dev'], '\n}\n')
    expect((JSON.parse(second.stdout()) as { kid: string }).kid).toBe(a.kid)
    second.child.kill('SIGINT')
    expect(await second.exit).toBe(0)
  })

  it('a port in use: exit 2 and says what to pass instead', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as { port: number }).port
    try {
      const r = await tokengate(['dev', '--port', String(port)])
      expect(r.code).toBe(2)
      expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is in use: pass --port <n>, or --port 0 for any free port`)
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()))
    }
  })

  it('refuses an HMAC algorithm (a JWKS publishes public keys)', async () => {
    const r = await tokengate(['dev', '--alg', 'HS256'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--alg: expected an asymmetric algorithm')
  })
})
