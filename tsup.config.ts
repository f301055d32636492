import { readFileSync } from 'node:fs'
import { defineConfig, type Options } from 'tsup'

/** One entry per public subpath; `test/package/pack.test.ts` ("exports map and build entries") checks these against package.json. */
export const entries = {
  index: 'src/index.ts',
  express: 'src/adapters/express/index.ts',
  fastify: 'src/adapters/fastify/index.ts',
  hono: 'src/adapters/hono/index.ts',
  next: 'src/adapters/next/index.ts',
  issuer: 'src/issuer/index.ts',
  redis: 'src/redis/index.ts',
  testing: 'src/testing/index.ts',
  presets: 'src/presets/index.ts',
}

// '#signature-backend' stays an import, so the runtime's export conditions pick the backend.
const external = ['jose', 'lru-cache', 'ioredis', '#signature-backend', /^node:/, 'fastify-plugin', 'express', 'fastify', 'hono', /^hono\//, 'next']
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

export default defineConfig([
  {
    entry: { ...entries, ...internalEntries },
    format: ['esm', 'cjs'],
    dts: true,
    splitting: true,
    sourcemap: true,
    // dist/bin belongs to the CLI build, which runs in parallel.
    clean: ['!bin/**'],
    treeshake: true,
    target: 'es2022',
    platform: 'neutral',
    external,
    // valibot validates options at construction; bundled (tree-shaken to the few validators
    // used), so neither `import('tokengate')` nor an edge bundle loads a schema library.
    noExternal: ['valibot'],
    // Keep `node:crypto` explicit: Node-only code stays recognisable to edge bundlers and guards.
    removeNodeProtocol: false,
  },
  cliBuild,
])
