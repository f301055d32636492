/**
 * Behaviour every ThrottleStore must show: the memory store (src/throttle/memory-store.test.ts)
 * and Redis (test/redis/throttle-store.test.ts). `pass(ms)` lets the window's time go by: the
 * memory store's clock moves, Redis is waited for.
 */
import { describe, expect, it } from 'vitest'
import type { ThrottleStore } from '../../src/throttle/store.js'

export interface StoreUnderTest {
  readonly store: ThrottleStore
  /** Lets `ms` of the store's time pass. */
  pass(ms: number): Promise<void>
  /** A window long enough for the test's steps, short enough to wait for (Redis). */
  readonly windowMs: number
}

let unique = 0
const key = (name: string) => `${name}-${process.pid}-${++unique}`

export function throttleStoreContract(name: string, make: () => StoreUnderTest | Promise<StoreUnderTest>): void {
  describe(`${name}: ThrottleStore contract`, () => {
    it('has no window for a key never counted, and reading counts nothing', async () => {
      const { store } = await make()
      const k = key('fresh')
      expect(await store.get(k)).toBeUndefined()
      expect(await store.get(k)).toBeUndefined()
    })

    it('counts failures in one window that starts at the first and ends windowMs later', async () => {
      const { store, windowMs } = await make()
      const k = key('count')
      const first = await store.hit(k, windowMs)
      expect(first.failures).toBe(1)
      expect(first.resetMs).toBeGreaterThan(windowMs * 0.5)
      expect(first.resetMs).toBeLessThanOrEqual(windowMs)
      const second = await store.hit(k, windowMs)
      expect(second.failures).toBe(2)
      // The second failure does not move the end of the window.
      expect(second.resetMs).toBeLessThanOrEqual(first.resetMs)
      const read = await store.get(k)
      expect(read?.failures).toBe(2)
      expect(read!.resetMs).toBeLessThanOrEqual(second.resetMs)
      expect((await store.get(k))?.failures).toBe(2)
    })

    it('forgets a window once it ends; the next failure starts a new one', async () => {
      const { store, windowMs, pass } = await make()
      const k = key('ends')
      await store.hit(k, windowMs)
      await store.hit(k, windowMs)
      await pass(windowMs + 50)
      expect(await store.get(k)).toBeUndefined()
      expect((await store.hit(k, windowMs)).failures).toBe(1)
    })

    it('keeps keys apart', async () => {
      const { store, windowMs } = await make()
      const [a, b] = [key('a'), key('b')]
      for (let i = 0; i < 3; i++) await store.hit(a, windowMs)
      expect((await store.get(a))?.failures).toBe(3)
      expect(await store.get(b)).toBeUndefined()
      expect((await store.hit(b, windowMs)).failures).toBe(1)
    })

    it('counts every one of 200 concurrent failures of one key exactly once', async () => {
      const { store, windowMs } = await make()
      const k = key('concurrent')
      const counts = await Promise.all(Array.from({ length: 200 }, () => store.hit(k, windowMs)))
      expect(counts.map((c) => c.failures).sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1))
      expect((await store.get(k))?.failures).toBe(200)
    })
  })
}
