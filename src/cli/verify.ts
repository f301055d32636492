/**
 * @module
 * `tokengate verify`: run the real tokengate pipeline (`createVerifier`) on a token, or on
 * every case of a fixture directory (`--fixtures`), and report the outcome and exit code.
 */
import { list, str, type Command, type ParsedArgs } from './command.js'
import { EXIT, UsageError, type ExitCode } from './exit-codes.js'
import { emitJson, parseNow, readToken, type Io } from './io.js'
import { isoDate, relative } from './time.js'
import { verifyFixtures } from './verify-fixtures.js'
import { buildVerify, claimChecks, commonOptions, keySourceFromFlags, type Outcome, type RejectionCause } from './verify-options.js'

function exitFor(outcome: Outcome): ExitCode {
  if (outcome.status === 200) return EXIT.ok
  return outcome.status === 503 ? EXIT.unavailable : EXIT.rejected
}

async function run(args: ParsedArgs, io: Io): Promise<ExitCode> {
  if (str(args, 'fixtures') !== undefined) return verifyFixtures(args, io)
  const keys = await keySourceFromFlags(args)
  if (!keys) throw new UsageError('a key source is required: --jwks-uri <url>, --jwks <file> or --secret-file <file>')
  const verify = buildVerify({ ...claimChecks(args), ...keys, ...commonOptions(args, io) })
  const token = await readToken(args.positionals[0], io)
  const { outcome, detail } = await verify(token, list(args, 'scope'))
  if (args.json) {
    emitJson(io, { valid: outcome.status === 200, ...outcome, ...detail })
    return exitFor(outcome)
  }
  if (outcome.status === 200) {
    const claims = detail.claims as Record<string, unknown>
    const nowS = parseNow(str(args, 'now'), io)() / 1000
    const lines = [`accepted: 200`]
    for (const claim of ['sub', 'iss', 'aud', 'client_id'] as const) if (claims[claim] !== undefined) lines.push(`  ${claim.padEnd(9)} ${JSON.stringify(claims[claim])}`)
    lines.push(`  scopes    ${(detail.scopes as string[]).join(' ') || '(none)'}`)
    lines.push(`  expires   ${isoDate(claims.exp)} (${relative(claims.exp as number, nowS)})`)
    io.out(lines.join('\n'))
  } else {
    const cause = detail.cause as RejectionCause | undefined
    io.out(
      [
        `rejected: ${outcome.status} ${outcome.reason}`,
        `  ${detail.message}`,
        ...(cause ? [`  cause: ${cause.message}`] : []),
        ...(detail.wwwAuthenticate ? [`  WWW-Authenticate: ${detail.wwwAuthenticate}`] : []),
      ].join('\n'),
    )
  }
  return exitFor(outcome)
}

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'run the real tokengate pipeline on a token (or on a fixture directory)',
  usage: 'tokengate verify [token | -] (--jwks-uri <url> | --jwks <file> | --secret-file <file>) --issuer <iss> --audience <aud> [options]\n       tokengate verify --fixtures <dir> [options]',
  details:
    'Reads the token from the argument, or stdin when it is "-" or absent ("Bearer " is stripped).\n' +
    'Prints "accepted: 200" or "rejected: <status> <reason>" (reasons: see the tokengate README), with the\n' +
    'cause when there is one: expected vs actual iss/aud, the key URL and its HTTP status or network error.\n' +
    'With --fixtures, verifies every token of a `tokengate fixtures` directory against its manifest;\n' +
    'key source, issuer and audience default to the manifest\'s and may be overridden by the flags.',
  options: {
    'jwks-uri': { type: 'string', value: '<url>', description: 'fetch keys from this JWKS URL' },
    jwks: { type: 'string', value: '<file>', description: 'trust the keys of this JWKS file' },
    'secret-file': { type: 'string', value: '<file>', description: 'HS*: the shared secret, as the file\'s text (one trailing newline dropped)' },
    issuer: { type: 'string', value: '<iss>', multiple: true, description: 'accepted iss' },
    'any-issuer': { type: 'boolean', description: 'skip the iss check (not recommended)' },
    audience: { type: 'string', value: '<aud>', multiple: true, description: 'accepted aud' },
    'any-audience': { type: 'boolean', description: 'skip the aud check (not recommended)' },
    scope: { type: 'string', value: '<scope>', multiple: true, description: 'scope the request requires' },
    alg: { type: 'string', value: '<alg>', multiple: true, description: 'allowed algorithm (default: what the key source supports)' },
    typ: { type: 'string', value: '<typ>', description: 'required typ header, e.g. at+jwt' },
    'clock-tolerance': { type: 'string', value: '<duration>', description: 'leeway for exp/nbf/iat (default 5s)' },
    timeout: { type: 'string', value: '<duration>', description: 'JWKS fetch timeout (default 5s)' },
    now: { type: 'string', value: '<time>', description: 'verify as of this instant: Unix seconds or ISO 8601' },
    fixtures: { type: 'string', value: '<dir>', description: 'verify every case of a fixture directory against its manifest' },
    'accept-bound': { type: 'boolean', description: 'accept a token with cnf (DPoP- or certificate-bound) without its proof, to inspect it' },
  },
  maxPositionals: 1,
  examples: [
    'tokengate verify "$TOKEN" --jwks-uri https://idp.example.com/.well-known/jwks.json --issuer https://idp.example.com/ --audience https://api.example.com --scope read:orders',
    'tokengate verify --fixtures ./fixtures',
    'tokengate verify "$TOKEN" --jwks jwks.json --any-issuer --audience api --json | jq -r .reason',
  ],
  run,
}
