/**
 * @module
 * A redis-server with persistence on (AOF, fsync on every write) in a temp directory, on
 * 127.0.0.1 and an ephemeral port, that a test can kill (-9), shut down, and restart on the
 * same port and directory. Without redis-server the tests skip with a visible message,
 * except under CI, where a missing Redis fails the run (as test/redis/redis-server.ts does).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { freePort } from '../redis/redis-server.js'

export interface PersistentRedis {
  readonly port: number
  /** SIGKILL: no chance to write anything more. Resolves once the process is gone. */
  kill(): Promise<void>
  /** The SHUTDOWN command: a clean stop. Resolves once the process is gone. */
  shutdown(): Promise<void>
  /** Starts redis-server again on the same port and directory; resolves when it answers PING. */
  restart(): Promise<void>
  /** Stops the server and removes its directory. */
  stop(): Promise<void>
}

/** Why Redis tests cannot run here, or undefined when they can. */
export function redisMissing(): string | undefined {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' })
  if (!probe.error) return undefined
  const why = `redis-server not found (${(probe.error as NodeJS.ErrnoException).code}); install it (apt-get install -y redis-server)`
  const ci = process.env.CI !== undefined && !['', '0', 'false'].includes(process.env.CI.toLowerCase())
  if (ci) throw new Error(`Redis fault tests cannot run under CI: ${why}`)
  console.warn(`\n[tokengate] SKIPPING Redis fault tests: ${why}\n`)
  return why
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()))

async function answers(port: number): Promise<boolean> {
  const c = new Redis({ host: '127.0.0.1', port, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null })
  c.on('error', () => {})
  try {
    await c.connect()
    return (await c.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    c.disconnect()
  }
}

function spawnServer(port: number, dir: string): ChildProcess {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--daemonize', 'no']
  return spawn('redis-server', args, { stdio: 'ignore' })
}

async function ready(child: ChildProcess, port: number): Promise<boolean> {
  for (let i = 0; i < 100 && child.exitCode === null; i++) {
    if (await answers(port)) return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return false
}

/** Starts a persistent redis-server (a few tries, in case another process takes the port first). */
export async function startPersistentRedis(): Promise<PersistentRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'tokengate-redis-'))
  let port = 0
  let child: ChildProcess | undefined
  for (let attempt = 0; attempt < 3 && !child; attempt++) {
    port = await freePort()
    const candidate = spawnServer(port, dir)
    if (await ready(candidate, port)) child = candidate
    else {
      candidate.kill('SIGKILL')
      await exited(candidate)
    }
  }
  if (!child) throw new Error('redis-server did not start on 127.0.0.1')
  let current: ChildProcess = child
  const killOnExit = (): void => void current.kill('SIGKILL')
  process.once('exit', killOnExit)
  return {
    port,
    async kill() {
      current.kill('SIGKILL')
      await exited(current)
    },
    async shutdown() {
      const admin = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0, retryStrategy: () => null })
      admin.on('error', () => {})
      await admin.call('SHUTDOWN').catch(() => {}) // the reply is the connection closing
      admin.disconnect()
      await exited(current)
    },
    async restart() {
      current = spawnServer(port, dir)
      if (!(await ready(current, port))) throw new Error(`redis-server did not restart on port ${port}`)
    },
    async stop() {
      process.off('exit', killOnExit)
      current.kill('SIGKILL')
      await exited(current)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
