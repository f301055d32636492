/**
 * Which signature backend a runtime gets: package.json "imports" maps `#signature-backend` by
 * export condition, tsup builds both targets, and each vitest project runs on one of them.
 */
import { readFileSync } from 'node:fs'
import { signatureBackend } from '#signature-backend'
import { describe, expect, it } from 'vitest'
import { internalEntries } from '../../tsup.config.js'

type Target = string | { readonly [condition: string]: Target }
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { imports: Record<string, Target> }

/** Node's algorithm for conditional targets: the first key, in object order, that is active. */
function resolveTarget(target: Target, conditions: readonly string[]): string | undefined {
  if (typeof target === 'string') return target
  for (const [key, value] of Object.entries(target)) {
    if (key === 'default' || conditions.includes(key)) {
      const found = resolveTarget(value, conditions)
      if (found !== undefined) return found
    }
  }
  return undefined
}

describe('#signature-backend', () => {
  it('is the backend this test project runs on', () => {
    expect(signatureBackend.name).toBe(process.env.TOKENGATE_BACKEND === 'web' ? 'webcrypto' : 'node')
  })

  it.each([
    ['Node, ESM', ['node', 'import'], './dist/signature/node.js'],
    ['Node, CJS', ['node', 'require'], './dist/signature/node.cjs'],
    ['Deno and Bun (they set "node" too)', ['deno', 'node', 'import'], './dist/signature/node.js'],
    ['Cloudflare Workers', ['workerd', 'worker', 'browser', 'import'], './dist/signature/web.js'],
    ['Workers with nodejs_compat', ['workerd', 'worker', 'node', 'import'], './dist/signature/web.js'],
    ['Vercel Edge', ['edge-light', 'worker', 'browser', 'import'], './dist/signature/web.js'],
    ['a browser bundle', ['browser', 'import'], './dist/signature/web.js'],
    ['an unknown runtime', ['import'], './dist/signature/web.js'],
  ])('maps %s to %s', (_name, conditions, file) => {
    expect(resolveTarget(pkg.imports['#signature-backend']!, conditions)).toBe(file)
  })

  it('points only at files tsup builds', () => {
    const built = Object.keys(internalEntries).flatMap((name) => [`./dist/${name}.js`, `./dist/${name}.cjs`])
    const targets = new Set<string>()
    const walk = (t: Target): void => {
      if (typeof t === 'string') targets.add(t)
      else Object.values(t).forEach(walk)
    }
    walk(pkg.imports['#signature-backend']!)
    expect([...targets].sort()).toEqual(built.sort())
  })
})
