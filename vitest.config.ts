import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    typecheck: { enabled: true, include: ['test/types/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    testTimeout: 20_000,
    // Builds examples/next once per run for test/adapters/next.test.ts.
    globalSetup: ['test/adapters/next-build.setup.ts'],
  },
})
