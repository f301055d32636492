import { defineConfig } from 'tsup'

/** One entry per public subpath; `test/package/exports.test.ts` checks these against package.json. */
export const entries = {
  index: 'src/index.ts',
  express: 'src/adapters/express/index.ts',
  fastify: 'src/adapters/fastify/index.ts',
  hono: 'src/adapters/hono/index.ts',
  next: 'src/adapters/next/index.ts',
}

export default defineConfig({
  entry: entries,
  format: ['esm', 'cjs'],
  dts: true,
  splitting: true,
  sourcemap: true,
  clean: true,
  treeshake: true,
  target: 'es2022',
  platform: 'neutral',
  external: ['jose', 'zod', 'lru-cache', 'fastify-plugin', 'express', 'fastify', 'hono', /^hono\//, 'next'],
})
