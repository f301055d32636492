import { defineConfig } from 'tsup'

/** One entry per public subpath; `test/package/exports.test.ts` checks these against package.json. */
export const entries = {
  index: 'src/index.ts',
  issuer: 'src/issuer/index.ts',
  redis: 'src/redis/index.ts',
}

/**
 * Files reached through package.json "imports", not public subpaths: the signature backend
 * each runtime gets by export condition (`#signature-backend`).
 */
export const internalEntries = {
  'signature/node': 'src/signature/node.ts',
  'signature/web': 'src/signature/web.ts',
}

export default defineConfig({
  entry: { ...entries, ...internalEntries },
  format: ['esm', 'cjs'],
  dts: true,
  splitting: true,
  sourcemap: true,
  clean: true,
  treeshake: true,
  target: 'es2022',
  platform: 'neutral',
  // '#signature-backend' stays an import, so the runtime's export conditions pick the backend.
  external: ['jose', 'zod', 'lru-cache', 'ioredis', '#signature-backend', /^node:/],
})
