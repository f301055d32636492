/**
 * A consumer project with the packed tarball installed, as `npm install tokengate` would leave
 * it: the package in node_modules/tokengate and its bin linked in node_modules/.bin. The
 * project lives under .tmp/ inside the repository, so tokengate's dependencies and the
 * frameworks resolve from the repository's node_modules with no network install.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { inject } from 'vitest'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; bin?: Record<string, string> }

/** Creates `.tmp/<name>/` with the packed package installed; returns its path. */
export function installPacked(name: string): string {
  const tarball = inject('tokengateTarball')
  if (!tarball) throw new Error('no packed tarball: test/package/pack.setup.ts did not run for this selection of files')
  const dir = join(ROOT, '.tmp', name)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true })
  execFileSync('tar', ['-xzf', tarball, '-C', join(dir, 'node_modules')])
  renameSync(join(dir, 'node_modules', 'package'), join(dir, 'node_modules', pkg.name))
  for (const [bin, file] of Object.entries(pkg.bin ?? {})) {
    symlinkSync(relative(join(dir, 'node_modules', '.bin'), join(dir, 'node_modules', pkg.name, file)), join(dir, 'node_modules', '.bin', bin))
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, private: true, type: 'module' }))
  return dir
}
