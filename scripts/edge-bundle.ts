/**
 * @module
 * tokengate as an edge platform sees it: the package built with the project's own tsup config
 * into a throwaway `node_modules/tokengate`, then code bundled against it with esbuild the way
 * wrangler (Cloudflare Workers) and Next.js (Vercel Edge) do: platform `neutral`, each
 * platform's export conditions, everything inlined. Shared by the edge-import guard
 * (`scripts/check-edge-imports.ts`) and the edge suites (`test/edge/`).
 */
import { build as esbuild, transform, type Metafile, type Plugin } from 'esbuild'
import { gzipSync } from 'node:zlib'
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { isAbsolute, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build as tsup, type Options } from 'tsup'
import { entries, esmBuild } from '../tsup.config.js'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** Export conditions each platform's bundler resolves with (esbuild adds `import` and `default`). */
export const PLATFORMS = {
  /** wrangler: `workerd`, then `worker`, then `browser`. */
  workerd: ['workerd', 'worker', 'browser'],
  /** Next.js edge compiler (`edgeConditionNames`): `edge-light`, `worker`, then the defaults. */
  'edge-light': ['edge-light', 'worker'],
} as const satisfies Record<string, readonly string[]>

export type Platform = keyof typeof PLATFORMS

/** A staged package: `<dir>/node_modules/tokengate` holds `package.json` and a fresh `dist`. */
export interface StagedPackage {
  /** Resolve `tokengate` from here. */
  readonly dir: string
  /** `<dir>/node_modules/tokengate`. */
  readonly packageDir: string
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; exports: Record<string, unknown> }

/** Public subpaths, and the source file each one is built from (`'.'` → `src/index.ts`). */
export function publicEntries(): Map<string, string> {
  const map = new Map<string, string>()
  for (const [name, file] of Object.entries(entries as Record<string, string>)) {
    map.set(name === 'index' ? '.' : `./${name}`, resolve(ROOT, file))
  }
  return map
}

/** The import specifier of a public subpath: `'.'` → `tokengate`, `'./hono'` → `tokengate/hono`. */
export const specifier = (subpath: string): string => (subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`)

/**
 * Builds the package (ESM, no declarations) with the project's tsup config into
 * `<dir>/node_modules/tokengate`, beside a copy of `package.json`, so its `exports` and
 * `imports` maps resolve exactly as in a consumer's install. `dir` should sit inside the
 * repository, so dependencies resolve from its `node_modules`.
 */
export async function stagePackage(dir: string): Promise<StagedPackage> {
  const packageDir = join(dir, 'node_modules', pkg.name)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(packageDir, { recursive: true })
  // The ESM build is what an edge platform loads (not the CJS one, the types or the CLI bin).
  for (const c of [esmBuild]) {
    const entry = c.entry && !Array.isArray(c.entry) ? Object.fromEntries(Object.entries(c.entry).map(([k, v]) => [k, resolve(ROOT, v)])) : c.entry
    await tsup({ ...c, entry, config: false, format: ['esm'], dts: false, sourcemap: false, silent: true, clean: false, outDir: join(packageDir, c.outDir ?? 'dist') })
  }
  copyFileSync(join(ROOT, 'package.json'), join(packageDir, 'package.json'))
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'edge-consumer', private: true, type: 'module' }))
  return { dir, packageDir }
}

/**
 * Lets code written against the sources (as the repository's tests and examples are) be
 * bundled against the staged package: an import that lands on a public entry's source file
 * (`src/index.ts`, `src/adapters/hono/index.ts`) is resolved as `tokengate`, `tokengate/hono`
 * from the staged package instead, through its `exports` map and the build's conditions. Any
 * other import of `src/` fails the build: edge code may use the public API only.
 */
function viaPackage(staged: StagedPackage): Plugin {
  const bySource = new Map([...publicEntries()].map(([subpath, file]) => [file.replace(/\.ts$/, ''), subpath]))
  const src = join(ROOT, 'src')
  return {
    name: 'tokengate-via-package',
    setup(b) {
      b.onResolve({ filter: /^\.{1,2}\// }, async (args) => {
        if (!args.importer || args.importer.startsWith(staged.dir)) return undefined
        const target = resolve(args.resolveDir, args.path).replace(/\.(js|ts)$/, '')
        if (relative(src, target).startsWith('..') || isAbsolute(relative(src, target))) return undefined
        const subpath = bySource.get(target)
        if (!subpath) return { errors: [{ text: `${args.path}: edge code must import a public entry point, not ${relative(ROOT, target)}` }] }
        const found = await b.resolve(specifier(subpath), { kind: args.kind, resolveDir: staged.dir })
        return found.errors.length > 0 ? { errors: found.errors } : { path: found.path }
      })
    },
  }
}

export interface EdgeBundle {
  readonly code: string
  readonly metafile: Metafile
}

export interface BundleOptions {
  readonly staged: StagedPackage
  readonly platform: Platform
  /** A file to bundle, or module text (resolved from the staged package's directory). */
  readonly entry: { file: string } | { contents: string }
  /** Compile-time constants (`define`), JSON-encoded here. */
  readonly define?: Record<string, unknown>
  readonly plugins?: readonly Plugin[]
  /** `esm` (default, as Workers take it) or `iife` exposing the module's exports as `globalName`. */
  readonly format?: 'esm' | 'iife'
  readonly globalName?: string
}

/** Bundles one module into a single ESM file for `platform`, everything inlined. */
export async function bundle(o: BundleOptions): Promise<EdgeBundle> {
  const result = await esbuild({
    ...('file' in o.entry
      ? { entryPoints: [o.entry.file] }
      : { stdin: { contents: o.entry.contents, resolveDir: o.staged.dir, sourcefile: 'edge-entry.js', loader: 'js' as const } }),
    bundle: true,
    write: false,
    metafile: true,
    format: o.format ?? 'esm',
    ...(o.globalName ? { globalName: o.globalName } : {}),
    platform: 'neutral',
    target: 'es2022',
    conditions: [...PLATFORMS[o.platform]],
    mainFields: ['browser', 'module', 'main'],
    absWorkingDir: ROOT,
    define: Object.fromEntries(Object.entries(o.define ?? {}).map(([k, v]) => [k, JSON.stringify(v)])),
    plugins: [viaPackage(o.staged), ...(o.plugins ?? [])],
    logLevel: 'silent',
  })
  return { code: result.outputFiles[0]!.text, metafile: result.metafile }
}

/** Input files of a bundle, relative to the staged package (`dist/signature/web.js`) or the repository. */
export function bundledInputs(b: EdgeBundle, staged: StagedPackage): string[] {
  return Object.keys(b.metafile.inputs).map((input) => {
    const abs = resolve(ROOT, input)
    return abs.startsWith(staged.packageDir) ? relative(staged.packageDir, abs) : relative(ROOT, abs)
  })
}

/** A bundle's size as shipped: bytes, minified, minified and gzipped (what Workers' size limit counts). */
export async function sizeOf(code: string): Promise<{ bytes: number; minified: number; gzip: number }> {
  const { code: min } = await transform(code, { minify: true, format: 'esm', target: 'es2022' })
  return { bytes: Buffer.byteLength(code), minified: Buffer.byteLength(min), gzip: gzipSync(min).byteLength }
}

/** Bytes each package contributes to a bundle (`tokengate` for the staged package itself), largest first. */
export function bytesByPackage(b: EdgeBundle): [string, number][] {
  const totals = new Map<string, number>()
  for (const output of Object.values(b.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const path = input.split('node_modules/').pop()!
      const parts = path.split('/')
      const name = input.includes('node_modules/') ? (parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!) : 'app'
      totals.set(name, (totals.get(name) ?? 0) + bytesInOutput)
    }
  }
  return [...totals].sort((a, b) => b[1] - a[1])
}
