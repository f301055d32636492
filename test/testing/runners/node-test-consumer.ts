/**
 * The kit under node:test (run by node-test-runner.test.ts through `node --import tsx --test`):
 * keys, a live JWKS server and a verifier, with node's own before/after hooks.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { BearerError, createVerifier } from '../../../src/index.js'
import { createTestKit, type JwksServer, type TestKit } from '../../../src/testing/index.js'

let kit: TestKit
let server: JwksServer

before(async () => {
  kit = await createTestKit({ alg: 'ES256' })
  server = await kit.server()
})
after(() => server.close())

test('valid token through a live JWKS', async () => {
  const verify = createVerifier({ issuer: kit.issuer, audience: kit.audience, jwksUri: server.jwksUri })
  assert.equal((await verify(`Bearer ${await kit.valid({ sub: 'node-test' })}`)).claims.sub, 'node-test')
})

test('expired token: 401 token_expired', async () => {
  const verify = createVerifier(kit.verifierOptions)
  await assert.rejects(verify(`Bearer ${await kit.expired()}`), (err) => BearerError.is(err) && err.status === 401 && err.reason === 'token_expired')
})
