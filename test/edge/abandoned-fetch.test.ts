/**
 * A shared JWKS fetch that never settles. On Cloudflare Workers a fetch belongs to the request
 * that started it; when that request is cancelled (the client went away), the fetch and its
 * deadline timer are cancelled with it, and the promise every other request shares never
 * settles (panva/jose#355, #509). miniflare does not cancel requests whose client disconnects,
 * so the suite drives the cache with a load that never settles, which is what the other
 * requests see: each must give up on its own timer, and the next request must start afresh.
 */
import { describe, expect, it } from 'vitest'
import { BearerError } from '../../src/index.js'
import { createJwksCache, type LoadedJwks } from '../../src/keys/jwks-cache.js'
import { resolveCacheOptions } from '../../src/keys/jwks-cache-options.js'
import { buildKeySet, type KeySet } from '../../src/keys/key-set.js'
import { recorder, signer, testClock } from '../jwks/harness.js'

const URI = 'https://idp.example.com/jwks.json'

async function setup() {
  const clock = testClock()
  const events = recorder()
  const set = buildKeySet({ keys: [(await signer('k1')).jwk] }, new Set(['ES256'])) as KeySet
  let loads = 0
  const loaded: LoadedJwks = { set, uri: URI, status: 200, headers: new Headers() }
  const cache = createJwksCache(
    { algorithms: new Set(['ES256']), onEvent: events.onEvent, fetch: globalThis.fetch, now: clock.now },
    resolveCacheOptions({ timeout: '100ms' }),
    {
      label: () => URI,
      // The first load is the cancelled request's: it never settles, and its deadline never fires.
      load: () => (++loads === 1 ? new Promise<never>(() => {}) : Promise.resolve(loaded)),
      maxDurationMs: () => 100,
    },
  )
  return { cache, clock, events, set, loads: () => loads }
}

describe('a shared JWKS fetch that never settles', () => {
  it('fails every waiting request with 503 jwks_unavailable on its own timer instead of hanging it', async () => {
    const { cache, events, loads } = await setup()
    const results = await Promise.allSettled([cache.current(), cache.current(), cache.warm()])
    const reasons = results.map((r) => (r.status === 'rejected' && BearerError.is(r.reason) ? `${r.reason.status} ${r.reason.reason}` : r.status))
    expect(reasons).toEqual(['503 jwks_unavailable', '503 jwks_unavailable', '503 jwks_unavailable'])
    expect(loads()).toBe(1)
    expect(events.of('jwks_error')).toMatchObject([{ uri: URI, code: 'timeout' }])
  })

  it('is abandoned: after the cooldown the next request starts a new fetch and gets the keys', async () => {
    const { cache, clock, set, loads } = await setup()
    await cache.current().catch(() => undefined)
    clock.advance(30)
    expect(await cache.current()).toBe(set)
    expect(loads()).toBe(2)
  })
})
