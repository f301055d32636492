/**
 * @module
 * `tokengate apikey create|list|revoke|rotate`: manage the API keys of a shared store (Redis),
 * the one the API's `redisApiKeyStore` reads. A memory store would die with the command, so
 * there is none here. The key is printed once, by `create` and `rotate`; `list` shows records
 * only, and the Redis URL (it may hold a password) is never echoed.
 */
import type { Redis } from 'ioredis'
import { createApiKeys, type ApiKeys, type CreatedApiKey } from '../apikeys/create-api-keys.js'
import { BearerError } from '../errors/bearer-error.js'
import { ConfigError } from '../errors/config-error.js'
import type { ApiKeyInfo } from '../lib/result.js'
import { redisApiKeyStore } from '../redis/api-key-store.js'
import { list, str, type Command, type ParsedArgs } from './command.js'
import { EXIT, UsageError, type ExitCode } from './exit-codes.js'
import { emitJson, readJsonObject, type Io } from './io.js'
import { isoDate, relative } from './time.js'

const SUBCOMMANDS = ['create', 'list', 'revoke', 'rotate'] as const
type Subcommand = (typeof SUBCOMMANDS)[number]

/** Where the store is, without its credentials: `host:port`. */
function redisWhere(url: string): string {
  try {
    const u = new URL(url)
    return u.host || 'localhost:6379'
  } catch {
    return 'the given URL'
  }
}

async function connect(url: string): Promise<Redis> {
  let RedisClass: typeof import('ioredis').Redis
  try {
    RedisClass = (await import('ioredis')).Redis
  } catch {
    throw new UsageError('--redis needs the ioredis package: npm install ioredis')
  }
  if (!/^rediss?:\/\//.test(url)) throw new UsageError('--redis: expected a redis:// or rediss:// URL')
  const client = new RedisClass(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => null, connectTimeout: 5000 })
  client.on('error', () => {})
  try {
    await client.connect()
  } catch (err) {
    client.disconnect()
    throw new StoreUnavailable(`cannot reach Redis at ${redisWhere(url)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).name})`)
  }
  return client
}

class StoreUnavailable extends Error {}

function duration(args: ParsedArgs, flag: string): string | number | undefined {
  const v = str(args, flag)
  return v !== undefined && /^\d+(\.\d+)?$/.test(v) ? Number(v) : v
}

/** `--rate-limit 100/1m` → `{ points: 100, duration: '1m' }`. */
function rateLimit(args: ParsedArgs): { points: number; duration: string | number } | undefined {
  const v = str(args, 'rate-limit')
  if (v === undefined) return undefined
  const m = /^(\d+)\/(.+)$/.exec(v)
  if (!m) throw new UsageError(`--rate-limit: expected <points>/<duration>, e.g. 100/1m; got ${JSON.stringify(v)}`)
  return { points: Number(m[1]), duration: /^\d+(\.\d+)?$/.test(m[2]!) ? Number(m[2]) : m[2]! }
}

function status(k: ApiKeyInfo, nowS: number): string {
  if (k.revokedAt !== undefined && k.revokedAt <= nowS) return k.rotatedTo ? `rotated to ${k.rotatedTo}` : 'revoked'
  if (k.expiresAt !== undefined && k.expiresAt <= nowS) return k.rotatedTo ? `rotated to ${k.rotatedTo}` : 'expired'
  return 'active'
}

function describeKey(k: ApiKeyInfo, nowS: number): string[] {
  const when = (t: number | undefined, none: string) => (t === undefined ? none : `${isoDate(t)} (${relative(t, nowS)})`)
  return [
    `  name       ${k.name}`,
    `  owner      ${k.owner ?? '(none)'}`,
    `  scopes     ${k.scopes.join(' ') || '(none)'}`,
    `  created    ${when(k.createdAt, '')}`,
    `  expires    ${when(k.expiresAt, 'never')}`,
    `  last used  ${when(k.lastUsedAt, 'never')}`,
    `  status     ${status(k, nowS)}`,
  ]
}

function printCreated(io: Io, args: ParsedArgs, created: CreatedApiKey, verb: string, nowS: number): void {
  if (args.json) return emitJson(io, created)
  const { key, ...record } = created
  io.out([`${verb} API key ${record.id}`, ...describeKey(record, nowS), '', 'The key (shown this once; only its hash is stored):', key].join('\n'))
}

async function runSubcommand(sub: Subcommand, apiKeys: ApiKeys, args: ParsedArgs, io: Io): Promise<ExitCode> {
  const nowS = Math.floor(io.now() / 1000)
  const id = args.positionals[1]
  if ((sub === 'revoke' || sub === 'rotate') && id === undefined) throw new UsageError(`apikey ${sub} needs the key id: tokengate apikey ${sub} <id>`)
  if ((sub === 'create' || sub === 'list') && id !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(id)}`)
  switch (sub) {
    case 'create': {
      const name = str(args, 'name')
      if (name === undefined) throw new UsageError('--name is required: a label such as "billing export"')
      const claims = str(args, 'claims')
      const created = await apiKeys.create({
        name,
        ...(str(args, 'owner') !== undefined ? { owner: str(args, 'owner')! } : {}),
        scopes: list(args, 'scope').flatMap((s) => s.split(' ').filter(Boolean)),
        ...(duration(args, 'expires-in') !== undefined ? { expiresIn: duration(args, 'expires-in')! } : {}),
        ...(claims !== undefined ? { claims: await readJsonObject(claims, 'claims') } : {}),
        ...(rateLimit(args) ? { rateLimit: rateLimit(args)! } : {}),
      })
      printCreated(io, args, created, 'created', nowS)
      return EXIT.ok
    }
    case 'rotate': {
      const overlap = duration(args, 'overlap')
      const expiresIn = duration(args, 'expires-in')
      const created = await apiKeys.rotate(id!, { ...(overlap !== undefined ? { overlap } : {}), ...(expiresIn !== undefined ? { expiresIn } : {}) })
      printCreated(io, args, created, `rotated ${id} to`, nowS)
      return EXIT.ok
    }
    case 'list': {
      const keys = await apiKeys.list(str(args, 'owner'))
      if (args.json) emitJson(io, keys)
      else if (keys.length === 0) io.out('no API keys')
      else io.out(keys.map((k) => [`${k.id}`, ...describeKey(k, nowS)].join('\n')).join('\n\n'))
      return EXIT.ok
    }
    case 'revoke': {
      const found = await apiKeys.revoke(id!)
      if (args.json) emitJson(io, { id, revoked: found })
      else io.out(found ? `revoked ${id}` : `no API key ${id}`)
      return found ? EXIT.ok : EXIT.rejected
    }
  }
}

async function run(args: ParsedArgs, io: Io): Promise<ExitCode> {
  const sub = args.positionals[0] as Subcommand | undefined
  if (sub === undefined || !SUBCOMMANDS.includes(sub)) throw new UsageError(`expected a subcommand: ${SUBCOMMANDS.join(', ')}`)
  const url = str(args, 'redis') ?? (process.env.TOKENGATE_REDIS_URL || undefined)
  if (url === undefined) throw new UsageError('--redis <url> (or TOKENGATE_REDIS_URL) is required: the Redis your API\'s redisApiKeyStore uses')
  const prefix = str(args, 'prefix')
  if (prefix === undefined && (sub === 'create' || sub === 'rotate')) throw new UsageError('--prefix is required: the prefix your API\'s createApiKeys uses, e.g. acme')
  let client: Redis
  try {
    client = await connect(url)
  } catch (err) {
    if (!(err instanceof StoreUnavailable)) throw err
    if (args.json) emitJson(io, { error: { type: 'unavailable', message: err.message } })
    io.err(`tokengate apikey: ${err.message}`)
    return EXIT.unavailable
  }
  try {
    const store = redisApiKeyStore({ client, ...(str(args, 'redis-prefix') !== undefined ? { prefix: str(args, 'redis-prefix')! } : {}), timeout: '5s' })
    // list and revoke never format a key: any valid prefix will do for them.
    const apiKeys = createApiKeys({ prefix: prefix ?? 'tg', store, now: () => io.now() })
    return await runSubcommand(sub, apiKeys, args, io)
  } catch (err) {
    if (ConfigError.is(err)) throw new UsageError(err.message.replace(/^tokengate: invalid (apiKeys|redisApiKeyStore) option /, ''))
    // The store failed mid-command (ioredis errors, our timeout): the same as unreachable.
    if (BearerError.is(err) || (err instanceof Error && /Redis|ECONN|Connection|Stream isn't writeable|READONLY|LOADING/i.test(err.message))) {
      if (args.json) emitJson(io, { error: { type: 'unavailable', message: 'the Redis store failed' } })
      io.err(`tokengate apikey: the Redis store at ${redisWhere(url)} failed`)
      return EXIT.unavailable
    }
    throw err
  } finally {
    client.disconnect()
  }
}

export const apikeyCommand: Command = {
  name: 'apikey',
  summary: 'create, list, revoke and rotate API keys in a Redis store',
  usage:
    'tokengate apikey create --prefix <prefix> --name <name> [--owner <id>] [--scope <scope>]... [--expires-in <duration>] [--rate-limit <points>/<duration>] [--claims <json|@file>]\n' +
    '       tokengate apikey list [--owner <id>]\n' +
    '       tokengate apikey revoke <id>\n' +
    '       tokengate apikey rotate <id> --prefix <prefix> [--overlap <duration>] [--expires-in <duration>]\n' +
    '       (each with --redis <url>, or TOKENGATE_REDIS_URL)',
  details:
    'Works on the store your API reads with redisApiKeyStore({ client, prefix }) from tokengate/redis:\n' +
    'give the same Redis (--redis) and Redis prefix (--redis-prefix, default tokengate:apikeys:), and for\n' +
    'create and rotate the same key prefix as createApiKeys({ prefix }). The key is printed once, by\n' +
    'create and rotate; only its SHA-256 is stored. revoke exits 1 when no key has that id; a store\n' +
    'that cannot be reached exits 3. Key format: docs/apikeys.md.',
  options: {
    redis: { type: 'string', value: '<url>', description: 'the Redis store: redis://[user:password@]host:port[/db] (default: $TOKENGATE_REDIS_URL)' },
    'redis-prefix': { type: 'string', value: '<prefix>', description: 'prefix of the store\'s Redis keys (default tokengate:apikeys:)' },
    prefix: { type: 'string', value: '<prefix>', description: 'the key prefix, e.g. acme for acme_… keys (create, rotate)' },
    name: { type: 'string', value: '<name>', description: 'create: a label for people, e.g. "billing export"' },
    owner: { type: 'string', value: '<id>', description: 'create: who the key acts for (its sub); list: only this owner\'s keys' },
    scope: { type: 'string', value: '<scope>', multiple: true, description: 'create: a scope the key grants' },
    'expires-in': { type: 'string', value: '<duration>', description: 'create, rotate: lifetime, e.g. 90d (default: create never, rotate as the old key)' },
    'rate-limit': { type: 'string', value: '<points>/<duration>', description: 'create: this key\'s own limit, e.g. 100/1m' },
    claims: { type: 'string', value: '<json|@file>', description: 'create: extra claims (a JSON object, or @path)' },
    overlap: { type: 'string', value: '<duration>', description: 'rotate: how long the old key keeps working (default: it stops at once)' },
  },
  maxPositionals: 2,
  examples: [
    'tokengate apikey create --redis redis://127.0.0.1:6379 --prefix acme --name "billing export" --owner team-billing --scope read:invoices --expires-in 90d',
    'TOKENGATE_REDIS_URL=redis://127.0.0.1:6379 tokengate apikey list --owner team-billing',
    'tokengate apikey revoke 0fTq3XbLm9Kp --redis redis://127.0.0.1:6379',
    'tokengate apikey rotate 0fTq3XbLm9Kp --redis redis://127.0.0.1:6379 --prefix acme --overlap 1h --json | jq -r .key',
  ],
  run,
}
