/**
 * Vitest global setup: builds the package (`tsup`, as `npm run build`) and packs it once per
 * run into .tmp/pack/, for every test that installs the tarball as a consumer would
 * (test/package, test/docs). One build, so those test files never race on dist/. A run given
 * file filters that cannot select them (`npx vitest run src/core`) skips it.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TestProject } from 'vitest/node'
import { mayRun } from '../helpers/file-filters.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Absolute path of the packed `tokengate-<version>.tgz`; '' when this run builds none. */
    tokengateTarball: string
  }
}

export const PACKED_TESTS = ['test/package/', 'test/docs/']

// Vitest runs global setups once per project (node, web, and the root): pack once per process.
const shared = globalThis as { __tokengateTarball?: string }

export default function setup(project: TestProject): void {
  if (!mayRun(PACKED_TESTS)) return void project.provide('tokengateTarball', '')
  project.provide('tokengateTarball', (shared.__tokengateTarball ??= pack()))
}

function pack(): string {
  const root = fileURLToPath(new URL('../..', import.meta.url))
  const out = join(root, '.tmp', 'pack')
  const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  run('npx', ['tsup', '--silent'])
  rmSync(out, { recursive: true, force: true })
  mkdirSync(out, { recursive: true })
  const tarball = run('npm', ['pack', '--silent', '--pack-destination', out]).trim().split('\n').pop()!
  return join(out, tarball)
}
