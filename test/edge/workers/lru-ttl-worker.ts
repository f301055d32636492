/**
 * @module
 * A Worker holding two lru-cache instances across requests: lru-cache's defaults, and
 * tokengate's setting (`ttlResolution: 0`). `/set` stores an entry with a 500 ms TTL in both;
 * `/get?cache=defaults|tokengate` reads one and says how many timers the read scheduled.
 */
import { LRUCache } from 'lru-cache'

const caches = {
  defaults: new LRUCache<string, string>({ max: 10 }),
  tokengate: new LRUCache<string, string>({ max: 10, ttlResolution: 0 }),
}

let scheduled = 0
const schedule = globalThis.setTimeout
globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
  scheduled++
  return schedule(...args)
}) as typeof setTimeout

export default {
  fetch(request: Request): Response {
    const url = new URL(request.url)
    if (url.pathname === '/set') {
      for (const cache of Object.values(caches)) cache.set('entry', 'cached', { ttl: 500 })
      return new Response('set')
    }
    const before = scheduled
    const value = caches[url.searchParams.get('cache') as keyof typeof caches].get('entry') ?? null
    return Response.json({ value, timers: scheduled - before })
  },
}
