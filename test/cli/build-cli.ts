/**
 * Vitest global setup: builds the `tokengate` bin once, with the same tsup options as
 * `npm run build` (tsup.config.ts `cliBuild`), into .tmp/cli-build/. The CLI tests spawn
 * that file, so they exercise what users run — bundle, shebang, ESM, externals — at the
 * cost of one ~1 s esbuild per test run (no .d.ts). It lives inside the repository so the
 * externals (jose, zod) resolve from node_modules.
 */
import { fileURLToPath } from 'node:url'
import type { TestProject } from 'vitest/node'
import { build } from 'tsup'
import { cliBuild } from '../../tsup.config.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Absolute path of the built `tokengate` executable. */
    tokengateCli: string
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const outDir = fileURLToPath(new URL('../../.tmp/cli-build/', import.meta.url))
  await build({ ...cliBuild, outDir, config: false, silent: true })
  project.provide('tokengateCli', `${outDir}tokengate.js`)
}
