/**
 * The edge-import guard (scripts/check-edge-imports.ts) over the built package, and over
 * modules that must fail it.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { checkEdgeImports, checkModule, NODE_IMPORT, overBudget, SIZE_BUDGET_KIB } from '../../scripts/check-edge-imports.js'
import { ROOT, stagePackage, type StagedPackage } from '../../scripts/edge-bundle.js'
import { HERE } from './harness.js'

let staged: StagedPackage

beforeAll(async () => {
  staged = await stagePackage(join(ROOT, '.tmp', 'edge', 'guard-test'))
}, 60_000)

describe('the edge-import guard', () => {
  it('finds no Node import reachable from the edge entry points under workerd and edge-light conditions', async () => {
    const report = await checkEdgeImports(staged)
    expect(report.violations).toEqual([])
    expect(report.checked).toEqual(
      expect.arrayContaining([
        'tokengate under workerd',
        'tokengate under edge-light',
        'tokengate/issuer under workerd',
        'tokengate/issuer under edge-light',
        'tokengate/apikeys under workerd',
        'tokengate/apikeys under edge-light',
      ]),
    )
  })

  it('bundles the WebCrypto signature backend under edge conditions, never the node:crypto one', async () => {
    const report = await checkEdgeImports(staged)
    const imports = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { imports?: Record<string, unknown> }).imports ?? {}
    for (const name of report.checked) {
      const files = report.inputs.get(name)!
      expect([name, files.filter((f) => f.includes('signature/node'))]).toEqual([name, []])
      // Once package.json "imports" picks the backend by condition, the web build must be the one
      // picked (tokengate/presets builds options only and tokengate/apikeys verifies no signatures:
      // neither carries a backend at all).
      const verifies = !name.startsWith('tokengate/presets ') && !name.startsWith('tokengate/apikeys ')
      if ('#signature-backend' in imports && verifies) expect([name, files.includes('dist/signature/web.js')]).toEqual([name, true])
    }
  })

  it('keeps the core within 25 KiB and tokengate/hono, tokengate/next within 30 KiB (minified+gzip), with no jose in them', async () => {
    expect(SIZE_BUDGET_KIB).toEqual({ '.': 25, './hono': 30, './next': 30 })
    const report = await checkEdgeImports(staged)
    expect(await overBudget(report)).toEqual([])
    // The verifier calls crypto.subtle itself: jose is the issuer's, never the verifier's.
    for (const name of report.checked.filter((n) => !n.startsWith('tokengate/issuer'))) {
      expect([name, report.parts.get(name)!.map(([pkg]) => pkg).includes('jose')]).toEqual([name, false])
    }
  })

  it('names node: imports, bare builtins and Node-only packages, under every platform', async () => {
    const report = await checkModule(staged, 'fixture', `export * from 'node:crypto'; export * from 'buffer'; export * from 'fs/promises'; export * from 'express'`)
    const found = report.violations.map((v) => `${v.platform} ${v.specifier}`)
    expect(found).toEqual([
      ...['node:crypto', 'buffer', 'fs/promises', 'express'].map((s) => `workerd ${s}`),
      ...['node:crypto', 'buffer', 'fs/promises', 'express'].map((s) => `edge-light ${s}`),
    ])
  })

  it('finds a Node import deep in the graph and names the file that makes it', async () => {
    const report = await checkModule(staged, 'fixture', `export { digest } from ${JSON.stringify(join(HERE, 'fixtures', 'node-user.ts'))}`)
    expect(report.violations.map((v) => [v.importer, v.specifier])).toEqual([
      ['test/edge/fixtures/node-user.ts', 'node:crypto'],
      ['test/edge/fixtures/node-user.ts', 'node:crypto'],
    ])
  })

  it("tolerates lru-cache's caught import('node:diagnostics_channel') and nothing like it elsewhere", async () => {
    const lru = await checkModule(staged, 'lru-cache', `export { LRUCache } from 'lru-cache'`)
    expect(lru.inputs.get('lru-cache under edge-light')).toContain('node_modules/lru-cache/dist/esm/index.min.js')
    expect(lru.violations).toEqual([])
    const ours = await checkModule(staged, 'fixture', `export const channel = () => import('node:diagnostics_channel')`)
    expect(ours.violations.map((v) => `${v.platform} ${v.kind} ${v.specifier}`)).toEqual([
      'workerd dynamic-import node:diagnostics_channel',
      'edge-light dynamic-import node:diagnostics_channel',
    ])
  })

  it('matches builtins and Node-only packages by name, not by prefix', () => {
    const matched = ['node:test', 'crypto', 'fs/promises', 'string_decoder', '@hono/node-server', 'fs-extra', 'cryptography', 'hono', 'jose', 'zod']
      .filter((s) => NODE_IMPORT.test(s))
    expect(matched).toEqual(['node:test', 'crypto', 'fs/promises', 'string_decoder', '@hono/node-server'])
  })
})
