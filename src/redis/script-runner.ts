/**
 * @module
 * Runs a Lua script by its SHA1 (EVALSHA), loading it with EVAL when Redis does not have it
 * (first use, restart, SCRIPT FLUSH). Works on the user's own client: nothing is added to it.
 */
import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'

export type ScriptRunner = (keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>

/** A runner for one script on one client. */
export function scriptRunner(client: Redis, source: string): ScriptRunner {
  const sha = createHash('sha1').update(source).digest('hex')
  return async (keys, args) => {
    try {
      return await client.evalsha(sha, keys.length, ...keys, ...args)
    } catch (err) {
      if (!(err instanceof Error) || !err.message.includes('NOSCRIPT')) throw err
      return client.eval(source, keys.length, ...keys, ...args)
    }
  }
}
