/**
 * One of the two processes of the cross-process race (race.test.ts): connects to Redis,
 * says "ready", waits for "go" on stdin, fires its refreshes of one token at once, and
 * prints the outcomes as JSON. argv: redis-url prefix refresh-token count; env RACE_KEY: the shared private JWK.
 */
import { Redis } from 'ioredis'
import { createIssuer, IssuerError, type TokenPair } from '../../src/issuer/index.js'
import { redisStore } from '../../src/redis/index.js'
import { AUDIENCE, ISSUER } from '../issuer/helpers.js'

const [url, prefix, token, count] = process.argv.slice(2) as [string, string, string, string]
const client = new Redis(url, { maxRetriesPerRequest: 1 })
const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE, keys: [{ privateKey: JSON.parse(process.env.RACE_KEY!), kid: 'race' }], store: redisStore({ client, prefix }) })
await issuer.jwks() // keys loaded and Redis connected before the start signal
await client.ping()
process.stdout.write('ready\n')
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()))
const results = await Promise.allSettled(Array.from({ length: Number(count) }, () => issuer.refresh(token)))
const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value as TokenPair] : []))
const reasons = results.flatMap((r) => (r.status === 'rejected' ? [IssuerError.is(r.reason) ? r.reason.reason : String(r.reason)] : []))
process.stdout.write(`${JSON.stringify({ won, reasons })}\n`)
await client.quit()
