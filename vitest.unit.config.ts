import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

/**
 * `npm run test:unit`: the in-process tests beside the source (src/**), on the Node signature
 * backend, with no global setup (no CLI or Next.js build): seconds, for the edit-test loop.
 * `npm test` runs everything, on both backends.
 */
export default defineConfig({
  resolve: { alias: { '#signature-backend': fileURLToPath(new URL('./src/signature/node.ts', import.meta.url)) } },
  test: {
    include: ['src/**/*.test.ts'],
    setupFiles: ['test/setup/unhandled-rejections.ts'],
    env: { TOKENGATE_BACKEND: 'node' },
    // Operator hints on console.warn, driven on purpose by many tests (see vitest.config.ts).
    onConsoleLog: (log) => !log.startsWith('tokengate: '),
  },
})
