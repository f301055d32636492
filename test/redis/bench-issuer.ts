/**
 * Rough per-operation cost of the issuer on each store, sequential, one process:
 *   npx tsx test/redis/bench-issuer.ts [iterations=500]
 * Starts its own redis-server (see redis-server.ts). Not a test: numbers vary by machine.
 */
import { Redis } from 'ioredis'
import { createIssuer, memoryStore, type IssuerStore } from '../../src/issuer/index.js'
import { redisStore } from '../../src/redis/index.js'
import { startRedis } from './redis-server.js'

const N = Number(process.argv[2] ?? 500)
const server = await startRedis()
const client = server.available ? new Redis(server.url) : undefined

async function measure(name: string, store: IssuerStore): Promise<void> {
  const issuer = createIssuer({ issuer: 'https://bench/', audience: 'api', store })
  const claims = { iss: 'https://bench/', sub: 'u', jti: 'j', sid: 's', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 60 }
  let pair = await issuer.issue({ sub: 'u' })
  const time = async (op: string, fn: () => Promise<unknown>) => {
    const t0 = performance.now()
    for (let i = 0; i < N; i++) await fn()
    console.log(`${name.padEnd(7)} ${op.padEnd(10)} ${((performance.now() - t0) / N).toFixed(3)} ms/op`)
  }
  await time('issue', () => issuer.issue({ sub: 'u', scopes: ['read'] }))
  await time('refresh', async () => void (pair = await issuer.refresh(pair.refreshToken)))
  await time('isRevoked', () => issuer.isRevoked(claims))
}

console.log(`node ${process.version}, ${N} sequential operations each`)
await measure('memory', memoryStore())
if (client) await measure('redis', redisStore({ client, prefix: `bench${process.pid}:` }))
await client?.quit()
await server.stop()
