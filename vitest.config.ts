import { defineConfig } from 'vitest/config'

// .ci/run sets VITEST_JSON_REPORT to get a machine-readable summary beside the usual output.
const jsonReport = process.env.VITEST_JSON_REPORT

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
    // Builds the tokengate bin once for test/cli (spawned like users run it).
    // Builds examples/next (next build, skipped while fresh) once per run for test/adapters/next.test.ts.
    globalSetup: ['test/cli/build-cli.ts', 'test/adapters/next-build.setup.ts'],
    typecheck: { enabled: true, include: ['test/types/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    testTimeout: 20_000,
    ...(jsonReport ? { reporters: ['default', ['json', { outputFile: jsonReport }]] } : {}),
  },
})
