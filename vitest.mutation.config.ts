import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

/**
 * For `npm run mutation` (Stryker, stryker.config.mjs) only: the unit tests beside the source
 * plus the in-process key-server suites (test/jwks: they are the only ones reaching the JWKS
 * cache, discovery and the capped fetch), on one signature backend. No globalSetup (it would
 * build once per Stryker worker, in its sandbox), no projects (each would rerun every test),
 * no typecheck (type tests execute nothing, so they kill no mutant).
 */
export default defineConfig({
  resolve: { alias: { '#signature-backend': fileURLToPath(new URL('./src/signature/node.ts', import.meta.url)) } },
  test: {
    include: ['src/**/*.test.ts', 'test/jwks/**/*.test.ts'],
    setupFiles: ['test/setup/unhandled-rejections.ts'],
    env: { TOKENGATE_BACKEND: 'node' },
    testTimeout: 20_000,
    typecheck: { enabled: false },
  },
})
