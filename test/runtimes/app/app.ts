/**
 * The app test/runtimes runs, unchanged, on Bun (`Bun.serve`) and on Deno (`Deno.serve`):
 * the core verifier, `tokengate/hono` and `tokengate/testing` from the built package (the
 * staging rewrites the relative imports below to `tokengate`, `tokengate/hono` and
 * `tokengate/testing`; in your app, import those). Keys come from the test's JWKS server on
 * 127.0.0.1; the test kit mints its own tokens and serves its keys from inside the runtime.
 *
 * Run: `bun app.ts '<config json>'` or `deno run --allow-net=127.0.0.1 app.ts '<config json>'`.
 * Prints `listening <url>` once it serves.
 */
import { Hono, type Context } from 'hono'
import { BearerError, createVerifier, type BearerAuth, type ClaimsSchema } from '../../../src/index.js'
import { bearer, requireAnyRole, requireAnyScope, requireClaim, requirePermissions, requireRoles, requireScopes } from '../../../src/adapters/hono/index.js'
import { createTestKit, type TokenCase } from '../../../src/testing/index.js'

type Fetch = (request: Request) => Response | Promise<Response>
declare const Bun: { serve(o: { hostname: string; port: number; fetch: Fetch }): { port: number } } | undefined
declare const Deno: { args: string[]; serve(o: { hostname: string; port: number; onListen(): void }, fetch: Fetch): { addr: { port: number } } } | undefined
declare const process: { argv: string[] }

interface Config {
  readonly issuer: string
  readonly audience: string
  readonly jwksUri: string
  readonly downJwksUri: string
  /** The tests' fixed clock, in ms. */
  readonly now: number
}
const config = JSON.parse((typeof Deno !== 'undefined' ? Deno.args : process.argv.slice(2))[0]!) as Config

// A hand-written Standard Schema: the claims every /api route needs (tenant).
const Claims: ClaimsSchema<{ tenant: string }> = {
  '~standard': {
    version: 1,
    vendor: 'tokengate-test',
    validate: (value) =>
      typeof (value as { tenant?: unknown }).tenant === 'string' ? { value: value as { tenant: string } } : { issues: [{ message: 'tenant is required' }] },
  },
}
const options = { issuer: config.issuer, audience: config.audience, now: () => config.now, claims: Claims }
const seen = (a: BearerAuth | undefined) => ({ sub: a?.claims.sub, tenant: (a?.claims as { tenant?: string } | undefined)?.tenant, scopes: a?.scopes })
const me = (c: Context) => c.json(seen(c.get('auth') as BearerAuth | undefined))

// The test kit inside the runtime: its keys, its tokens, its JWKS server (node:http).
const kit = await createTestKit({ alg: 'ES256', scope: ['read:orders', 'admin'] })
const kitServer = await kit.server()
const CASES: readonly TokenCase[] = ['valid', 'expired', 'notYetValid', 'wrongIssuer', 'wrongAudience', 'badSignature', 'truncated', 'algNone', 'hsWithPublicKey', 'untrustedKey', 'malformedHeader']
const kitTokens: Record<string, string> = { missingScope: await kit.missingScope('admin') }
for (const name of CASES) kitTokens[name] = await (kit[name] as () => Promise<string>)()

// The core alone, no framework.
const verify = createVerifier({ ...options, jwksUri: config.jwksUri })

const app = new Hono()
app.use('/api/*', bearer({ ...options, jwksUri: config.jwksUri }))
app.options('/api/me', (c) => c.body(null, 204))
app.get('/api/me', me)
app.get('/api/orders', requireScopes('read:orders'), me)
app.get('/api/any', requireAnyScope('admin', 'read:orders'), me)
// The guarded routes of test/adapters/fixtures.ts (GUARDED_ROUTES, CLAIM_DESCRIPTION, isGlobex).
app.get('/api/admin', requireRoles('admin'), me)
app.get('/api/editor', requireAnyRole('admin', 'editor'), me)
app.get('/api/perm', requirePermissions('delete:orders'), me)
app.get('/api/claim', requireClaim('tenant', 'globex', { description: 'Only globex staff may do this' }), me)
app.get('/api/async-claim', requireClaim('tenant', async (tenant) => (await new Promise((resolve) => setTimeout(resolve, 5)), tenant === 'globex')), me)
app.get('/down/me', bearer({ ...options, jwksUri: config.downJwksUri }), me)
app.get('/kit/tokens', (c) => c.json(kitTokens))
app.get('/kit/me', bearer({ issuer: kit.issuer, audience: kit.audience, jwksUri: kitServer.jwksUri, scopes: ['admin'] }), me)
app.get('/core/me', async (c) => {
  try {
    return c.json(seen(await verify(c.req.header('authorization'), { scopes: ['read:orders'] })))
  } catch (err) {
    if (BearerError.is(err)) return err.toResponse()
    throw err
  }
})

const serve: { hostname: string; port: number } = { hostname: '127.0.0.1', port: 0 }
let port: number
if (typeof Bun !== 'undefined') port = Bun.serve({ ...serve, fetch: app.fetch }).port
else if (typeof Deno !== 'undefined') port = Deno.serve({ ...serve, onListen() {} }, app.fetch).addr.port
else throw new Error('run me on Bun or Deno')
console.log(`listening http://127.0.0.1:${port}`)
