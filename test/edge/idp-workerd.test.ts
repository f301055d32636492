/**
 * IdP keys and presets in real workerd (no `nodejs_compat`), bundled from the built package as
 * wrangler bundles: a PEM certificate as `publicKey` (read by the DER reader, no `node:`), the
 * Firebase preset's certificate document, and the ALB preset's padded tokens with PEM keys
 * per kid, all fetched from a real key server on 127.0.0.1 by workerd's own `fetch`.
 */
import { Miniflare } from 'miniflare'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundle, bundledInputs, ROOT, stagePackage } from '../../scripts/edge-bundle.js'
import { certificatePem, createTestKit, TEST_ALB_ARN, type JwksServer, type TestKit } from '../../src/testing/index.js'
import { AUDIENCE, expectAnswer, HERE, ISSUER, withStats } from './harness.js'

let rsa: TestKit
let firebaseKit: TestKit
let albKit: TestKit
let servers: JwksServer[] = []
let mf: Miniflare
let inputs: string[]

beforeAll(async () => {
  rsa = await createTestKit({ issuer: ISSUER, audience: AUDIENCE })
  firebaseKit = await createTestKit({ issuer: 'https://securetoken.google.com/edge-project', audience: 'edge-project' })
  albKit = await createTestKit({ alg: 'ES256', issuer: ISSUER })
  servers = await Promise.all([firebaseKit.server(), albKit.server()])
  const staged = await stagePackage(join(ROOT, '.tmp', 'edge', 'workerd-idp'))
  const built = await bundle({ staged, platform: 'workerd', entry: { contents: withStats(join(HERE, 'workers', 'idp-worker.ts'), 'app.default.fetch') } })
  inputs = bundledInputs(built, staged)
  mf = new Miniflare({
    modules: true,
    script: built.code,
    compatibilityDate: '2025-07-18',
    bindings: {
      ISSUER,
      AUDIENCE,
      CERTIFICATE: await certificatePem(rsa.key),
      PROJECT_ID: 'edge-project',
      X509_URI: servers[0]!.x509Uri,
      ALB_ARN: TEST_ALB_ARN,
      ALB_KEYS_URL: servers[1]!.albKeysUrl,
    },
  })
  await mf.ready
}, 60_000)

afterAll(async () => {
  await mf?.dispose()
  await Promise.all(servers.map((s) => s.close()))
})

const call = (path: string, headers: Record<string, string> = {}) => mf.dispatchFetch(`http://idp.edge.test${path}`, { headers })

describe('IdP keys and presets in workerd', () => {
  it('are bundled from the built package (tokengate and tokengate/presets), with no Node module', () => {
    expect(inputs).toEqual(expect.arrayContaining(['dist/index.js', 'dist/presets.js']))
    expect(inputs.filter((f) => f.startsWith('src/') || /^node:|signature\/node/.test(f))).toEqual([])
  })

  it('verifies with a PEM certificate as publicKey, whatever kid the token names', async () => {
    for (const header of [{}, { kid: 'some-other-kid' }]) {
      const token = await rsa.valid({}, header)
      expect(await expectAnswer(await call('/pem', { authorization: `Bearer ${token}` }), { status: 200 })).toMatchObject({ sub: 'test-user' })
    }
    await expectAnswer(await call('/pem', { authorization: `Bearer ${await rsa.untrustedKey()}` }), { status: 401, reason: 'signature_invalid' })
  })

  it("verifies Firebase ID tokens with the certificate document, and refuses one without auth_time", async () => {
    const token = await firebaseKit.token({ shape: 'firebase-id' })
    expect(await expectAnswer(await call('/firebase', { authorization: `Bearer ${token}` }), { status: 200 })).toMatchObject({ sub: 'test-user', kid: firebaseKit.kid })
    const noAuthTime = await firebaseKit.token({ shape: 'firebase-id', claims: { auth_time: undefined } })
    await expectAnswer(await call('/firebase', { authorization: `Bearer ${noAuthTime}` }), { status: 401, reason: 'claim_missing' })
    expect(servers[0]!.requests.x509).toBe(1)
  })

  it("verifies ALB's padded x-amzn-oidc-data tokens with the kid's PEM key, and refuses another load balancer's", async () => {
    const token = await albKit.token({ shape: 'alb', claims: { groups: ['admin'] } })
    expect(await expectAnswer(await call('/alb', { 'x-amzn-oidc-data': token }), { status: 200 })).toMatchObject({ sub: 'test-user', roles: ['admin'] })
    const other = await albKit.token({ shape: 'alb', albArn: 'arn:aws:elasticloadbalancing:us-east-1:999999999999:loadbalancer/app/other/0123456789abcdef' })
    await expectAnswer(await call('/alb', { 'x-amzn-oidc-data': other }), { status: 401, reason: 'issuer_invalid' })
    expect(servers[1]!.requests.alb).toBe(1)
  })
})
