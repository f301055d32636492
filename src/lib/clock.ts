/**
 * @module
 * A monotonic millisecond clock for durations reported in events (`durationMs`): real time
 * spent, whatever the verifier's `now` says (tests freeze that one). `performance.now()` where
 * the runtime has it (Node, Workers, Deno, Bun, Vercel Edge), `Date.now()` otherwise.
 */
export const monotonicMs: () => number =
  typeof performance !== 'undefined' && typeof performance.now === 'function' ? () => performance.now() : () => Date.now()
