/**
 * @module
 * `tokengate fixtures`: write a fixture directory (JWKS, one file per token, manifest of
 * expected outcomes) for any CI, JavaScript or not.
 */
import { resolve } from 'node:path'
import { ALGORITHMS, type Algorithm } from '../keys/algorithms.js'
import { writeFixtures } from '../testing/fixtures.js'
import { createTestKit } from '../testing/test-kit.js'
import { str, type Command, type ParsedArgs } from './command.js'
import { EXIT, UsageError } from './exit-codes.js'
import { emitJson, parseNow, type Io } from './io.js'

async function run(args: ParsedArgs, io: Io) {
  const out = str(args, 'out')
  if (!out) throw new UsageError('--out <dir> is required')
  const alg = (str(args, 'alg') ?? 'RS256') as Algorithm
  if (!ALGORITHMS.includes(alg)) throw new UsageError(`--alg: expected one of ${ALGORITHMS.join(', ')}; got ${JSON.stringify(alg)}`)
  const ttl = str(args, 'ttl') ?? '1h'
  if (!/^\d+(\.\d+)?(ms|s|m|h|d)?$/.test(ttl)) throw new UsageError(`--ttl: expected seconds or a duration such as 30s, 10m, 1h, 3650d; got ${JSON.stringify(ttl)}`)
  const scope = str(args, 'scope') ?? 'read'
  const required = str(args, 'required-scope')
  if (required !== undefined && scope.split(' ').includes(required)) throw new UsageError(`--required-scope: ${JSON.stringify(required)} is one of the --scope scopes, so the missingScope case could not lack it`)
  let kit: Awaited<ReturnType<typeof createTestKit>>
  try {
    kit = await createTestKit({
      alg,
      ttl: /^\d+(\.\d+)?$/.test(ttl) ? Number(ttl) : ttl,
      scope,
      now: parseNow(str(args, 'now'), io),
      ...(str(args, 'seed') ? { seed: str(args, 'seed')! } : {}),
      ...(str(args, 'iss') ? { issuer: str(args, 'iss')! } : {}),
      ...(str(args, 'aud') ? { audience: str(args, 'aud')! } : {}),
    })
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  let manifest: Awaited<ReturnType<typeof writeFixtures>>
  try {
    manifest = await writeFixtures(out, kit, required === undefined ? {} : { requiredScope: required })
  } catch (err) {
    if (err instanceof TypeError || (err as NodeJS.ErrnoException).code) throw new UsageError(`--out: ${(err as Error).message}`)
    throw err
  }
  const dir = resolve(out)
  const validUntil = new Date(manifest.validUntil * 1000).toISOString()
  if (args.json) emitJson(io, { dir, manifest: resolve(dir, 'manifest.json'), alg: manifest.alg, kid: manifest.kid, validUntil, cases: manifest.cases.map((c) => c.name) })
  else {
    io.out(
      `wrote ${manifest.cases.length} tokens, ${Object.values(manifest.keys)[0]} and manifest.json to ${dir}\n` +
        `expectations hold until ${validUntil} (--ttl ${ttl}; for fixtures committed to a repository, --ttl 3650d)\n` +
        `check them with: tokengate verify --fixtures ${out}`,
    )
  }
  return EXIT.ok
}

export const fixturesCommand: Command = {
  name: 'fixtures',
  summary: 'write a fixture directory: keys, one file per token, and a manifest of expected outcomes',
  usage: 'tokengate fixtures --out <dir> [options]',
  details:
    'Writes <dir>/manifest.json, <dir>/jwks.json (or secret.jwk.json for HS*) and <dir>/tokens/<case>.jwt:\n' +
    'valid, expired, notYetValid, wrongIssuer, wrongAudience, missingScope, badSignature, truncated,\n' +
    'algNone, hsWithPublicKey, untrustedKey, malformedHeader. Each case in the manifest carries the\n' +
    'scopes its request requires (the same for every case unless --required-scope is given, so one\n' +
    'route serves them all) and the status and reason a correct validator gives.\n' +
    'Valid tokens expire after --ttl (default 1h), and with them every expectation: for fixtures\n' +
    'committed to a repository and run by CI for years, pass --ttl 3650d.\n' +
    'Keys are derived from --seed: the same seed gives the same keys. Refuses a non-empty directory\n' +
    'unless it already holds tokengate fixtures (their tokens are then replaced).',
  options: {
    out: { type: 'string', value: '<dir>', description: 'directory to write (created if missing)' },
    seed: { type: 'string', value: '<seed>', description: 'key seed (default: the public default seed)' },
    alg: { type: 'string', value: '<alg>', description: 'signing algorithm (default RS256)' },
    iss: { type: 'string', value: '<issuer>', description: 'iss of the tokens (default https://issuer.tokengate.test/)' },
    aud: { type: 'string', value: '<audience>', description: 'aud of the tokens (default https://api.tokengate.test)' },
    scope: { type: 'string', value: '"<scopes>"', description: 'scopes valid tokens carry and every request requires, space-separated (default "read")' },
    'required-scope': { type: 'string', value: '<scope>', description: 'a scope the missingScope case alone requires (default: none; every case requires --scope)' },
    ttl: { type: 'string', value: '<duration>', description: 'lifetime of valid tokens, and of every expectation (default 1h; 3650d for fixtures kept in a repository)' },
    now: { type: 'string', value: '<time>', description: 'mint as of this instant: Unix seconds or ISO 8601' },
  },
  maxPositionals: 0,
  examples: ['tokengate fixtures --out test/fixtures/tokens --ttl 3650d', 'tokengate fixtures --out fx --alg ES256 --iss https://idp.example.com/ --aud https://api.example.com'],
  run,
}
