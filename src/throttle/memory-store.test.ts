/**
 * memoryThrottleStore: the store contract on the store's own clock, its bound, and its options.
 */
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../errors/config-error.js'
import { memoryThrottleStore } from './memory-store.js'
import { throttleStoreContract } from '../../test/throttle/store-contract.js'

throttleStoreContract('memoryThrottleStore', () => {
  let clock = 1_000_000
  return { store: memoryThrottleStore({ now: () => clock }), windowMs: 60_000, pass: async (ms) => void (clock += ms) }
})

describe('memoryThrottleStore', () => {
  it('keeps at most max keys, forgetting the least recently counted', () => {
    const store = memoryThrottleStore({ max: 2 })
    store.hit('a', 60_000)
    store.hit('b', 60_000)
    store.hit('a', 60_000)
    store.hit('c', 60_000)
    expect([store.get('a'), store.get('b'), store.get('c')].map((w) => w?.failures)).toEqual([2, undefined, 1])
  })

  it('answers synchronously, so a throttled route takes no extra await', () => {
    const store = memoryThrottleStore()
    expect(store.hit('a', 1000)).toMatchObject({ failures: 1 })
    expect(store.get('a')).toMatchObject({ failures: 1 })
  })

  it.each([
    [{ max: 0 }, 'max'],
    [{ max: 1.5 }, 'max'],
    [{ now: 5 }, 'now'],
    [{ ttl: 5 }, 'ttl'],
  ])('refuses %j with a ConfigError naming %s', (options, option) => {
    expect(() => memoryThrottleStore(options as never)).toThrow(ConfigError)
    expect(() => memoryThrottleStore(options as never)).toThrow(new RegExp(`memoryThrottleStore option ${option}\\b`))
  })
})
