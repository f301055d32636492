/**
 * Vitest globalSetup: builds examples/next once per test run (skipped while the build is
 * newer than its sources), so test/adapters/next.test.ts can `next start` it.
 */
import { build } from '../../examples/next/start.js'

export default build
