import type { NextConfig } from 'next'

const config: NextConfig = {
  // The repo's root `npm run typecheck` checks these files already.
  typescript: { ignoreBuildErrors: true },
  // Only because this example imports tokengate's TypeScript sources (`./x.js` → `./x.ts`);
  // an app importing the published 'tokengate/next' needs none of this.
  webpack: (webpackConfig: { resolve: { extensionAlias?: Record<string, string[]> } }) => {
    webpackConfig.resolve.extensionAlias = { '.js': ['.ts', '.js'] }
    return webpackConfig
  },
}

export default config
