/**
 * @module
 * A clock that fails closed. A `now` returning `NaN` (or anything not a finite number) makes
 * every time comparison false: an expired or revoked credential would pass. The core pipeline
 * checks its clock per request (`core/pipeline.ts`); the opaque paths (introspection, API keys)
 * read theirs through this wrapper.
 *
 * And a monotonic millisecond clock for durations reported in events (`durationMs`): real time
 * spent, whatever the verifier's `now` says (tests freeze that one).
 */
import { BearerError } from '../errors/bearer-error.js'
import { ConfigError } from '../errors/config-error.js'

/** The `ConfigError` for a clock that returned `value`, naming `component`'s `now` option. */
export function clockConfigError(component: string, value: unknown): ConfigError {
  const got = typeof value === 'number' ? String(value) : `a ${value === null ? 'null' : typeof value}`
  return new ConfigError(component, 'now', `the clock returned ${got}; it must return milliseconds, like Date.now()`)
}

/**
 * `now`, checked on every read: a value that is not a finite number throws a 503
 * `verifier_misconfigured` `BearerError` (its `cause` a `ConfigError` naming `component`'s `now`).
 */
export function failClosedClock(now: () => number, component: string): () => number {
  return () => {
    const ms: unknown = now()
    if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new BearerError('verifier_misconfigured', { cause: clockConfigError(component, ms) })
    return ms
  }
}

/** `performance.now()` where the runtime has it (Node, Workers, Deno, Bun, Vercel Edge), `Date.now()` otherwise. */
export const monotonicMs: () => number =
  typeof performance !== 'undefined' && typeof performance.now === 'function' ? () => performance.now() : () => Date.now()
