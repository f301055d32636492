/**
 * @module
 * Vitest setup file (vitest.config.ts `setupFiles`, so it runs before every test file): a
 * process-level `unhandledRejection` listener, and hooks that fail the test during which a
 * promise rejection went unhandled. Vitest reports such rejections on its own too; this makes
 * the rule explicit, names the test at fault, and holds even under
 * `dangerouslyIgnoreUnhandledErrors` (test/setup/unhandled-rejections.test.ts proves both).
 */
import { afterAll, afterEach } from 'vitest'

interface State {
  /** Rejection reasons nobody handled, not yet reported. */
  readonly seen: unknown[]
  readonly listener: (reason: unknown) => void
}

// One listener per process: setup files run again for every test file (fresh module graph),
// so the state lives on a global symbol rather than in this module.
const KEY = Symbol.for('tokengate.test.unhandledRejections')
const holder = globalThis as { [KEY]?: State }

function install(): State {
  const seen: unknown[] = []
  const listener = (reason: unknown): void => void seen.push(reason)
  process.on('unhandledRejection', listener)
  return { seen, listener }
}

const state: State = (holder[KEY] ??= install())

/** The installed listener (for the test that proves it is there). */
export const unhandledRejectionListener = state.listener

/** Takes (and clears) the rejections recorded so far. */
export function takeUnhandledRejections(): unknown[] {
  return state.seen.splice(0)
}

function explain(reason: unknown): string {
  return reason instanceof Error ? (reason.stack ?? `${reason.name}: ${reason.message}`) : String(reason)
}

/** Throws when a rejection went unhandled since the last check. */
export function assertNoUnhandledRejections(where: string): void {
  const found = takeUnhandledRejections()
  if (found.length === 0) return
  throw new Error(`${found.length} unhandled promise rejection(s) ${where}:\n${found.map(explain).join('\n')}`)
}

// Node emits 'unhandledRejection' once the microtask queue drains after a macrotask: let one
// turn of the event loop pass so a rejection left by the test is seen before the check.
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

afterEach(async () => {
  await turn()
  assertNoUnhandledRejections('during this test')
})

afterAll(async () => {
  await turn()
  assertNoUnhandledRejections('in this file, outside any test')
})
