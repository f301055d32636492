import { fileURLToPath } from 'node:url'
import { configDefaults, defineConfig } from 'vitest/config'

// .ci/run sets VITEST_JSON_REPORT to get a machine-readable summary beside the usual output.
const jsonReport = process.env.VITEST_JSON_REPORT
const backend = (file: string) => ({ '#signature-backend': fileURLToPath(new URL(`./src/signature/${file}.ts`, import.meta.url)) })
const include = ['src/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts']
// Nest 12 sits beside the repo's Nest 11 in test/adapters/nest12 (a file: devDependency, so npm nests its copies there; not a workspace, which would hide the root package from changesets).
const nest12 = fileURLToPath(new URL('./test/adapters/nest12/node_modules/@nestjs/', import.meta.url))

export default defineConfig({
  test: {
    // Builds the tokengate bin once for test/cli (spawned like users run it).
    // Builds examples/next (next build, skipped while fresh) once per run for test/adapters/next.test.ts.
    // Builds and packs the package once per run for test/package and test/docs (consumer installs).
    // Stages an ESM build of the package in .tmp/runtimes/ (skipped while fresh) for test/runtimes (Bun, Deno).
    globalSetup: ['test/cli/build-cli.ts', 'test/adapters/next-build.setup.ts', 'test/package/pack.setup.ts', 'test/runtimes/package.setup.ts'],
    // Fails any test that leaves a promise rejection unhandled (a process-level listener).
    setupFiles: ['test/setup/unhandled-rejections.ts'],
    testTimeout: 20_000,
    // The verifier's default logger tells the operator about setup-like failures (console.warn,
    // "tokengate: ..."), and many tests drive exactly those on purpose. Tests that check the
    // hints spy on the console or pass a logger; the rest would only add noise to a passing run.
    onConsoleLog: (log) => !log.startsWith('tokengate: '),
    ...(jsonReport ? { reporters: ['default', ['json', { outputFile: jsonReport }]] } : {}),
    // The whole suite runs once per signature backend (package.json "imports" picks one by
    // export condition): node:crypto as under Node, jose/WebCrypto as on edge runtimes.
    projects: [
      {
        extends: true,
        resolve: { alias: backend('node') },
        test: {
          name: 'node',
          env: { TOKENGATE_BACKEND: 'node' },
          include,
          typecheck: { enabled: true, include: ['test/types/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
        },
      },
      {
        extends: true,
        resolve: { alias: backend('web') },
        test: {
          name: 'web',
          env: { TOKENGATE_BACKEND: 'web' },
          include,
          // Built artifacts pick their backend by export condition, not by this alias (the packed
          // tarball, the bin, the Next.js app, the edge bundles, Bun and Deno): running them once is enough.
          exclude: [...configDefaults.exclude, 'test/package/**', 'test/cli/**', 'test/adapters/next.test.ts', 'test/edge/**', 'test/runtimes/**', 'test/docs/snippets.test.ts', 'test/docs/readme-commands.test.ts', 'test/docs/cli-loop.test.ts'],
        },
      },
      {
        // tokengate/nestjs again, on Nest 12: the adapter and the test app both import these copies.
        extends: true,
        resolve: {
          alias: [
            { find: '#signature-backend', replacement: backend('node')['#signature-backend'] },
            { find: /^@nestjs\/(common|core|platform-express)(\/.*)?$/, replacement: `${nest12}$1$2` },
          ],
        },
        test: {
          name: 'nest12',
          env: { TOKENGATE_BACKEND: 'node', NEST_MAJOR: '12' },
          include: ['test/adapters/nestjs.test.ts'],
        },
      },
    ],
  },
})
