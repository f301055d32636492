/**
 * @module
 * The verifier's event channel: `onEvent` and internal subscribers (`tokengate/otel`, the
 * adapters' throttle) receive every event, one call each, synchronously and fire-and-forget.
 * A listener can never break a verification: a throw is swallowed, and a returned promise is
 * neither awaited nor allowed to become an unhandled rejection.
 */

/** A listener: whatever it returns (a promise included) is ignored. */
export type EventListener<E> = (event: E) => unknown

/** One verifier's listeners. Internal: reached through `verifierEvents(verifier)`. */
export interface EventHub<E> {
  /**
   * True while anyone listens. The request path reads it to build outcome events only then,
   * so a verifier without listeners allocates nothing for them.
   */
  readonly active: boolean
  /** Delivers `event` to every listener, in subscription order (`onEvent` first). */
  emit(event: E): void
  /** Adds a listener; the returned function removes it. */
  subscribe(listener: EventListener<E>): () => void
}

const ignore = (): void => {}

/** Calls a listener so that neither a throw nor a rejected promise escapes. */
function deliver<E>(listener: EventListener<E>, event: E): void {
  try {
    const result = listener(event)
    // An async listener: never awaited (it cannot slow the request), its rejection swallowed
    // (it cannot crash the process as an unhandled rejection).
    if (result !== undefined && result !== null && typeof (result as PromiseLike<unknown>).then === 'function') {
      ;(result as PromiseLike<unknown>).then(undefined, ignore)
    }
  } catch {
    // A throwing listener must not break verification.
  }
}

/** Builds the hub of one verifier; `onEvent` (the user's option) is its first listener. */
export function createEventHub<E>(onEvent: EventListener<E> | undefined): EventHub<E> {
  let listeners: readonly EventListener<E>[] = onEvent ? [onEvent] : []
  const hub = {
    active: listeners.length > 0,
    emit(event: E): void {
      // The array is replaced, never mutated: a listener that subscribes or unsubscribes
      // while an event is delivered does not disturb the loop.
      const current = listeners
      for (let i = 0; i < current.length; i++) deliver(current[i]!, event)
    },
    subscribe(listener: EventListener<E>): () => void {
      listeners = [...listeners, listener]
      hub.active = true
      let subscribed = true
      return () => {
        if (!subscribed) return
        subscribed = false
        const i = listeners.indexOf(listener)
        if (i !== -1) listeners = [...listeners.slice(0, i), ...listeners.slice(i + 1)]
        hub.active = listeners.length > 0
      }
    },
  }
  return hub
}

/**
 * Where a verifier keeps its hub: a registered symbol, so `tokengate/otel` finds it even when
 * the verifier came from another copy of the package (ESM and CJS side by side).
 */
const EVENTS = Symbol.for('tokengate.verifier.events')

/** Attaches `hub` to `verifier` (non-enumerable, read-only). */
export function attachEvents<E>(verifier: object, hub: EventHub<E>): void {
  Object.defineProperty(verifier, EVENTS, { value: hub })
}

/** The event hub of a verifier built by `createVerifier`; `undefined` for anything else. */
export function verifierEvents<E = unknown>(verifier: unknown): EventHub<E> | undefined {
  if ((typeof verifier !== 'function' && typeof verifier !== 'object') || verifier === null) return undefined
  const hub = (verifier as { [EVENTS]?: EventHub<E> })[EVENTS]
  return hub !== undefined && typeof hub.subscribe === 'function' ? hub : undefined
}
