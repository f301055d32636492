/**
 * `npm run bench:cold` (bench/cold-start-lambda.ts): what a Lambda cold start pays for token verification. Each sample is
 * a fresh `node` process (no module cache, no JIT) that imports the library from its built
 * package, builds the verifier at module scope, and verifies one RS256 token: the time to
 * import, and to the first verified token. Contenders alternate, sample after sample; the
 * table shows medians (BENCH_SAMPLES, default 15).
 *
 * Keys are given locally to both (aws-jwt-verify's `cacheJwks`, tokengate's `jwks`):
 * aws-jwt-verify fetches JWKS over https only, and the network is the same cost for both.
 * One more row fetches the JWKS from a server on 127.0.0.1 (tokengate's `jwksUri`).
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateSigningKey } from '../src/testing/keys.js'
import { signToken } from '../src/testing/tokens.js'
import { PROJECT, stagePackage } from '../test/runtimes/package.setup.js'

const run = promisify(execFile)
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 15)
const ISSUER = 'https://idp.example.com/'
const AUDIENCE = 'https://api.example.com'

await stagePackage()
const key = await generateSigningKey('RS256', { kid: 'cold-1' })
const now = Math.floor(Date.now() / 1000)
const token = await signToken(key, { iss: ISSUER, aud: AUDIENCE, sub: 'user-1', iat: now, exp: now + 3600, scope: 'read:orders' })
const jwks = { keys: [key.publicJwk] }
const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks)))
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`

const event = { type: 'TOKEN', methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/GET/orders', authorizationToken: `Bearer ${token}` }
const setup = JSON.stringify({ issuer: ISSUER, audience: AUDIENCE })
const contenders: Record<string, string> = {
  'tokengate/lambda createAuthorizer, jwks': `const { createAuthorizer } = await import('tokengate/lambda')
    const handler = createAuthorizer({ ...${setup}, jwks: ${JSON.stringify(jwks)} })
    mark()
    const r = await handler(${JSON.stringify(event)})
    if (r.policyDocument.Statement[0].Effect !== 'Allow') throw new Error('denied')`,
  'tokengate createVerifier, jwks': `const { createVerifier } = await import('tokengate')
    const verify = createVerifier({ ...${setup}, jwks: ${JSON.stringify(jwks)} })
    mark()
    await verify(${JSON.stringify(`Bearer ${token}`)})`,
  'aws-jwt-verify JwtVerifier, cacheJwks': `const { JwtVerifier } = await import('aws-jwt-verify')
    const verifier = JwtVerifier.create({ ...${setup}, jwksUri: 'https://idp.example.com/jwks.json' })
    verifier.cacheJwks(${JSON.stringify(jwks)})
    mark()
    await verifier.verify(${JSON.stringify(token)})`,
  'tokengate/lambda createAuthorizer, jwksUri on 127.0.0.1': `const { createAuthorizer } = await import('tokengate/lambda')
    const handler = createAuthorizer({ ...${setup}, jwksUri: ${JSON.stringify(jwksUri)} })
    mark()
    const r = await handler(${JSON.stringify(event)})
    if (r.policyDocument.Statement[0].Effect !== 'Allow') throw new Error('denied')`,
}

const files = Object.entries(contenders).map(([name, body], i) => {
  const file = join(PROJECT, `cold-${i}.mjs`)
  // `mark()` splits import + setup from the first verification.
  writeFileSync(file, `const t0 = performance.now(); let t1\nconst mark = () => { t1 = performance.now() }\n${body}\nconst t2 = performance.now()\nconsole.log(JSON.stringify({ setup: t1 - t0, first: t2 - t1, total: t2 - t0 }))\n`)
  return { name, file }
})

type Sample = { setup: number; first: number; total: number }
const samples = new Map<string, Sample[]>(files.map((f) => [f.name, []]))
for (let round = 0; round < SAMPLES; round++) {
  // Asynchronously: this process serves the JWKS meanwhile.
  for (const { name, file } of files) samples.get(name)!.push(JSON.parse((await run('node', [file], { cwd: PROJECT, encoding: 'utf8' })).stdout) as Sample)
}
server.close()

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const rows = files.map(({ name }) => {
  const s = samples.get(name)!
  return [name, median(s.map((x) => x.setup)).toFixed(1), median(s.map((x) => x.first)).toFixed(1), median(s.map((x) => x.total)).toFixed(1)]
})
const head = ['cold start, RS256, node ' + process.version, 'import + setup (ms)', 'first verify (ms)', 'total (ms)']
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
for (const [i, row] of [head, ...rows].entries()) {
  console.log(row.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  '))
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '))
}
console.log(`\nmedians of ${SAMPLES} fresh processes each, contenders interleaved`)
