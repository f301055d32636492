/**
 * @module
 * A fixture directory for any CI, JavaScript or not: the public keys, one file per token,
 * and a manifest of what a correct validator must answer for each.
 *
 * ```
 * <dir>/manifest.json      issuer, audience, keys, validity window, cases with expected outcomes
 * <dir>/jwks.json          public keys (asymmetric algorithms)
 * <dir>/secret.jwk.json    the shared secret as an "oct" JWK (HS* only)
 * <dir>/tokens/<case>.jwt  each token, no trailing newline
 * ```
 */
import { ConfigError } from '../errors/config-error.js'
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { encodeBase64url } from '../lib/base64url.js'
import { CASE_DESCRIPTIONS, EXPECTED_OUTCOMES, type ExpectedOutcome, type TokenCase } from './outcomes.js'
import type { TestKit } from './test-kit.js'

/** The manifest format version; bumped on incompatible changes. */
export const FIXTURE_MANIFEST_VERSION = 1

/** One token of a fixture directory and what a correct validator answers. */
export interface FixtureCase {
  readonly name: TokenCase
  readonly description: string
  /** Path of the token file, relative to the directory. */
  readonly file: string
  readonly token: string
  /** What the request requires: verify with these scopes. */
  readonly request: { readonly scopes: readonly string[] }
  readonly expected: ExpectedOutcome
}

/** `manifest.json` of a fixture directory. */
export interface FixtureManifest {
  readonly version: typeof FIXTURE_MANIFEST_VERSION
  readonly generator: 'tokengate'
  readonly issuer: string
  readonly audience: string
  readonly alg: string
  readonly kid: string | null
  /** Key files, relative to the directory: `jwks` for asymmetric algorithms, `secret` (an oct JWK) for HS*. */
  readonly keys: { readonly jwks: string } | { readonly secret: string }
  /** When the tokens were minted (Unix seconds). */
  readonly issuedAt: number
  /** Until when every expectation holds (Unix seconds): the valid tokens' `exp`. */
  readonly validUntil: number
  readonly cases: readonly FixtureCase[]
}

/** Options of `buildFixtures` / `writeFixtures`. */
export interface FixtureOptions {
  /**
   * A scope the kit does not grant, for the `missingScope` case's request only. Default: none —
   * every case's request requires the kit's scopes, so one route serves every case, and the
   * `missingScope` token lacks the first of them (a kit without scopes falls back to `'admin'`).
   */
  readonly requiredScope?: string
}

/** A fixture set in memory: the manifest and every file, by relative path. */
export interface FixtureSet {
  readonly manifest: FixtureManifest
  readonly files: Readonly<Record<string, string>>
}

/**
 * Mints every case of the kit into a fixture set (files not written). HS* kits have no
 * `hsWithPublicKey` case (there is no public key to confuse).
 *
 * Import from `tokengate/testing`.
 *
 * @example
 * const { manifest, files } = await buildFixtures(await createTestKit({ ttl: '3650d' }))
 */
export async function buildFixtures(kit: TestKit, options: FixtureOptions = {}): Promise<FixtureSet> {
  // One route for every case (what a CI loop over the tokens needs) unless a scope is named.
  const oneRoute = options.requiredScope === undefined && kit.scopes.length > 0
  const required = options.requiredScope ?? 'admin'
  if (!oneRoute && kit.scopes.includes(required)) throw new ConfigError('testing', 'requiredScope', `${JSON.stringify(required)} is one of the kit's scopes; name a scope the kit does not grant`)
  const symmetric = kit.secret !== undefined
  const mint: Record<TokenCase, () => Promise<string>> = {
    valid: () => kit.valid(),
    expired: () => kit.expired(),
    notYetValid: () => kit.notYetValid(),
    wrongIssuer: () => kit.wrongIssuer(),
    wrongAudience: () => kit.wrongAudience(),
    missingScope: () => kit.missingScope(oneRoute ? kit.scopes[0]! : required),
    badSignature: () => kit.badSignature(),
    truncated: () => kit.truncated(),
    algNone: () => kit.algNone(),
    hsWithPublicKey: () => kit.hsWithPublicKey(),
    untrustedKey: () => kit.untrustedKey(),
    malformedHeader: () => kit.malformedHeader(),
  }
  const files: Record<string, string> = {}
  const cases: FixtureCase[] = []
  for (const name of Object.keys(mint) as TokenCase[]) {
    if (symmetric && name === 'hsWithPublicKey') continue
    const file = `tokens/${name}.jwt`
    const token = await mint[name]()
    files[file] = token
    cases.push({
      name,
      description: CASE_DESCRIPTIONS[name],
      file,
      token,
      request: { scopes: name === 'missingScope' && !oneRoute ? [required] : [...kit.scopes] },
      expected: EXPECTED_OUTCOMES[name],
    })
  }
  let keys: FixtureManifest['keys']
  if (symmetric) {
    keys = { secret: 'secret.jwk.json' }
    files[keys.secret] = `${JSON.stringify({ kty: 'oct', k: encodeBase64url(kit.secret!), alg: kit.alg }, null, 2)}\n`
  } else {
    keys = { jwks: 'jwks.json' }
    files[keys.jwks] = `${JSON.stringify(kit.jwks, null, 2)}\n`
  }
  const issuedAt = Math.floor(kit.now() / 1000)
  const manifest: FixtureManifest = {
    version: FIXTURE_MANIFEST_VERSION,
    generator: 'tokengate',
    issuer: kit.issuer,
    audience: kit.audience,
    alg: kit.alg,
    kid: kit.kid ?? null,
    keys,
    issuedAt,
    validUntil: issuedAt + kit.ttl,
    cases,
  }
  files['manifest.json'] = `${JSON.stringify(manifest, null, 2)}\n`
  return { manifest, files }
}

/**
 * Writes a fixture set to `dir`. Refuses a non-empty directory that is not a fixture
 * directory; in one, replaces the previous tokens.
 *
 * @example
 * const manifest = await writeFixtures('fixtures/', await createTestKit(), { ttl: '3650d' })
 * // fixtures/jwks.json, fixtures/tokens/*.jwt, fixtures/manifest.json (expected status and reason per token)
 */
export async function writeFixtures(dir: string, kit: TestKit, options: FixtureOptions = {}): Promise<FixtureManifest> {
  const existing = await readdir(dir).catch(() => [] as string[])
  if (existing.length > 0) {
    const previous = await readFile(join(dir, 'manifest.json'), 'utf8').catch(() => '')
    if (!previous.includes('"generator": "tokengate"')) {
      throw new ConfigError('testing', 'dir', `${dir} is not empty and holds no tokengate manifest.json; refusing to write there (give an empty or new directory)`)
    }
    await rm(join(dir, 'tokens'), { recursive: true, force: true })
  }
  const { manifest, files } = await buildFixtures(kit, options)
  await mkdir(join(dir, 'tokens'), { recursive: true })
  for (const [path, content] of Object.entries(files)) await writeFile(join(dir, path), content)
  return manifest
}

/**
 * Reads and checks `manifest.json` of a fixture directory.
 *
 * @example
 * for (const c of (await readFixtureManifest('fixtures/')).cases) console.log(c.file, c.expected)
 */
export async function readFixtureManifest(dir: string): Promise<FixtureManifest> {
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as FixtureManifest
  if (manifest?.generator !== 'tokengate' || manifest.version !== FIXTURE_MANIFEST_VERSION || !Array.isArray(manifest.cases)) {
    throw new TypeError(`${join(dir, 'manifest.json')}: not a tokengate fixture manifest (version ${FIXTURE_MANIFEST_VERSION})`)
  }
  return manifest
}
