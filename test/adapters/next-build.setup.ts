/**
 * Vitest globalSetup: builds examples/next once per test run (skipped while the build is
 * newer than its sources), so test/adapters/next.test.ts can `next start` it. A run given
 * file filters that cannot select next.test.ts (`npx vitest run src/core`) skips the build.
 */
import { build } from '../../examples/next/start.js'
import { mayRun } from '../helpers/file-filters.js'

const NEXT_TEST = 'test/adapters/next.test.ts'

/** Re-exported for the setups that read file filters from here (test/runtimes). */
export { fileFilters } from '../helpers/file-filters.js'

export default async function setup(): Promise<void> {
  if (!mayRun([NEXT_TEST])) return
  await build()
}
