/**
 * @module
 * `tokengate mint`: sign a token from flags and JSON, with a key file or the test kit's
 * deterministic keys.
 */
import { randomUUID } from 'node:crypto'
import { toSeconds } from '../lib/duration.js'
import { ALGORITHMS, type Algorithm } from '../keys/algorithms.js'
import type { TestSigningKey } from '../testing/keys.js'
import { deriveSigningKey } from '../testing/seeded-keys.js'
import { TEST_AUDIENCE, TEST_ISSUER } from '../testing/test-kit.js'
import { signToken } from '../testing/tokens.js'
import { deriveDpopKey } from '../testing/dpop.js'
import { list, str, type Command, type ParsedArgs } from './command.js'
import { EXIT, UsageError } from './exit-codes.js'
import { emitJson, parseNow, readJsonObject, type Io } from './io.js'
import { loadSigningKey } from './key-file.js'

function ttlSeconds(value: string | undefined): number {
  if (value === undefined) return 3600
  try {
    const seconds = toSeconds(/^\d+(\.\d+)?$/.test(value) ? Number(value) : value)
    if (!Number.isFinite(seconds)) throw new Error()
    return seconds
  } catch {
    throw new UsageError(`--ttl: expected seconds or a duration such as 30s, 10m, 1h, 3650d; got ${JSON.stringify(value)}`)
  }
}

async function signingKey(args: ParsedArgs): Promise<TestSigningKey> {
  const keyFile = str(args, 'key')
  const alg = str(args, 'alg')
  if (keyFile !== undefined) {
    if (str(args, 'seed') !== undefined) throw new UsageError('--seed and --key cannot be used together')
    return loadSigningKey(keyFile, alg, str(args, 'kid'))
  }
  const chosen = (alg ?? 'RS256') as Algorithm
  if (!ALGORITHMS.includes(chosen)) throw new UsageError(`--alg: expected one of ${ALGORITHMS.join(', ')}; got ${JSON.stringify(alg)}`)
  const kid = str(args, 'kid')
  return deriveSigningKey(chosen, { ...(str(args, 'seed') ? { seed: str(args, 'seed')! } : {}), ...(kid ? { kid } : {}) })
}

// RFC 7638 thumbprints and RFC 8705 certificate thumbprints: 43 base64url characters (SHA-256).
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/

/** The `cnf` claim of a bound token: `--dpop` (the test kit's DPoP key), `--jkt`, `--x5t-s256`. */
async function confirmation(args: ParsedArgs): Promise<Record<string, string> | undefined> {
  const cnf: Record<string, string> = {}
  if (args.values.dpop === true) {
    if (str(args, 'jkt') !== undefined) throw new UsageError('--dpop and --jkt cannot be used together')
    cnf.jkt = (await deriveDpopKey('ES256', str(args, 'seed'))).jkt
  }
  for (const [flag, member] of [['jkt', 'jkt'], ['x5t-s256', 'x5t#S256']] as const) {
    const value = str(args, flag)
    if (value === undefined) continue
    if (!THUMBPRINT.test(value)) throw new UsageError(`--${flag}: expected a base64url SHA-256 thumbprint (43 characters); got ${JSON.stringify(value)}`)
    cnf[member] = value
  }
  return Object.keys(cnf).length === 0 ? undefined : cnf
}

async function run(args: ParsedArgs, io: Io) {
  const key = await signingKey(args)
  const testKeys = str(args, 'key') === undefined
  const iat = Math.floor(parseNow(str(args, 'now'), io)() / 1000)
  const audiences = list(args, 'aud')
  const iss = str(args, 'iss') ?? (testKeys ? TEST_ISSUER : undefined)
  const aud = audiences.length > 1 ? audiences : (audiences[0] ?? (testKeys ? TEST_AUDIENCE : undefined))
  const sub = str(args, 'sub') ?? (testKeys ? 'test-user' : undefined)
  const scope = str(args, 'scope')
  const extra = str(args, 'claims') === undefined ? {} : await readJsonObject(str(args, 'claims')!, 'claims')
  const cnf = await confirmation(args)
  const payload: Record<string, unknown> = {
    ...(iss === undefined ? {} : { iss }),
    ...(sub === undefined ? {} : { sub }),
    ...(aud === undefined ? {} : { aud }),
    iat,
    exp: iat + ttlSeconds(str(args, 'ttl')),
    jti: randomUUID(),
    ...(scope === undefined ? {} : { scope }),
    ...(cnf === undefined ? {} : { cnf }),
    ...extra,
  }
  // null in --claims removes a claim: JSON has no undefined, and tests need tokens without exp.
  for (const [name, value] of Object.entries(payload)) if (value === null) delete payload[name]
  const typ = str(args, 'typ') ?? 'at+jwt'
  const header = { ...(typ === '' ? {} : { typ }), ...(str(args, 'header') ? await readJsonObject(str(args, 'header')!, 'header') : {}) }
  const token = await signToken(key, payload, header)
  if (args.json) emitJson(io, { token, header: { alg: key.alg, ...(key.kid ? { kid: key.kid } : {}), ...header }, payload })
  else io.out(token)
  return EXIT.ok
}

export const mintCommand: Command = {
  name: 'mint',
  summary: 'sign a token with a key file or the test kit',
  usage: 'tokengate mint [options]',
  details:
    'Without --key, signs with the test kit key derived from --seed (the same seed, the same key and kid,\n' +
    'see `tokengate fixtures`); iss, aud and sub then default to the test kit values.\n' +
    'Claims from --claims are merged last; a claim set to null there is removed (e.g. {"exp":null}).\n' +
    'A bound token carries cnf: --dpop binds it to the test kit\'s DPoP key for --seed (what kit.dpopProof()\n' +
    'signs with), --jkt to any DPoP key thumbprint, --x5t-s256 to a client certificate (RFC 8705).',
  options: {
    key: { type: 'string', value: '<file>', description: 'private key: PKCS#8 PEM, private JWK, JWK Set with one private key, or "oct" JWK' },
    seed: { type: 'string', value: '<seed>', description: 'test kit seed (default: the public default seed)' },
    alg: { type: 'string', value: '<alg>', description: 'signing algorithm (default RS256, or the key file\'s)' },
    kid: { type: 'string', value: '<kid>', description: 'key id header (default: the key\'s)' },
    iss: { type: 'string', value: '<issuer>', description: 'iss claim' },
    aud: { type: 'string', value: '<audience>', multiple: true, description: 'aud claim' },
    sub: { type: 'string', value: '<subject>', description: 'sub claim' },
    scope: { type: 'string', value: '"<scopes>"', description: 'scope claim, space-separated' },
    ttl: { type: 'string', value: '<duration>', description: 'lifetime: seconds or 30s, 10m, 1h, 7d (default 1h)' },
    claims: { type: 'string', value: '<json|@file>', description: 'more claims (JSON object, or @path to a file)' },
    header: { type: 'string', value: '<json|@file>', description: 'more header members' },
    typ: { type: 'string', value: '<typ>', description: 'typ header (default at+jwt; "" for none)' },
    now: { type: 'string', value: '<time>', description: 'iat: Unix seconds or ISO 8601 (default: now)' },
    dpop: { type: 'boolean', description: "bind to the test kit's DPoP key (cnf.jkt; RFC 9449)" },
    jkt: { type: 'string', value: '<thumbprint>', description: 'bind to this DPoP key thumbprint (cnf.jkt)' },
    'x5t-s256': { type: 'string', value: '<thumbprint>', description: 'bind to this client certificate (cnf["x5t#S256"]; RFC 8705)' },
  },
  maxPositionals: 0,
  examples: [
    'tokengate mint --scope "read:orders" --sub alice',
    'tokengate mint --key private.pem --alg ES256 --iss https://idp.example.com/ --aud https://api.example.com',
    'tokengate mint --claims \'{"exp":null}\'   # a token without exp',
    'tokengate mint --dpop --json | jq .payload.cnf   # a DPoP-bound token (Authorization: DPoP)',
  ],
  run,
}
