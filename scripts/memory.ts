/**
 * `npm run memory`: 1,000,000 distinct valid HS256 tokens through one verifier, memory
 * sampled after a full GC every 100,000, once per cache mode.
 *   MEMORY_TOKENS        tokens per mode (default 1000000)
 *   MEMORY_EVERY         tokens between samples (default 100000); the first sample is the warm-up baseline
 *   MEMORY_MAX_GROWTH_MB largest growth of heapUsed + external after warm-up (default 4)
 *   MEMORY_MODES         comma list of `no-cache`, `cache` (default: both when the verifier has
 *                        a `cache` option, else `no-cache`)
 * Needs `node --expose-gc` (the npm script passes it). Exits 1 when a token is rejected or the
 * growth after warm-up exceeds the bound in any mode.
 *
 * Why 4 MB: a verifier that kept anything per token would keep at least a string or a map
 * entry (tens to hundreds of bytes). After the 100,000-token warm-up, 900,000 more tokens at
 * even 5 bytes each add 4.5 MB, so 4 MB catches any per-token retention, while the
 * post-GC noise of a flat heap stays well below it (see docs/hardening.md for measured runs).
 */
import { createHmac, randomBytes } from 'node:crypto'
import { createVerifier, type Verifier } from '../src/index.js'

const TOTAL = Number(process.env.MEMORY_TOKENS ?? 1_000_000)
const EVERY = Number(process.env.MEMORY_EVERY ?? 100_000)
const MAX_GROWTH_MB = Number(process.env.MEMORY_MAX_GROWTH_MB ?? 4)
/** Verifications in flight at once, like concurrent requests. */
const IN_FLIGHT = 64
const ISSUER = 'https://idp.example.com/'
const AUDIENCE = 'https://api.example.com'
const NOW_S = 1_767_225_600

const gc = (globalThis as { gc?: () => void }).gc
if (!gc) {
  console.error('memory: run with node --expose-gc (npm run memory does)')
  process.exit(2)
}

// Tokens are minted with node:crypto HMAC directly: ~2 µs each, so the run measures the verifier.
const secret = randomBytes(32)
const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')
function mint(i: number): string {
  const payload = { iss: ISSUER, aud: AUDIENCE, sub: `user-${i % 1000}`, scope: 'read:orders', iat: NOW_S - 60, exp: NOW_S + 3600, jti: `t-${i}` }
  const input = `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`
  return `Bearer ${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
}

const base = { issuer: ISSUER, audience: AUDIENCE, secret, now: () => NOW_S * 1000 }

/** Whether this build has the verified-token cache option (`cache: { max } | false`). */
function hasCacheOption(): boolean {
  try {
    createVerifier({ ...base, cache: false } as never)
    return true
  } catch (err) {
    if (err instanceof TypeError && err.message.includes('cache')) return false
    throw err
  }
}

interface Sample {
  readonly tokens: number
  readonly seconds: number
  readonly heapUsed: number
  readonly external: number
  readonly arrayBuffers: number
  readonly rss: number
}

const MB = (bytes: number): string => (bytes / 1_048_576).toFixed(1)

function sample(tokens: number, started: number): Sample {
  gc!()
  gc!()
  const m = process.memoryUsage()
  return { tokens, seconds: (performance.now() - started) / 1000, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss }
}

/** Runs TOTAL tokens through `verify`; returns the samples. */
async function measure(verify: Verifier): Promise<Sample[]> {
  const samples: Sample[] = []
  const started = performance.now()
  let rejected = 0
  for (let done = 0; done < TOTAL; ) {
    const batch = Math.min(IN_FLIGHT, TOTAL - done, EVERY - (done % EVERY))
    const pending: Promise<unknown>[] = []
    for (let i = 0; i < batch; i++) pending.push(verify(mint(done + i)).catch(() => void rejected++))
    await Promise.all(pending)
    done += batch
    if (done % EVERY === 0 || done === TOTAL) samples.push(sample(done, started))
  }
  if (rejected > 0) throw new Error(`${rejected} valid tokens were rejected`)
  return samples
}

function report(mode: string, samples: Sample[]): boolean {
  console.log(`\n${mode}`)
  console.log('  tokens      heapUsed MB  external MB  arrayBuffers MB  rss MB   seconds')
  for (const s of samples) {
    console.log(
      `  ${s.tokens.toLocaleString('en').padStart(9)}  ${MB(s.heapUsed).padStart(11)}  ${MB(s.external).padStart(11)}  ${MB(s.arrayBuffers).padStart(15)}  ${MB(s.rss).padStart(6)}  ${s.seconds.toFixed(1).padStart(8)}`,
    )
  }
  const [baseline, ...rest] = samples
  if (!baseline || rest.length === 0) {
    console.log('  too few samples to judge growth (raise MEMORY_TOKENS or lower MEMORY_EVERY)')
    return true
  }
  const js = (s: Sample): number => s.heapUsed + s.external
  const growth = Math.max(...rest.map(js)) - js(baseline)
  const last = rest[rest.length - 1]!
  const perToken = (js(last) - js(baseline)) / (last.tokens - baseline.tokens)
  const ok = growth <= MAX_GROWTH_MB * 1_048_576
  console.log(
    `  after warm-up (${baseline.tokens.toLocaleString('en')} tokens): heapUsed + external grew at most ${(growth / 1_048_576).toFixed(2)} MB ` +
      `(${perToken.toFixed(2)} bytes/token to the end); bound ${MAX_GROWTH_MB} MB: ${ok ? 'ok' : 'FAIL'}; ` +
      `${Math.round((last.tokens / last.seconds) / 1000)}k tokens/s`,
  )
  return ok
}

const cacheOption = hasCacheOption()
const modes = (process.env.MEMORY_MODES ?? (cacheOption ? 'no-cache,cache' : 'no-cache')).split(',').map((m) => m.trim())
console.log(`memory: ${TOTAL.toLocaleString('en')} distinct HS256 tokens per mode, sampled every ${EVERY.toLocaleString('en')} after a full GC; node ${process.version}`)
let ok = true
for (const mode of modes) {
  if (mode !== 'no-cache' && mode !== 'cache') throw new Error(`MEMORY_MODES: unknown mode ${JSON.stringify(mode)} (no-cache, cache)`)
  if (mode === 'cache' && !cacheOption) {
    console.log('\ncache: skipped, this build has no `cache` option')
    continue
  }
  const label =
    mode === 'cache' ? 'default verified-token cache (no `cache` option)' : cacheOption ? 'cache: false' : 'no cache (this build has no `cache` option)'
  const options = mode === 'no-cache' && cacheOption ? { ...base, cache: false } : base
  ok = report(label, await measure(createVerifier(options as never))) && ok
}
if (!ok) process.exit(1)
