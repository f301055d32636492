/**
 * @module
 * What an adapter's `throttle` reports through the verifier's `onEvent`.
 */

/** Events of the failed-authentication throttle (`throttle` option of every adapter). */
export type ThrottleEvent =
  /**
   * A request was answered 429 `too_many_failures` without being verified: `key` (the client
   * address by default) had `failures` failed authentications in the current window, which
   * ends in `retryAfter` seconds. `key` is what the `throttle.key` function returned: never
   * make it a credential.
   */
  | { readonly type: 'throttled'; readonly key: string; readonly failures: number; readonly retryAfter: number; readonly route: string | undefined }
  /**
   * The throttle store failed (`operation`: `'get'` before verifying, `'hit'` when counting a
   * failure), or the `key` function threw (`'key'`). The request was answered as if there were
   * no throttle: verification itself never depends on the store.
   */
  | { readonly type: 'throttle_error'; readonly operation: 'key' | 'get' | 'hit'; readonly error: string }
