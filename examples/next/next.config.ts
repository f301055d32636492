import { fileURLToPath } from 'node:url'
import type { NextConfig } from 'next'

// This example imports tokengate's TypeScript sources (`./x.js` is `./x.ts`): webpack's
// extensionAlias resolves them, and the root `npm run typecheck` checks them. From source,
// `#signature-backend` (chosen by export condition in the built package) is aliased the same
// way: node:crypto for the Node runtime, WebCrypto for the edge runtime (middleware.ts).
// An app that imports the published 'tokengate/next' needs none of these settings.
const backend = (file: string) => fileURLToPath(new URL(`../../src/signature/${file}.ts`, import.meta.url))

export default {
  typescript: { ignoreBuildErrors: true },
  webpack: (config, { nextRuntime }) => ({
    ...config,
    resolve: {
      ...config.resolve,
      extensionAlias: { '.js': ['.ts', '.js'] },
      alias: { ...config.resolve?.alias, '#signature-backend': backend(nextRuntime === 'nodejs' ? 'node' : 'web') },
    },
  }),
} satisfies NextConfig
