import { describe, expect, it } from 'vitest'
import { apiKeyStoreContract } from '../../test/apikeys/store-contract.js'
import { memoryApiKeyStore } from './memory-store.js'

apiKeyStoreContract('memoryApiKeyStore', () => memoryApiKeyStore())

describe('memoryApiKeyStore bounds', () => {
  it('refuses a key beyond max rather than forget one', async () => {
    const store = memoryApiKeyStore({ max: 2 })
    const r = (id: string) => ({ id, hash: 'h'.repeat(43), name: 'n', scopes: [], createdAt: 1 })
    await store.insert(r('a00000000001'))
    await store.insert(r('a00000000002'))
    await expect(store.insert(r('a00000000003'))).rejects.toThrow(/full \(max 2 keys\)/)
    expect(await store.list()).toHaveLength(2)
  })

  it('rejects a max that is not a positive integer', () => {
    expect(() => memoryApiKeyStore({ max: 0 })).toThrow(/memoryApiKeyStore option max: expected a positive integer/)
  })
})
