// @ts-check
/**
 * Mutation testing (`npm run mutation`): how many deliberate bugs in the core, the keys, the
 * errors and the scopes the tests catch. Not part of CI: a full run takes 20-25 minutes on 2
 * idle cores; reruns are incremental (reports/stryker-incremental.json). Stryker 9.6 (10.x
 * needs Node 22).
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: true },
  mutate: ['src/{core,keys,errors,scopes}/**/*.ts', '!src/**/*.test.ts'],
  // Keep big or irrelevant trees out of the sandbox copy (examples/next/.next is ~100 MB); node_modules is symlinked.
  ignorePatterns: ['/examples', '/docs', '/bench', '/dist', '/.tmp', '/coverage', '/reports', '/scripts', '/.changeset'],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  ignoreStatic: true,
  timeoutMS: 10000,
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  thresholds: { high: 80, low: 60, break: null },
}
