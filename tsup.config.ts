import { readFileSync } from 'node:fs'
import { defineConfig, type Options } from 'tsup'

/** One entry per public subpath; `test/package/pack.test.ts` ("exports map and build entries") checks these against package.json. */
export const entries = {
  index: 'src/index.ts',
  express: 'src/adapters/express/index.ts',
  fastify: 'src/adapters/fastify/index.ts',
  hono: 'src/adapters/hono/index.ts',
  next: 'src/adapters/next/index.ts',
  koa: 'src/adapters/koa/index.ts',
  nestjs: 'src/adapters/nestjs/index.ts',
  lambda: 'src/adapters/lambda/index.ts',
  issuer: 'src/issuer/index.ts',
  redis: 'src/redis/index.ts',
  fs: 'src/fs/index.ts',
  testing: 'src/testing/index.ts',
  otel: 'src/otel/index.ts',
  presets: 'src/presets/index.ts',
  apikeys: 'src/apikeys/index.ts',
}

// '#signature-backend' stays an import, so the runtime's export conditions pick the backend.
const external = ['jose', 'lru-cache', 'ioredis', '@opentelemetry/api', '#signature-backend', /^node:/, 'fastify-plugin', 'express', 'fastify', 'hono', /^hono\//, 'next', 'koa', /^@nestjs\//]
/**
 * Files reached through package.json "imports", not public subpaths: the signature backend
 * each runtime gets by export condition (`#signature-backend`).
 */
export const internalEntries = {
  'signature/node': 'src/signature/node.ts',
  'signature/web': 'src/signature/web.ts',
}

const version = (JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string }).version

/**
 * The `tokengate` bin: one ESM file for Node with a shebang (tsup makes it executable).
 * A separate build, so it is not a subpath and adds no CJS or .d.ts files; test/cli's global
 * setup builds it from this same object.
 */
export const cliBuild: Options = {
  entry: { tokengate: 'src/cli/bin.ts' },
  outDir: 'dist/bin',
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
  define: { __TOKENGATE_VERSION__: JSON.stringify(version) },
  // Bundled from source (tsconfig paths: the node:crypto backend), so the bin does not need
  // dist/signature/* to exist when it is built on its own (test/cli's global setup).
  external: external.filter((e) => e !== '#signature-backend'),
  clean: true,
  dts: false,
  sourcemap: false,
  splitting: false,
  removeNodeProtocol: false,
}

/** What the ESM and the CJS builds share. */
const library: Options = {
  entry: { ...entries, ...internalEntries },
  dts: false,
  splitting: true,
  sourcemap: true,
  treeshake: true,
  target: 'es2022',
  platform: 'neutral',
  external,
  // Keep `node:crypto` explicit: Node-only code stays recognisable to edge bundlers and guards.
  removeNodeProtocol: false,
}

/**
 * The ESM build: what Node's `import`, edge bundlers and the edge guard use. Each build cleans
 * only its own files: they run in parallel with each other and the CLI's.
 */
export const esmBuild: Options = {
  ...library,
  format: ['esm'],
  clean: ['**/*.js', '**/*.js.map', '!bin/**'],
  // valibot validates options at construction; bundled (tree-shaken to the few validators
  // used), so neither `import('tokengate')` nor an edge bundle loads a schema library.
  noExternal: ['valibot'],
}

/**
 * The CJS build. jose 6 is ESM-only, and `require()` of ESM needs Node ^20.19 / >= 22.12, but
 * engines allows any Node >= 20: so this build carries the jose code it uses (the issuer, the
 * testing kit) instead of requiring it. The verifier itself does not use jose.
 */
export const cjsBuild: Options = {
  ...library,
  format: ['cjs'],
  clean: ['**/*.cjs', '**/*.cjs.map'],
  noExternal: ['valibot', 'jose'],
  external: external.filter((e) => e !== 'jose'),
}

/** Declarations for both formats from one TypeScript program (`.d.ts` and `.d.cts`). */
export const typesBuild: Options = {
  ...library,
  format: ['esm', 'cjs'],
  dts: { only: true },
  clean: ['**/*.d.ts', '**/*.d.cts', '!bin/**'],
}

export default defineConfig([typesBuild, esmBuild, cjsBuild, cliBuild])
