/**
 * @module
 * Test-only instrumentation, bundled into the Worker and the edge middleware and evaluated
 * before them: counts WebCrypto key imports and requests at once in this isolate, and tracks
 * every timer still pending (`setTimeout`, `setInterval`, `AbortSignal.timeout`), so the
 * suites can ask the isolate itself what a request left behind.
 */

/** What the isolate reports at `/__edge/stats`. */
export interface IsolateStats {
  /** `crypto.subtle.importKey` calls since the isolate started. */
  readonly importKey: number
  /** Timers scheduled and neither fired nor cleared, with what scheduled them. */
  readonly pendingTimers: readonly string[]
  /** Requests in the app now, and the most there have been at once. */
  readonly active: number
  readonly peak: number
}

let active = 0
let peak = 0

/** Counts a request in the app while `handle` runs. */
export async function inside<T>(handle: () => T | Promise<T>): Promise<T> {
  peak = Math.max(peak, ++active)
  try {
    return await handle()
  } finally {
    active--
  }
}

const pending = new Map<unknown, string>()
let imports = 0

type TimerFn = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => unknown
const g = globalThis as unknown as Record<string, unknown>

function track(name: 'setTimeout' | 'setInterval', clearName: 'clearTimeout' | 'clearInterval'): void {
  const schedule = g[name] as TimerFn
  const clear = g[clearName] as (id: unknown) => void
  g[name] = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const id: unknown = schedule(
      (...a: unknown[]) => {
        if (name === 'setTimeout') pending.delete(id)
        callback(...a)
      },
      ms,
      ...args,
    )
    pending.set(id, `${name}(${ms ?? 0})`)
    return id
  }
  g[clearName] = (id: unknown) => {
    pending.delete(id)
    clear(id)
  }
}

track('setTimeout', 'clearTimeout')
track('setInterval', 'clearInterval')

const timeout = AbortSignal.timeout.bind(AbortSignal)
AbortSignal.timeout = (ms: number): AbortSignal => {
  const signal = timeout(ms)
  const key = {}
  pending.set(key, `AbortSignal.timeout(${ms})`)
  signal.addEventListener('abort', () => pending.delete(key), { once: true })
  return signal
}

// A view of `crypto` that counts imports, installed on this global only: edge-runtime hands
// every runtime the host's one `crypto.subtle`, so patching that object would count imports
// of every runtime in the process.
const real = globalThis.crypto
const bound = (target: object, name: string | symbol): unknown => {
  const value: unknown = Reflect.get(target, name, target)
  return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
}
const importKey = real.subtle.importKey.bind(real.subtle) as (...args: unknown[]) => Promise<CryptoKey>
const subtle = new Proxy(real.subtle, {
  get: (target, name) =>
    name === 'importKey'
      ? (...args: unknown[]) => {
          imports++
          return importKey(...args)
        }
      : bound(target, name),
})
const view = new Proxy(real, { get: (target, name) => (name === 'subtle' ? subtle : bound(target, name)) })
try {
  Object.defineProperty(globalThis, 'crypto', { value: view, configurable: true, writable: true })
} catch {
  // edge-runtime: `crypto` is writable but not configurable.
  ;(globalThis as { crypto: Crypto }).crypto = view
}
if (globalThis.crypto !== view) throw new Error('instrument: could not install the counting crypto')

/** The isolate's counters now. */
export function isolateStats(): IsolateStats {
  return { importKey: imports, pendingTimers: [...pending.values()], active, peak }
}
