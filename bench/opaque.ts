/**
 * `npm run bench:opaque`: what opaque credentials cost per request, side by side in one run,
 * against an ES256 JWT on a JWT-only verifier with its cache on (the usual hit):
 *
 * - the same JWT through a verifier that also routes opaque credentials (the routing step);
 * - an opaque token answered from the introspection cache (HMAC of the token + a lookup);
 * - an API key from the memory store, without and with a rate limit (SHA-256 of the key,
 *   a lookup, a constant-time comparison; a window count).
 *
 * BENCH_ROUNDS (default 5) and BENCH_MS (per measurement, default 200) trade time for noise.
 */
import { measure } from 'mitata'
import { createApiKeys } from '../src/apikeys/index.js'
import { createVerifierOn } from '../src/core/create-verifier.js'
import type { VerifierOptions } from '../src/core/options.js'
import { signatureBackend } from '../src/signature/node.js'
import { AUDIENCE, ISSUER, makeFixture } from './fixtures.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const MS = Number(process.env.BENCH_MS ?? 200)

const f = await makeFixture('ES256')
const jwtOnly = { issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [f.publicJwk!] } } as VerifierOptions
const now = Math.floor(Date.now() / 1000)
const fetch = (async () => Response.json({ active: true, scope: 'read:users', client_id: 's6BhdRkqt3', exp: now + 3600, iss: ISSUER })) as typeof globalThis.fetch
const introspection = { endpoint: 'https://idp.example.com/introspect', clientId: 'api', clientSecret: 'secret' }
const plainKeys = createApiKeys({ prefix: 'acme' })
const limitedKeys = createApiKeys({ prefix: 'acme', rateLimit: { points: 1e12, duration: '1h' } })
const plainKey = (await plainKeys.create({ name: 'bench', scopes: ['read:users'] })).key
const limitedKey = (await limitedKeys.create({ name: 'bench', scopes: ['read:users'] })).key
const opaque = 'SPjILZGlq2D1xk0mJ3Hc7n9UeQWvT4bRyA8oNfKdw5s'

const cases: [string, (header: string) => Promise<unknown>, Buffer][] = [
  ['JWT, JWT-only verifier (baseline)', createVerifierOn(signatureBackend, jwtOnly), f.header],
  ['JWT, verifier with introspection + apiKeys', createVerifierOn(signatureBackend, { ...jwtOnly, introspection, apiKeys: plainKeys, fetch } as VerifierOptions), f.header],
  ['opaque token, introspection cache hit', createVerifierOn(signatureBackend, { ...jwtOnly, introspection, fetch } as VerifierOptions), Buffer.from(`Bearer ${opaque}`, 'latin1')],
  ['API key, memory store', createVerifierOn(signatureBackend, { apiKeys: plainKeys } as VerifierOptions), Buffer.from(`Bearer ${plainKey}`, 'latin1')],
  ['API key, memory store, rate limit', createVerifierOn(signatureBackend, { apiKeys: limitedKeys } as VerifierOptions), Buffer.from(`Bearer ${limitedKey}`, 'latin1')],
]

const best = new Map<string, number>()
for (const [name, verify, header] of cases) {
  const auth = (await verify(header.toString('latin1'))) as { kind: string }
  if (!auth?.kind) throw new Error(`${name}: no result`)
}
// One unrecorded pass first: the first case measured would otherwise pay for warming shared code.
for (let round = -1; round < ROUNDS; round++) {
  for (const [name, verify, header] of cases) {
    // A fresh string per call, as an HTTP parser makes.
    const stats = await measure(() => verify(header.toString('latin1')), { min_cpu_time: MS * 1e6 })
    if (round >= 0) best.set(name, Math.max(best.get(name) ?? 0, 1e9 / stats.p50))
  }
}

const base = best.get(cases[0]![0])!
console.log(`${'case'.padEnd(46)}${'ops/s'.padStart(11)}${'µs/op'.padStart(8)}${'× baseline'.padStart(12)}`)
for (const [name] of cases) {
  const ops = best.get(name)!
  console.log(`${name.padEnd(46)}${Math.round(ops).toLocaleString('en-US').padStart(11)}${(1e6 / ops).toFixed(1).padStart(8)}${(ops / base).toFixed(2).padStart(12)}`)
}
