/**
 * @module
 * The edge-import guard: builds the package, bundles each core and edge entry point
 * (`tokengate`, `tokengate/issuer`, `tokengate/apikeys`, `tokengate/hono`, `tokengate/next`, `tokengate/presets`) as wrangler and
 * Next.js would, and fails
 * if anything reachable imports a Node builtin (`node:*`, or a bare `crypto`, `buffer`, ...)
 * or a package that only runs on Node. Edge runtimes have neither (Workers only with the
 * `nodejs_compat` flag, which tokengate must not require).
 *
 * Run: `npm run check:edge` (the same check runs in `npm test` as test/edge/guard.test.ts).
 */
import type { Plugin } from 'esbuild'
import { builtinModules } from 'node:module'
import { join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'
import { bundle, bundledInputs, bytesByPackage, PLATFORMS, publicEntries, ROOT, sizeOf, specifier, stagePackage, type Platform, type StagedPackage } from './edge-bundle.js'

/** Public subpaths that must run on edge runtimes: the core, the issuer, API keys, the Fetch-API adapters, the presets. */
export const EDGE_SUBPATHS = ['.', './issuer', './apikeys', './hono', './next', './presets'] as const

/**
 * Size budgets, KiB of minified+gzip code (what Workers' script-size limit counts), per
 * public subpath, bundled as each platform's bundler would: the core stays small enough that
 * an app's own code, not tokengate, decides whether it fits a free Workers plan (1 MiB gzip
 * for everything), and `import` of it on a cold isolate stays cheap. `check:edge` fails
 * beyond them.
 */
export const SIZE_BUDGET_KIB: Readonly<Record<string, number>> = { '.': 25, './hono': 30, './next': 30 }

/** Packages that only run on Node even where they import no builtin at the top level. */
export const NODE_ONLY_PACKAGES = ['express', 'fastify', 'fastify-plugin', '@hono/node-server', 'undici', 'ws', 'jsonwebtoken', 'jwks-rsa', 'ioredis', 'redis']

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
const bare = [...builtinModules.filter((m) => !m.startsWith('_')), ...NODE_ONLY_PACKAGES]
/** `node:anything`, or a builtin / Node-only package name alone or with a subpath. */
export const NODE_IMPORT = new RegExp(`^(?:node:|(?:${bare.map(escape).join('|')})(?:/|$))`)

/** One import an edge bundle must not contain. */
export interface Violation {
  readonly entry: string
  readonly platform: Platform
  /** The importing file, relative to the staged package or the repository. */
  readonly importer: string
  readonly specifier: string
  /** esbuild's import kind: `import-statement`, `dynamic-import`, `require-call`, ... */
  readonly kind: string
}

/**
 * Node imports tolerated, each with the reason: only a dynamic `import()` whose failure the
 * package catches, so on an edge runtime it costs nothing but a rejected promise. The edge
 * suites run such bundles, so a tolerated import that breaks would fail there.
 */
export const TOLERATED: readonly { importer: RegExp; specifier: string; kind: 'dynamic-import'; why: string }[] = [
  {
    // lru-cache >= 11.3, default build (Next's edge-light conditions pick it; workerd's `browser` does not).
    importer: /(^|\/)node_modules\/lru-cache\//,
    specifier: 'node:diagnostics_channel',
    kind: 'dynamic-import',
    why: "optional metrics channel: import('node:diagnostics_channel').catch(() => {})",
  },
]

const tolerated = (v: Omit<Violation, 'entry' | 'platform'>): boolean =>
  TOLERATED.some((t) => t.kind === v.kind && t.specifier === v.specifier && t.importer.test(v.importer))

/** Records Node imports instead of resolving them, so one run lists them all. */
function recorder(staged: StagedPackage, entry: string, platform: Platform, into: Violation[]): Plugin {
  return {
    name: 'record-node-imports',
    setup(b) {
      b.onResolve({ filter: NODE_IMPORT }, (args) => {
        const importer = args.importer.startsWith(staged.packageDir) ? relative(staged.packageDir, args.importer) : relative(ROOT, args.importer)
        const found = { importer, specifier: args.path, kind: args.kind }
        if (!tolerated(found)) into.push({ entry, platform, ...found })
        return { path: args.path, external: true }
      })
    },
  }
}

export interface GuardReport {
  /** `tokengate/hono under workerd`, one per bundle checked. */
  readonly checked: string[]
  /** Edge subpaths the package does not export (yet). */
  readonly absent: string[]
  readonly violations: Violation[]
  /** Files each bundle inlined, by `checked` label. */
  readonly inputs: Map<string, string[]>
  /** Each bundle's code, by `checked` label. */
  readonly code: Map<string, string>
  /** Bytes per package in each bundle, by `checked` label. */
  readonly parts: Map<string, [string, number][]>
}

const emptyReport = (): GuardReport => ({ checked: [], absent: [], violations: [], inputs: new Map(), code: new Map(), parts: new Map() })

/** Bundles `contents` for every edge platform and lists its Node imports. */
export async function checkModule(staged: StagedPackage, label: string, contents: string): Promise<GuardReport> {
  const report = emptyReport()
  for (const platform of Object.keys(PLATFORMS) as Platform[]) {
    const b = await bundle({ staged, platform, entry: { contents }, plugins: [recorder(staged, label, platform, report.violations)] })
    const name = `${label} under ${platform}`
    report.checked.push(name)
    report.inputs.set(name, bundledInputs(b, staged))
    report.code.set(name, b.code)
    report.parts.set(name, bytesByPackage(b))
  }
  return report
}

/** Checks every edge subpath the package exports, under every edge platform's conditions. */
export async function checkEdgeImports(staged: StagedPackage): Promise<GuardReport> {
  const report = emptyReport()
  const exported = publicEntries()
  for (const subpath of EDGE_SUBPATHS) {
    if (!exported.has(subpath)) {
      report.absent.push(subpath)
      continue
    }
    const one = await checkModule(staged, specifier(subpath), `export * from '${specifier(subpath)}'`)
    report.checked.push(...one.checked)
    report.violations.push(...one.violations)
    for (const [k, v] of one.inputs) report.inputs.set(k, v)
    for (const [k, v] of one.code) report.code.set(k, v)
    for (const [k, v] of one.parts) report.parts.set(k, v)
  }
  return report
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`

/** One bundle over its budget. */
export interface OverBudget {
  readonly bundle: string
  readonly gzipKiB: number
  readonly budgetKiB: number
}

/** The bundles of `report` larger (minified+gzip) than their subpath's budget. */
export async function overBudget(report: GuardReport): Promise<OverBudget[]> {
  const over: OverBudget[] = []
  for (const [subpath, budgetKiB] of Object.entries(SIZE_BUDGET_KIB)) {
    for (const name of report.checked.filter((n) => n.startsWith(`${specifier(subpath)} under `))) {
      const gzipKiB = (await sizeOf(report.code.get(name)!)).gzip / 1024
      if (gzipKiB > budgetKiB) over.push({ bundle: name, gzipKiB, budgetKiB })
    }
  }
  return over
}

async function main(): Promise<void> {
  const staged = await stagePackage(join(ROOT, '.tmp', 'edge', 'guard'))
  const report = await checkEdgeImports(staged)
  for (const name of report.checked) {
    const size = await sizeOf(report.code.get(name)!)
    const parts = report.parts.get(name)!
    const total = parts.reduce((sum, [, n]) => sum + n, 0)
    const share = parts.filter(([, n]) => n * 100 >= total).map(([pkg, n]) => `${pkg} ${Math.round((100 * n) / total)}%`).join(', ')
    const subpath = [...publicEntries().keys()].find((p) => name.startsWith(`${specifier(p)} under `))
    const budget = subpath === undefined ? undefined : SIZE_BUDGET_KIB[subpath]
    const limit = budget === undefined ? '' : `, budget ${budget} KiB`
    console.log(`checked ${name}: ${kb(size.bytes)} bundled, ${kb(size.minified)} minified, ${kb(size.gzip)} minified+gzip${limit} (${share})`)
  }
  for (const subpath of report.absent) console.log(`not exported (skipped): ${specifier(subpath)}`)
  for (const v of report.violations) console.error(`${v.entry} under ${v.platform}: ${v.importer} imports "${v.specifier}" (${v.kind})`)
  if (report.violations.length > 0) {
    console.error(`edge-import guard: ${report.violations.length} Node import(s) reachable from edge entry points`)
    process.exitCode = 1
  } else {
    console.log(`edge-import guard: no Node imports in ${report.checked.length} bundles`)
  }
  const over = await overBudget(report)
  for (const o of over) console.error(`size budget: ${o.bundle} is ${o.gzipKiB.toFixed(1)} KiB minified+gzip, over its ${o.budgetKiB} KiB budget`)
  if (over.length > 0) process.exitCode = 1
  else console.log(`size budget: every bundle within its budget (${Object.entries(SIZE_BUDGET_KIB).map(([p, b]) => `${specifier(p)} ${b} KiB`).join(', ')})`)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main()
