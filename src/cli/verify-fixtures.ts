/**
 * @module
 * `tokengate verify --fixtures <dir>`: every token of a fixture directory through the real
 * pipeline, each outcome compared with the manifest's expectation.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { readFixtureManifest, type FixtureManifest } from '../testing/fixtures.js'
import { str, type ParsedArgs } from './command.js'
import { EXIT, UsageError, type ExitCode } from './exit-codes.js'
import { emitJson, jsonErrorPosition, parseNow, readFlagFile, type Io } from './io.js'
import { buildVerify, claimChecks, commonOptions, keySourceFromFlags, parseJsonFile, type Outcome } from './verify-options.js'

async function manifestKeys(dir: string, manifest: FixtureManifest): Promise<Record<string, unknown>> {
  if ('jwks' in manifest.keys) return { jwks: parseJsonFile(await readFlagFile(join(dir, manifest.keys.jwks), 'fixtures'), 'fixtures') }
  const jwk = parseJsonFile(await readFlagFile(join(dir, manifest.keys.secret), 'fixtures'), 'fixtures') as { k?: unknown }
  if (typeof jwk.k !== 'string') throw new UsageError(`--fixtures: ${manifest.keys.secret} is not an "oct" JWK`)
  return { secret: new Uint8Array(Buffer.from(jwk.k, 'base64url')) }
}

export async function verifyFixtures(args: ParsedArgs, io: Io): Promise<ExitCode> {
  const dir = str(args, 'fixtures')!
  if (args.positionals.length > 0) throw new UsageError('--fixtures verifies the directory\'s tokens; give no token argument')
  if (str(args, 'scope') !== undefined) throw new UsageError('--fixtures takes each case\'s scopes from the manifest; give no --scope')
  let manifest: FixtureManifest
  try {
    manifest = await readFixtureManifest(dir)
  } catch (err) {
    throw new UsageError(err instanceof SyntaxError ? `--fixtures: ${join(dir, 'manifest.json')} is not valid JSON${jsonErrorPosition(err)}` : `--fixtures: ${(err as Error).message}`)
  }
  const keys = (await keySourceFromFlags(args)) ?? (await manifestKeys(dir, manifest))
  const verify = buildVerify({ ...claimChecks(args, manifest), ...keys, ...commonOptions(args, io) })
  const nowS = parseNow(str(args, 'now'), io)() / 1000
  if (nowS >= manifest.validUntil && !args.json) {
    io.err(`note: these fixtures expired at ${new Date(manifest.validUntil * 1000).toISOString()}; regenerate them (longer --ttl) or pass --now`)
  }
  const results: { name: string; expected: Outcome; actual: Outcome; pass: boolean }[] = []
  for (const c of manifest.cases) {
    const token = (await readFlagFile(join(dir, c.file), 'fixtures')).trim()
    const { outcome } = await verify(token, c.request.scopes)
    const expected = { status: c.expected.status, reason: c.expected.reason }
    results.push({ name: c.name, expected, actual: outcome, pass: outcome.status === expected.status && outcome.reason === expected.reason })
  }
  const failed = results.filter((r) => !r.pass).length
  if (args.json) {
    emitJson(io, { ok: failed === 0, passed: results.length - failed, failed, results })
  } else {
    const show = (o: Outcome) => (o.reason ? `${o.status} ${o.reason}` : `${o.status}`)
    const width = Math.max(...results.map((r) => r.name.length))
    for (const r of results) {
      io.out(r.pass ? `PASS  ${r.name.padEnd(width)}  ${show(r.actual)}` : `FAIL  ${r.name.padEnd(width)}  expected ${show(r.expected)}, got ${show(r.actual)}`)
    }
    io.out(`${results.length - failed}/${results.length} cases as expected`)
  }
  return failed === 0 ? EXIT.ok : EXIT.rejected
}
