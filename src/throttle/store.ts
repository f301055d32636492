/**
 * @module
 * The throttle store seam: where an adapter's `throttle` counts failed authentications per
 * key. `memoryThrottleStore()` (one process, the default) and `redisThrottleStore()` from
 * `tokengate/redis` (shared by every instance) implement it; both pass
 * test/throttle/store-contract.ts.
 */

/** The current window of one key. */
export interface ThrottleWindow {
  /** Failures counted in this window. */
  readonly failures: number
  /** Milliseconds until the window ends (and the count with it). */
  readonly resetMs: number
}

/**
 * Counts failures per key in fixed windows that start at a key's first failure. Methods may
 * answer synchronously (the memory store, so a throttled route takes no extra await) or with a
 * promise; a rejection is reported as a `throttle_error` event and the request is answered as
 * if there were no throttle.
 */
export interface ThrottleStore {
  /** The window of `key`, or `undefined` when it has none (never counted, or ended). Counts nothing. */
  get(key: string): ThrottleWindow | undefined | Promise<ThrottleWindow | undefined>
  /**
   * Counts one failure of `key`; the first of a window starts it, `windowMs` long. Resolves
   * with the window after counting. Atomic: concurrent hits (from any instance) all count.
   */
  hit(key: string, windowMs: number): ThrottleWindow | Promise<ThrottleWindow>
}
