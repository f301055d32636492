/**
 * `fileKeyStore` (tokengate/fs): key sets in a directory survive a restart: a new process's
 * verifier reads the set the last one wrote, under the same freshness rules.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fileKeyStore } from '../../src/fs/index.js'
import { createVerifier } from '../../src/index.js'
import { AUDIENCE, ISSUER, jwks, recorder, signer, testClock, type Signer } from './harness.js'
import { json, startKeyServer, type KeyServer } from './jwks-server.js'

let server: KeyServer
let k1: Signer
let token: string
const dir = mkdtempSync(join(tmpdir(), 'tokengate-keystore-'))

beforeAll(async () => {
  server = await startKeyServer()
  k1 = await signer('k1')
  token = await k1.token()
  server.route('/jwks.json', json(jwks(k1)))
})
afterAll(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

const settle = () => new Promise((resolve) => setTimeout(resolve, 50))

/** The directory's files once the background write has been renamed into place. */
async function written(directory: string): Promise<string[]> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await settle()) {
    // The store creates its directory on the first write: until then there is nothing to list.
    const files = existsSync(directory) ? readdirSync(directory, { withFileTypes: false }).map(String) : []
    if (files.length > 0 && files.every((f) => f.endsWith('.json'))) return files
  }
  throw new Error('nothing written')
}

describe('fileKeyStore', () => {
  it('a restarted process verifies with the set the last one wrote, without fetching', async () => {
    const store = join(dir, 'a')
    const clock = testClock()
    const options = { issuer: ISSUER, audience: AUDIENCE, jwksUri: server.url('/jwks.json'), now: clock.now }
    await createVerifier({ ...options, keyStore: fileKeyStore(store, { now: clock.now }) })(token)
    const files = await written(store).catch(() => [])
    expect(files).toHaveLength(1)
    expect(files[0]).toMatch(/^[0-9a-f]{32}\.json$/)
    const entry = JSON.parse(readFileSync(join(store, files[0]!), 'utf8')) as { key: string; until: number; value: string }
    expect(entry.key).toBe(`jwks:${server.url('/jwks.json')}`)
    expect(entry.until).toBe(clock.now() + (600 + 86_400) * 1000)
    const events = recorder()
    await createVerifier({ ...options, onEvent: events.onEvent, keyStore: fileKeyStore(store, { now: clock.now }) })(token)
    expect(events.types()).toEqual(['jwks_restored'])
    expect(server.count('/jwks.json')).toBe(1)
  })

  it('reads an expired or foreign file as no entry', async () => {
    const store = fileKeyStore(join(dir, 'b'), { now: () => 1000 })
    await store.set('jwks:x', 'value', 1)
    expect(await store.get('jwks:x')).toBe('value')
    expect(await fileKeyStore(join(dir, 'b'), { now: () => 2000 }).get('jwks:x')).toBeUndefined()
    const [file] = readdirSync(join(dir, 'b'))
    writeFileSync(join(dir, 'b', file!), JSON.stringify({ key: 'jwks:other', until: 9e15, value: 'v' }))
    expect(await store.get('jwks:x')).toBeUndefined()
    expect(await store.get('jwks:missing')).toBeUndefined()
  })

  it('a path that cannot be a directory only means nothing is stored (a jwks_store_error), never a failed request', async () => {
    const blocked = join(dir, 'blocked')
    writeFileSync(blocked, 'not a directory')
    const events = recorder()
    const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: server.url('/jwks.json'), onEvent: events.onEvent, now: testClock().now, keyStore: fileKeyStore(join(blocked, 'sub')) })
    await expect(verify(token)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    await settle()
    expect(events.of('jwks_store_error').map((e) => e.operation)).toEqual(['get', 'set'])
  })
})
