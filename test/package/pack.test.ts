/**
 * The published package as a consumer sees it: the tarball (built and packed once per run by
 * pack.setup.ts) unpacked into a throwaway project, then every `exports` subpath imported from
 * ESM and from CJS, and a TypeScript consumer type-checked with `moduleResolution` node16 and
 * bundler.
 *
 * The consumer lives under .tmp/ inside the repo, so the package's dependencies (and the
 * optional framework peers) resolve from the repo's node_modules without a network install.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { entries } from '../../tsup.config.js'
import { installPacked } from './consumer.js'

const root = new URL('../..', import.meta.url).pathname
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string
  exports: Record<string, unknown>
  bin?: Record<string, string>
}
const subpaths = Object.keys(pkg.exports).filter((s) => s !== './package.json')
const specifier = (subpath: string) => (subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`)
let consumer: string

function run(cmd: string, args: string[], cwd = root): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

beforeAll(() => {
  consumer = installPacked('consumer')
})

describe('the packed package', () => {
  it('ships only dist, README, LICENSE and package.json', () => {
    const files = run('npm', ['pack', '--dry-run', '--json']).trim()
    const list = (JSON.parse(files) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path)
    for (const file of list) expect(file).toMatch(/^(dist\/|README\.md$|LICENSE$|CHANGELOG\.md$|package\.json$)/)
    expect(list.some((f) => f.startsWith('src/') || f.startsWith('test/'))).toBe(false)
  })

  it.each(subpaths)('imports %s from ESM', (subpath) => {
    const out = run('node', ['--input-type=module', '-e', `const m = await import('${specifier(subpath)}'); console.log(Object.keys(m).length)`], consumer)
    expect(Number(out.trim())).toBeGreaterThan(0)
  })

  it.each(subpaths)('requires %s from CJS', (subpath) => {
    const out = run('node', ['-e', `console.log(Object.keys(require('${specifier(subpath)}')).length)`], consumer)
    expect(Number(out.trim())).toBeGreaterThan(0)
  })

  // engines allows Node >= 20, and require() of an ES module only works from Node 20.19 / 22.12:
  // with it switched off (as on Node 20.0–20.18 and 22.0–22.11), every CJS entry must still load,
  // so none may require an ESM-only package (jose 6) unguarded.
  it.each(subpaths)('requires %s from CJS without require(esm), as Node before 20.19 does', (subpath) => {
    const out = run('node', ['--no-experimental-require-module', '-e', `console.log(Object.keys(require('${specifier(subpath)}')).length)`], consumer)
    expect(Number(out.trim())).toBeGreaterThan(0)
  })

  it('mints and verifies through the CJS issuer without require(esm)', () => {
    const script = `
      const { createIssuer } = require('${pkg.name}/issuer')
      const { createVerifier } = require('${pkg.name}')
      const issuer = createIssuer({ issuer: 'https://idp.example.com/', audience: 'https://api.example.com' })
      issuer.issue({ sub: 'alice' }).then(async (pair) => {
        const verify = createVerifier({ issuer: 'https://idp.example.com/', audience: 'https://api.example.com', jwks: await issuer.jwks() })
        console.log((await verify('Bearer ' + pair.accessToken)).claims.sub)
      })`
    expect(run('node', ['--no-experimental-require-module', '-e', script], consumer).trim()).toBe('alice')
  })

  it('recognises a BearerError from the CJS copy in the ESM copy (BearerError.is)', () => {
    const script = `
      import { createRequire } from 'node:module'
      import { BearerError } from '${pkg.name}'
      const cjs = createRequire(import.meta.url)('${pkg.name}')
      const err = new cjs.BearerError('token_expired')
      console.log(err instanceof BearerError, BearerError.is(err))`
    expect(run('node', ['--input-type=module', '-e', script], consumer).trim()).toBe('false true')
  })

  // As if @opentelemetry/api were not installed: resolving it throws, from ESM (a module.register
  // resolve hook) and from CJS (Module._resolveFilename). Every entry but tokengate/otel loads.
  const NO_OTEL_ESM = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'
register('data:text/javascript,' + encodeURIComponent('export async function resolve(s, c, next) { if (s.startsWith("@opentelemetry/")) { const e = new Error("not installed: " + s); e.code = "ERR_MODULE_NOT_FOUND"; throw e } return next(s, c) }'))`)}`
  const NO_OTEL_CJS = `const M = require('node:module'); const r = M._resolveFilename; M._resolveFilename = function (s, ...a) { if (s.startsWith('@opentelemetry/')) { const e = new Error('not installed: ' + s); e.code = 'MODULE_NOT_FOUND'; throw e } return r.call(this, s, ...a) };`

  it.each(subpaths.filter((s) => s !== './otel'))('loads %s without @opentelemetry/api installed (ESM and CJS)', (subpath) => {
    const esm = run('node', ['--import', NO_OTEL_ESM, '--input-type=module', '-e', `const m = await import('${specifier(subpath)}'); console.log(Object.keys(m).length)`], consumer)
    expect(Number(esm.trim())).toBeGreaterThan(0)
    const cjs = run('node', ['-e', `${NO_OTEL_CJS} console.log(Object.keys(require('${specifier(subpath)}')).length)`], consumer)
    expect(Number(cjs.trim())).toBeGreaterThan(0)
  })

  it('needs @opentelemetry/api for tokengate/otel only (the check above can fail)', () => {
    expect(() => run('node', ['--import', NO_OTEL_ESM, '--input-type=module', '-e', `await import('${specifier('./otel')}')`], consumer)).toThrow(/not installed: @opentelemetry\/api/)
    expect(() => run('node', ['-e', `${NO_OTEL_CJS} require('${specifier('./otel')}')`], consumer)).toThrow(/not installed: @opentelemetry\/api/)
  })

  it.each(['node16', 'bundler'] as const)('type-checks a TypeScript consumer with moduleResolution %s', (resolution) => {
    const imports = subpaths.map((s, i) => `import * as m${i} from '${specifier(s)}'\nvoid m${i}`).join('\n')
    const usage = `
import { createVerifier, BearerError, type BearerAuth } from '${pkg.name}'
const verify = createVerifier({ issuer: 'i', audience: 'a', jwksUri: 'https://idp.example/jwks' })
export async function handle(header: string | undefined): Promise<BearerAuth | Response> {
  try { return await verify(header, { scopes: ['read'] }) } catch (err) { if (BearerError.is(err)) return err.toResponse(); throw err }
}`
    writeFileSync(join(consumer, 'consumer.mts'), `${imports}\n${usage}\n`)
    const tsconfig = {
      compilerOptions: {
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        target: 'ES2022',
        lib: ['ES2023', 'DOM'],
        types: [],
        module: resolution === 'node16' ? 'node16' : 'esnext',
        moduleResolution: resolution,
        // @types/koa refers to content-disposition's `Options` from @types/content-disposition,
        // but express 5.3 hoists content-disposition 2, whose own types lack it (an upstream
        // mismatch any app with both would meet): point the name at the @types package.
        paths: { 'content-disposition': [join(root, 'node_modules', '@types', 'content-disposition')] },
      },
      files: ['consumer.mts'],
    }
    writeFileSync(join(consumer, `tsconfig.${resolution}.json`), JSON.stringify(tsconfig))
    // Throws (failing the test) with tsc's diagnostics on any type error.
    run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', `tsconfig.${resolution}.json`], consumer)
  }, 60_000)
})

describe('exports map and build entries', () => {
  it('agree: every subpath has a tsup entry and every entry a subpath', () => {
    const fromExports = subpaths.map((s) => (s === '.' ? 'index' : s.slice(2))).sort()
    const entryNames = Object.keys(entries).filter((e) => e !== 'cli').sort()
    expect(fromExports).toEqual(entryNames)
  })

  it('point import/require/types at the files each entry builds', () => {
    for (const subpath of subpaths) {
      const name = subpath === '.' ? 'index' : subpath.slice(2)
      expect(pkg.exports[subpath]).toEqual({
        import: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` },
        require: { types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` },
      })
    }
  })
})
