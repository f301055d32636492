import type { NextConfig } from 'next'

// This example imports tokengate's TypeScript sources (`./x.js` is `./x.ts`): webpack's
// extensionAlias resolves them, and the root `npm run typecheck` checks them. An app that
// imports the published 'tokengate/next' needs neither setting.
export default {
  typescript: { ignoreBuildErrors: true },
  webpack: (config) => ({ ...config, resolve: { ...config.resolve, extensionAlias: { '.js': ['.ts', '.js'] } } }),
} satisfies NextConfig
