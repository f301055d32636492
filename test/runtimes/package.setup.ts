/**
 * Vitest globalSetup: stages the built package for the Bun and Deno suites. An ESM build
 * (tsup.config.ts `libraryBuild`, no .d.ts) of the entries they load goes to
 * .tmp/runtimes/node_modules/tokengate/ with the package.json `exports` and `imports`, so
 * each runtime resolves `tokengate`, `tokengate/hono`, `tokengate/testing` and
 * `#signature-backend` by its own export conditions, as it would from npm. The project
 * .tmp/runtimes/ has a package.json and a node_modules (hono, jose, lru-cache linked from the
 * repo's), which is all Deno needs to use npm packages without downloading anything.
 * Skipped while the staged copy is newer than the sources, and when the run's file filters
 * cannot select test/runtimes.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'tsup'
import { esmBuild as libraryBuild, internalEntries } from '../../tsup.config.js'
import { fileFilters } from '../adapters/next-build.setup.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
/** The consumer project the runtimes run in. */
export const PROJECT = join(ROOT, '.tmp', 'runtimes')
const PACKAGE = join(PROJECT, 'node_modules', 'tokengate')
const STAMP = join(PACKAGE, '.built')
/** Linked from the repo's node_modules: tokengate's dependencies and the app's framework. */
const LINKED = ['hono', 'jose', 'lru-cache']
const SOURCES = ['src', 'test/runtimes/app', 'package.json', 'tsup.config.ts']
/** Source entry (as imported relatively, at any depth) → the package specifier. */
const SPECIFIERS = { 'src/index.js': 'tokengate', 'src/adapters/hono/index.js': 'tokengate/hono', 'src/testing/index.js': 'tokengate/testing' }
const RUNTIMES_TEST = 'test/runtimes/runtimes.test.ts'

function newest(path: string): number {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))))
}

/**
 * The real `bun` or `deno` binary the npm packages installed. `node_modules/.bin/<runtime>` is
 * it once the package's postinstall has run; after `npm ci --ignore-scripts` (or an npm that
 * skipped the script: package.json `allowScripts` approves it), bun's is a placeholder, so the
 * binary is taken from the platform package npm installed beside it (`@oven/bun-<platform>`,
 * `@deno/<platform>`), as the postinstall would have linked it.
 */
export function runtimeBinary(runtime: 'bun' | 'deno'): string {
  const isBinary = (path: string) => existsSync(path) && statSync(path).size > 1_000_000
  const bin = join(ROOT, 'node_modules', '.bin', runtime)
  if (isBinary(bin)) return bin
  const scope = join(ROOT, 'node_modules', runtime === 'bun' ? '@oven' : '@deno')
  const platform = existsSync(scope) ? readdirSync(scope).map((dir) => join(scope, dir, runtime === 'bun' ? 'bin/bun' : 'deno')).find(isBinary) : undefined
  if (platform) return platform
  throw new Error(`no ${runtime} binary in node_modules: run npm ci (the devDependency ${runtime} installs it with its platform package)`)
}

export async function stagePackage(): Promise<void> {
  if (existsSync(STAMP) && statSync(STAMP).mtimeMs > Math.max(...SOURCES.map((s) => newest(join(ROOT, s))))) return
  rmSync(PROJECT, { recursive: true, force: true })
  mkdirSync(join(PROJECT, 'node_modules'), { recursive: true })
  const entry = { index: 'src/index.ts', hono: 'src/adapters/hono/index.ts', lambda: 'src/adapters/lambda/index.ts', testing: 'src/testing/index.ts', ...internalEntries }
  await build({ ...libraryBuild, entry, format: ['esm'], dts: false, sourcemap: false, clean: true, outDir: join(PACKAGE, 'dist'), config: false, silent: true })
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>
  const { name, version, type, exports, imports, sideEffects, dependencies } = pkg
  writeFileSync(join(PACKAGE, 'package.json'), JSON.stringify({ name, version, type, exports, imports, sideEffects, dependencies }, null, 2))
  for (const dep of LINKED) symlinkSync(join(ROOT, 'node_modules', dep), join(PROJECT, 'node_modules', dep), 'dir')
  const deps = Object.fromEntries(['tokengate', ...LINKED].map((d) => [d, '*']))
  writeFileSync(join(PROJECT, 'package.json'), JSON.stringify({ name: 'tokengate-runtimes', private: true, type: 'module', dependencies: deps }, null, 2))
  // Bun applies the nearest tsconfig's `paths` even to files under node_modules: without this
  // one, the repo's (which maps #signature-backend to the sources) would reach the package.
  writeFileSync(join(PROJECT, 'tsconfig.json'), JSON.stringify({ compilerOptions: {} }))
  cpSync(join(ROOT, 'test', 'runtimes', 'app', 'probe.js'), join(PACKAGE, 'probe.js'))
  stageScript('test/runtimes/app/app.ts', 'app.ts')
  writeFileSync(STAMP, new Date().toISOString())
}

/**
 * Copies a script (relative to the repo) into the project as `name`, its relative imports of
 * the sources (so tsc checks it in the repo) rewritten to the package's specifiers.
 */
export function stageScript(path: string, name: string): string {
  let text = readFileSync(join(ROOT, path), 'utf8')
  for (const [from, to] of Object.entries(SPECIFIERS)) text = text.replaceAll(new RegExp(`'(?:\\.\\./)+${from.replaceAll('.', '\\.')}'`, 'g'), `'${to}'`)
  writeFileSync(join(PROJECT, name), text)
  return join(PROJECT, name)
}

export default async function setup(): Promise<void> {
  const filters = fileFilters(process.argv)
  if (filters.length > 0 && !filters.some((f) => RUNTIMES_TEST.includes(f) || f.includes(RUNTIMES_TEST))) return
  await stagePackage()
}
