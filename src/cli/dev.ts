/**
 * @module
 * `tokengate dev`: a local issuer for development on 127.0.0.1 — a JWKS, a discovery document
 * and a token endpoint — so a protected route can be tried with nothing else running. It
 * prints the issuer, the JWKS URL, a ready token, how to mint more and the exact
 * `createVerifier` options that accept them; Ctrl-C stops it.
 */
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { toSeconds } from '../lib/duration.js'
import { ALGORITHMS, isHmacAlgorithm, type Algorithm } from '../keys/algorithms.js'
import { generateSigningKey, type TestSigningKey } from '../testing/keys.js'
import { deriveSigningKey } from '../testing/seeded-keys.js'
import { signToken } from '../testing/tokens.js'
import { str, type Command, type ParsedArgs } from './command.js'
import { EXIT, UsageError, type ExitCode } from './exit-codes.js'
import { emitJson, type Io } from './io.js'
import { formatDuration } from './time.js'

/** Default port: the one the README's quick start names. */
export const DEV_PORT = 4000
/** Default `aud`: the API of the README's quick start. */
export const DEV_AUDIENCE = 'http://localhost:3000'
const JWKS_PATH = '/.well-known/jwks.json'
const MAX_BODY = 16 * 1024

interface TokenRequest {
  readonly sub: string
  readonly scope: string | undefined
  readonly ttl: number
  readonly aud: string
  readonly claims: Record<string, unknown>
}

function seconds(value: string, flag: string): number {
  try {
    const s = toSeconds(/^\d+(\.\d+)?$/.test(value) ? Number(value) : value)
    if (!Number.isFinite(s) || s <= 0) throw new Error()
    return s
  } catch {
    throw new UsageError(`${flag}: expected seconds or a duration such as 30s, 10m, 1h, 7d; got ${JSON.stringify(value)}`)
  }
}

function port(value: string | undefined): number {
  if (value === undefined) return DEV_PORT
  const n = Number(value)
  if (!/^\d+$/.test(value) || n > 65535) throw new UsageError(`--port: expected 0-65535 (0: any free port); got ${JSON.stringify(value)}`)
  return n
}

/** The form or JSON body of POST /token, as token settings over the command's defaults. */
async function tokenRequest(req: IncomingMessage, defaults: TokenRequest): Promise<TokenRequest> {
  let body = ''
  for await (const chunk of req) {
    body += String(chunk)
    if (body.length > MAX_BODY) throw new RangeError(`body over ${MAX_BODY} bytes`)
  }
  const url = new URL(req.url ?? '/', 'http://127.0.0.1')
  const fields: Record<string, unknown> = Object.fromEntries(url.searchParams)
  const type = req.headers['content-type'] ?? ''
  if (body.trim() !== '') {
    if (type.includes('json')) {
      const parsed = JSON.parse(body) as unknown
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TypeError('expected a JSON object')
      Object.assign(fields, parsed)
    } else Object.assign(fields, Object.fromEntries(new URLSearchParams(body)))
  }
  const text = (name: string): string | undefined => {
    const value = fields[name]
    if (value === undefined) return undefined
    if (typeof value !== 'string') throw new TypeError(`${name}: expected a string`)
    return value
  }
  const claims = fields.claims === undefined ? {} : typeof fields.claims === 'string' ? (JSON.parse(fields.claims) as unknown) : fields.claims
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw new TypeError('claims: expected a JSON object')
  const ttl = text('ttl')
  return {
    sub: text('sub') ?? defaults.sub,
    scope: text('scope') ?? defaults.scope,
    ttl: ttl === undefined ? defaults.ttl : seconds(ttl, 'ttl'),
    aud: text('aud') ?? defaults.aud,
    claims: claims as Record<string, unknown>,
  }
}

/** A JavaScript object literal, as one would write it in code. */
function literal(value: Record<string, string>): string {
  return `{ ${Object.entries(value).map(([k, v]) => `${k}: '${v}'`).join(', ')} }`
}

async function run(args: ParsedArgs, io: Io): Promise<ExitCode> {
  const alg = (str(args, 'alg') ?? 'ES256') as Algorithm
  if (!ALGORITHMS.includes(alg) || isHmacAlgorithm(alg)) {
    throw new UsageError(`--alg: expected an asymmetric algorithm (a JWKS publishes public keys): ${ALGORITHMS.filter((a) => !isHmacAlgorithm(a)).join(', ')}; got ${JSON.stringify(alg)}`)
  }
  const defaults: TokenRequest = {
    sub: str(args, 'sub') ?? 'dev-user',
    scope: str(args, 'scope'),
    ttl: seconds(str(args, 'ttl') ?? '1h', '--ttl'),
    aud: str(args, 'aud') ?? DEV_AUDIENCE,
    claims: {},
  }
  const wanted = port(str(args, 'port'))
  const seed = str(args, 'seed')
  // A seed derives the same key (and kid) as `tokengate mint --seed` does: tokens survive restarts.
  const key: TestSigningKey = seed === undefined ? await generateSigningKey(alg, { kid: `dev-${randomUUID().slice(0, 8)}` }) : await deriveSigningKey(alg, { seed })
  const kid = key.kid

  let issuer = ''
  const mint = (t: TokenRequest): Promise<string> => {
    const iat = Math.floor(io.now() / 1000)
    const payload = { iss: issuer, aud: t.aud, sub: t.sub, client_id: 'tokengate-dev', iat, exp: iat + t.ttl, jti: randomUUID(), ...(t.scope ? { scope: t.scope } : {}), ...t.claims }
    return signToken(key, payload, { typ: 'at+jwt' })
  }

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    const json = (status: number, body: unknown, extra: Record<string, string> = {}) =>
      void res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...extra }).end(JSON.stringify(body))
    if (path === JWKS_PATH && req.method === 'GET') return json(200, { keys: [key.publicJwk] }, { 'content-type': 'application/jwk-set+json' })
    if ((path === '/.well-known/openid-configuration' || path === '/.well-known/oauth-authorization-server') && req.method === 'GET') {
      return json(200, { issuer, jwks_uri: `${issuer.slice(0, -1)}${JWKS_PATH}`, token_endpoint: `${issuer}token`, id_token_signing_alg_values_supported: [alg] })
    }
    if (path === '/token') {
      if (req.method !== 'POST') return json(405, { error: 'POST /token with sub, scope, ttl, aud or claims (form or JSON)' }, { allow: 'POST' })
      let t: TokenRequest
      try {
        t = await tokenRequest(req, defaults)
      } catch (err) {
        return json(400, { error: 'invalid_request', error_description: (err as Error).message })
      }
      const token = await mint(t)
      // Shell-friendly by default (TOKEN=$(curl ...)); JSON when asked for it.
      if (String(req.headers.accept ?? '').includes('application/json')) {
        return json(200, { access_token: token, token_type: 'Bearer', expires_in: t.ttl, ...(t.scope ? { scope: t.scope } : {}) })
      }
      return void res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' }).end(`${token}\n`)
    }
    json(404, { error: `not found; this dev issuer serves GET ${JWKS_PATH}, GET /.well-known/openid-configuration and POST /token` })
  }

  const server = createServer((req, res) => {
    answer(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' })
      res.end(`tokengate dev: ${(err as Error).message}\n`)
    })
  })
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      // Loopback only: the token endpoint mints whatever it is asked for.
      server.listen(wanted, '127.0.0.1', () => resolve())
    })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UsageError(`port ${wanted} on 127.0.0.1 is in use: pass --port <n>, or --port 0 for any free port`)
    throw err
  }
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  issuer = `${origin}/`
  const jwksUri = `${origin}${JWKS_PATH}`
  const options = { issuer, audience: defaults.aud, jwksUri }
  const token = await mint(defaults)
  const scopeArg = defaults.scope ? ` -d scope=${/^[\w:.\-/]+$/.test(defaults.scope) ? defaults.scope : `'${defaults.scope.replace(/'/g, `'\\''`)}'`}` : ''
  const curl = `curl -s -X POST ${origin}/token -d sub=alice${scopeArg}`

  if (args.json) {
    emitJson(io, { issuer, jwksUri, tokenEndpoint: `${origin}/token`, audience: defaults.aud, alg, kid, token, verifierOptions: options, mint: curl })
  } else {
    const lines = [
      'tokengate dev: a local issuer for development (keys in memory; never use it in production)',
      '',
      `  issuer    ${issuer}`,
      `  jwks      ${jwksUri}`,
      `  audience  ${defaults.aud}`,
      '',
      'createVerifier options (or any adapter\'s) that accept its tokens:',
      '',
      `  ${literal(options)}`,
      '',
      `A token (sub "${defaults.sub}"${defaults.scope ? `, scope "${defaults.scope}"` : ', no scope'}, expires in ${formatDuration(defaults.ttl)}):`,
      '',
      `  ${token}`,
      '',
      'More tokens (form fields sub, scope, ttl, aud, claims; JSON with -H "accept: application/json"):',
      '',
      `  ${curl}`,
      ...(seed === undefined ? [] : ['', 'Or offline, with the same key:', '', `  tokengate mint --seed ${seed} --alg ${alg} --iss ${issuer} --aud ${defaults.aud}${defaults.scope ? ` --scope "${defaults.scope}"` : ''}`]),
      '',
      'Ctrl-C to stop.',
    ]
    io.out(lines.join('\n'))
  }

  // Until Ctrl-C (SIGINT) or SIGTERM: then close every connection and exit 0.
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      server.closeAllConnections()
      server.close(() => resolve())
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  io.err('tokengate dev: stopped')
  return EXIT.ok
}

export const devCommand: Command = {
  name: 'dev',
  summary: 'run a local issuer + JWKS on 127.0.0.1 for development, and print a token and the verifier options',
  usage: 'tokengate dev [options]',
  details:
    `Serves GET /.well-known/jwks.json, GET /.well-known/openid-configuration and POST /token on\n` +
    `http://127.0.0.1:<port> (default ${DEV_PORT}), with a key made at start (or derived from --seed).\n` +
    'Prints the issuer, the JWKS URL, the createVerifier options that accept its tokens, a ready\n' +
    'token and a curl command that mints more: POST /token with form or JSON fields sub, scope, ttl,\n' +
    'aud and claims (a JSON object) answers the bare token, or JSON with "accept: application/json".\n' +
    'Listens on 127.0.0.1 only: it mints any token it is asked for. Ctrl-C stops it (exit 0).',
  options: {
    port: { type: 'string', value: '<port>', description: `port on 127.0.0.1 (default ${DEV_PORT}; 0: any free port)` },
    aud: { type: 'string', value: '<audience>', description: `aud of the tokens (default ${DEV_AUDIENCE})` },
    sub: { type: 'string', value: '<subject>', description: 'sub of the printed token and default of POST /token (default dev-user)' },
    scope: { type: 'string', value: '"<scopes>"', description: 'scope of the printed token and default of POST /token, space-separated' },
    ttl: { type: 'string', value: '<duration>', description: 'lifetime of tokens (default 1h)' },
    alg: { type: 'string', value: '<alg>', description: 'signing algorithm (default ES256)' },
    seed: { type: 'string', value: '<seed>', description: 'derive the key from this seed: the same key (and tokens) across restarts' },
  },
  maxPositionals: 0,
  examples: ['tokengate dev --scope read:orders', 'tokengate dev --port 0 --json', `curl -s -X POST http://127.0.0.1:${DEV_PORT}/token -d sub=alice -d scope=read:orders`],
  run,
}
