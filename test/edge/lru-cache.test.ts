/**
 * lru-cache TTLs on Cloudflare Workers. By default a TTL check caches "now" and schedules a
 * `setTimeout(ttlResolution = 1 ms)` to forget it; a timer still pending when a Workers request
 * ends is cancelled with the request, so whenever a request ends within that millisecond the
 * cached "now" never resets (no later check reads the clock while it is set) and TTL entries
 * stop expiring for the life of the isolate. That is a race (seen in miniflare, not every
 * run), so the suite asserts its cause, a timer per check, rather than the race itself.
 * `ttlResolution: 0` reads the clock on every check and schedules nothing: tokengate sets it on
 * every cache it builds.
 */
import { Miniflare } from 'miniflare'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { bundle, ROOT, stagePackage } from '../../scripts/edge-bundle.js'
import { HERE } from './harness.js'

describe('lru-cache TTLs in workerd', () => {
  it('with ttlResolution: 0 schedule no timer and still expire across requests; the defaults schedule one per check', async () => {
    const staged = await stagePackage(join(ROOT, '.tmp', 'edge', 'lru'))
    const built = await bundle({ staged, platform: 'workerd', entry: { file: join(HERE, 'workers', 'lru-ttl-worker.ts') } })
    const mf = new Miniflare({ modules: true, script: built.code, compatibilityDate: '2025-07-18' })
    const get = async (cache: string) => (await mf.dispatchFetch(`http://lru.test/get?cache=${cache}`)).json()
    try {
      await (await mf.dispatchFetch('http://lru.test/set')).text()
      expect(await get('defaults')).toEqual({ value: 'cached', timers: 1 })
      expect(await get('tokengate')).toEqual({ value: 'cached', timers: 0 })
      // Well past the 500 ms TTL, on the host's clock.
      await new Promise((resolve) => setTimeout(resolve, 1000))
      expect(await get('tokengate')).toEqual({ value: null, timers: 0 })
    } finally {
      await mf.dispose()
    }
  }, 60_000)
})

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  )
}

describe('tokengate sources', () => {
  it('build every LRUCache with ttlResolution: 0', () => {
    const constructions = sources(join(ROOT, 'src')).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/new LRUCache(?:<[^(]*>)?\(([^)]*)\)/g)].map((m) => ({ file: relative(ROOT, file), options: m[1]! })),
    )
    expect(constructions.filter((c) => !/ttlResolution:\s*0\b/.test(c.options))).toEqual([])
  })
})
