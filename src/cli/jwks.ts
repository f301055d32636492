/**
 * @module
 * `tokengate jwks snapshot`: fetch a key set as a verifier would (same size cap, timeout and
 * key checks; discovery with --issuer) and write it as a `JwksSnapshot`, to bundle at deploy
 * time and seed a key store (`memoryKeyStore({ snapshots })`) so a cold start has keys.
 */
import { writeFile } from 'node:fs/promises'
import { ASYMMETRIC_ALGORITHMS } from '../keys/algorithms.js'
import { discoveryJwks } from '../keys/discovery.js'
import type { KeySourceEvent } from '../keys/key-source.js'
import { parseSnapshot, type JwksSnapshot } from '../keys/key-store.js'
import { remoteJwks } from '../keys/remote-jwks.js'
import { str, type Command } from './command.js'
import { EXIT, UsageError } from './exit-codes.js'
import { emitJson, type Io } from './io.js'

function source(url: string | undefined, issuer: string | undefined, capture: (value: string) => void) {
  const keyStore = { get: () => undefined, set: (_key: string, value: string) => capture(value) }
  try {
    if (issuer !== undefined) return discoveryJwks(issuer, { keyStore, ...(url === undefined ? {} : { url }) })
    return remoteJwks(url!, { keyStore })
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}

export const jwksCommand: Command = {
  name: 'jwks',
  summary: 'snapshot a remote key set (JWKS) to bundle at deploy time',
  usage: 'tokengate jwks snapshot <jwks-url> [--out <file>] | tokengate jwks snapshot --issuer <url> [<metadata-url>] [--out <file>]',
  details: [
    'Fetches the key set as a verifier would (1 MiB cap, 5 s timeout, every key checked; with',
    '--issuer, found through OpenID Connect / RFC 8414 discovery) and writes it as a snapshot:',
    'the public keys, where they came from, when, and how long they are fresh. Seed a store with',
    'it so a cold start has keys: memoryKeyStore({ snapshots: [snapshot] }). The usual freshness',
    'and stale rules apply to it (a snapshot is fresh for the lifetime the server gave it, capped',
    'by the verifier\'s bounds; past that it only serves while the key server is failing).',
  ].join('\n'),
  options: {
    issuer: { type: 'string', value: '<url>', description: 'discover the JWKS URL from this issuer (its metadata URL may follow as an argument)' },
    out: { type: 'string', short: 'o', value: '<file>', description: 'write the snapshot here instead of stdout' },
  },
  maxPositionals: 2,
  examples: [
    'tokengate jwks snapshot https://idp.example.com/.well-known/jwks.json --out src/jwks.snapshot.json',
    'tokengate jwks snapshot --issuer https://idp.example.com/ -o jwks.snapshot.json',
  ],
  async run(args, io: Io) {
    const [action, url] = args.positionals
    if (action !== 'snapshot') throw new UsageError(action === undefined ? 'expected a subcommand: snapshot' : `unknown subcommand ${JSON.stringify(action)}; expected snapshot`)
    const issuer = str(args, 'issuer')
    if (url === undefined && issuer === undefined) throw new UsageError('expected the JWKS URL, or --issuer for discovery')
    let written: string | undefined
    const events: KeySourceEvent[] = []
    const keys = source(url, issuer, (value) => (written = value))({
      algorithms: new Set(ASYMMETRIC_ALGORITHMS),
      onEvent: (e) => void events.push(e),
      fetch: (input, init) => globalThis.fetch(input, init),
      now: () => io.now(),
    })
    try {
      await keys.warm?.()
      // The store write follows the fetch by a microtask.
      await new Promise((resolve) => setTimeout(resolve, 0))
    } catch {
      const failure = events.find((e) => e.type === 'jwks_error')
      const why = failure?.type === 'jwks_error' ? `${failure.code}: ${failure.error}` : 'the key set could not be fetched'
      if (args.json) emitJson(io, { error: { type: 'unavailable', message: why } })
      io.err(`tokengate jwks snapshot: ${why}`)
      return EXIT.unavailable
    }
    const snapshot = parseSnapshot(written) as JwksSnapshot
    for (const e of events) if (e.type === 'key_skipped') io.err(`skipped key ${e.kid ?? '(no kid)'}: ${e.reason}`)
    const keyCount = (snapshot.jwks as { keys: unknown[] }).keys.length
    const text = `${JSON.stringify(snapshot, null, 2)}\n`
    const out = str(args, 'out')
    if (out === undefined) {
      io.out(text)
      return EXIT.ok
    }
    try {
      await writeFile(out, text)
    } catch (err) {
      throw new UsageError(`--out: cannot write ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
    }
    const summary = { written: out, uri: snapshot.uri, keys: keyCount, fetchedAt: new Date(snapshot.fetchedAt).toISOString(), freshUntil: new Date(snapshot.freshUntil).toISOString() }
    if (args.json) emitJson(io, summary)
    else io.out(`wrote ${out}: ${keyCount} key${keyCount === 1 ? '' : 's'} from ${snapshot.uri}, fresh until ${summary.freshUntil}`)
    return EXIT.ok
  },
}
