/**
 * The fixture loop of docs/cli.md, run as written: its two ```sh blocks, in bash, with jq and
 * curl, the `tokengate` bin of the packed package on the PATH, against a real API that
 * requires the manifest's scope (Express with tokengate, keys from the fixtures' jwks.json).
 * Only `API` is set from outside, as the block invites. Against an API that accepts anything,
 * the loop fails and says which cases.
 */
import { execFileSync, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import express from 'express'
import { beforeAll, describe, expect, it } from 'vitest'
import { bearer, requireScopes } from '../../src/adapters/express/index.js'
import { installPacked, ROOT } from '../package/consumer.js'
import { fencedBlocks } from './markdown.js'

const shBlocks = fencedBlocks(readFileSync(join(ROOT, 'docs/cli.md'), 'utf8'), 'sh').map((b) => b.code)
const generate = shBlocks.find((b) => b.startsWith('tokengate fixtures --out fx '))
const loop = shBlocks.find((b) => b.includes('curl -s -o /dev/null'))

let dir: string

/** Runs `script` in bash (asynchronously: the API under test lives in this process). */
function bash(script: string, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], {
      cwd: dir,
      env: { ...process.env, PATH: `${join(dir, 'node_modules', '.bin')}:${process.env.PATH}`, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

async function serve(app: express.Express): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(app)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

beforeAll(() => {
  for (const tool of ['bash', 'jq', 'curl']) execFileSync('sh', ['-c', `command -v ${tool}`])
  dir = installPacked('cli-loop')
})

describe('the fixture loop in docs/cli.md', () => {
  it('is there: a block that writes fx/, and the loop', () => {
    expect(generate).toBeDefined()
    expect(loop).toBeDefined()
  })

  it('passes, as written, against an API that requires the manifest scope', async () => {
    const written = await bash(generate!)
    expect(written.code, written.stderr).toBe(0)
    const manifest = JSON.parse(readFileSync(join(dir, 'fx', 'manifest.json'), 'utf8')) as { issuer: string; audience: string; validUntil: number; issuedAt: number }
    expect(manifest.validUntil - manifest.issuedAt).toBe(3650 * 86400)
    const app = express()
    app.get('/orders', bearer({ issuer: manifest.issuer, audience: manifest.audience, jwks: JSON.parse(readFileSync(join(dir, 'fx', 'jwks.json'), 'utf8')), logger: false }), requireScopes('read:orders'), (_req, res) => void res.json([]))
    const api = await serve(app)
    try {
      const r = await bash(loop!, { API: `${api.url}/orders` })
      expect(r.stdout.split('\n').filter(Boolean)).toEqual([
        'ok    valid 200',
        'ok    expired 401',
        'ok    notYetValid 401',
        'ok    wrongIssuer 401',
        'ok    wrongAudience 401',
        'ok    missingScope 403',
        'ok    badSignature 401',
        'ok    truncated 401',
        'ok    algNone 401',
        'ok    hsWithPublicKey 401',
        'ok    untrustedKey 401',
        'ok    malformedHeader 401',
      ])
      expect(r.code, r.stderr).toBe(0)
    } finally {
      await api.close()
    }
  })

  it('fails, naming the cases, against an API that accepts anything', async () => {
    const app = express()
    app.get('/orders', (_req, res) => void res.json([]))
    const api = await serve(app)
    try {
      const r = await bash(loop!, { API: `${api.url}/orders` })
      expect(r.code).toBe(1)
      expect(r.stdout).toContain('FAIL  expired: expected 401, got 200')
      expect(r.stdout).toContain('FAIL  missingScope: expected 403, got 200')
    } finally {
      await api.close()
    }
  })
})
