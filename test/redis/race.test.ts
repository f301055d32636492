import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { exportJWK, generateKeyPair } from 'jose'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { createIssuer, type TokenPair } from '../../src/issuer/index.js'
import { redisStore } from '../../src/redis/index.js'
import { AUDIENCE, bearer, Clock, expectIssuerError, expectReject, ISSUER, verifierFor } from '../issuer/helpers.js'
import { startRedis } from './redis-server.js'

const server = await startRedis()
const client = server.available ? new Redis(server.url, { maxRetriesPerRequest: 1 }) : undefined
afterAll(async () => {
  await client?.quit()
  await server.stop()
})

interface Outcome {
  won: TokenPair[]
  reasons: string[]
}

/** Starts one worker process; resolves `ready` once it can fire, `done` with its outcomes. */
function worker(args: string[], key: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./race-worker.ts', import.meta.url).pathname, ...args], {
    env: { ...process.env, RACE_KEY: key },
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
  const next = async (): Promise<string> => {
    const line = await lines.next()
    if (line.done) throw new Error(`race worker exited early (code ${child.exitCode})`)
    return line.value
  }
  return {
    ready: next().then((l) => expect(l).toBe('ready')),
    go: () => child.stdin!.end('go\n'),
    done: async (): Promise<Outcome> => JSON.parse(await next()) as Outcome,
  }
}

describe.skipIf(!server.available)('refresh race across two processes on one Redis', () => {
  it('lets exactly one of 2 × 8 concurrent refreshes win, and revokes the family', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true })
    const jwk = await exportJWK(privateKey)
    const prefix = `race${process.pid}:`
    const clock = new Clock()
    clock.ms = Date.now() // the workers run on the real clock
    const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE, keys: [{ privateKey: jwk, kid: 'race' }], now: clock.now, store: redisStore({ client: client!, prefix }) })
    const pair = await issuer.issue({ sub: 'alice' })

    const workers = [1, 2].map(() => worker([server.available ? server.url : '', prefix, pair.refreshToken, '8'], JSON.stringify(jwk)))
    await Promise.all(workers.map((w) => w.ready))
    for (const w of workers) w.go()
    const outcomes = await Promise.all(workers.map((w) => w.done()))

    const won = outcomes.flatMap((o) => o.won)
    expect(won).toHaveLength(1)
    expect(outcomes.flatMap((o) => o.reasons)).toEqual(Array(15).fill('refresh_token_reused'))
    // The workers' tokens carry their (real) iat: on a loaded machine they start well after
    // this test's clock was set, and a stale clock would see them as issued in the future.
    clock.ms = Date.now()
    const verify = verifierFor(issuer, clock)
    await expectReject(verify(bearer(won[0]!.accessToken)), 'token_revoked')
    await expectReject(verify(bearer(pair.accessToken)), 'token_revoked')
    await expectIssuerError(issuer.refresh(won[0]!.refreshToken), 'refresh_token_revoked')
  }, 90_000) // two tsx worker processes: slow to start on a loaded machine
})
