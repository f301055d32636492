/**
 * A real redis-server for the Redis tests, on 127.0.0.1 and an ephemeral port, stopped after
 * the file. `TOKENGATE_REDIS_URL` points the tests at a running server instead. Without
 * redis-server the tests skip with a visible message, except under CI (CI=true), where a
 * missing Redis fails the run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { Redis } from 'ioredis'

export type RedisServer =
  | { readonly available: true; readonly url: string; stop(): Promise<void> }
  | { readonly available: false; readonly why: string; stop(): Promise<void> }

/** A port that was free a moment ago (listen(0), then closed). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

async function ping(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null })
  client.on('error', () => {})
  try {
    await client.connect()
    return (await client.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    client.disconnect()
  }
}

function stopper(child: ChildProcess): () => Promise<void> {
  const kill = (): void => void child.kill('SIGTERM')
  process.once('exit', kill)
  return () =>
    new Promise((resolve) => {
      process.off('exit', kill)
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      child.once('exit', () => resolve())
      kill()
    })
}

async function spawnRedis(): Promise<{ url: string; stop(): Promise<void> } | string> {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' })
  if (probe.error) return `redis-server not found (${(probe.error as NodeJS.ErrnoException).code}); install it (apt-get install -y redis-server) or set TOKENGATE_REDIS_URL`
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort()
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: 'ignore' })
    const url = `redis://127.0.0.1:${port}`
    const stop = stopper(child)
    for (let i = 0; i < 100 && child.exitCode === null; i++) {
      if (await ping(url)) return { url, stop }
      await new Promise((r) => setTimeout(r, 50))
    }
    await stop() // lost the port race, or did not start: try another port
  }
  return 'redis-server did not start on 127.0.0.1'
}

/** Starts (or finds) Redis for one test file. */
export async function startRedis(): Promise<RedisServer> {
  const given = process.env.TOKENGATE_REDIS_URL
  const started = given ? ((await ping(given)) ? { url: given, stop: async () => {} } : `TOKENGATE_REDIS_URL=${given} does not answer PING`) : await spawnRedis()
  if (typeof started !== 'string') return { available: true, ...started }
  const ci = process.env.CI !== undefined && !['', '0', 'false'].includes(process.env.CI.toLowerCase())
  if (ci) throw new Error(`Redis tests cannot run under CI: ${started}`)
  console.warn(`\n[tokengate] SKIPPING Redis tests: ${started}\n`)
  return { available: false, why: started, stop: async () => {} }
}
