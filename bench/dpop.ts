/**
 * @module
 * DPoP vs Bearer in `npm run bench`: the same ES256 access token presented as `Bearer` and as
 * `DPoP` with a fresh ES256 proof per request (unique `jti`, the memory replay store on), on one
 * verifier with the verified-token cache on, beside the cost of one ES256 signature check. The
 * claim: a DPoP request costs at most one signature verification more than a Bearer one (the
 * proof's; the token's is cached either way).
 */
import { createHash, generateKeyPairSync, sign, verify as cryptoVerify } from 'node:crypto'
import { measure } from 'mitata'
import { SignJWT, importJWK } from 'jose'
import { createVerifierOn } from '../src/core/create-verifier.js'
import type { VerifierOptions } from '../src/core/options.js'
import { nodeSignatureBackend } from '../src/signature/node.js'
import type { SignatureBackend } from '../src/signature/signature-backend.js'
import { webSignatureBackend } from '../src/signature/web.js'
import { jwkThumbprintOf } from '../src/testing/dpop.js'
import { loadJwk } from '../src/keys/verification-key.js'
import { parseToken } from '../src/lib/token.js'
import { AUDIENCE, ISSUER } from './fixtures.js'

const URL_ = 'https://api.example.com/orders'
/** Proofs signed ahead of the measurements: each is accepted once (the replay store is on). */
const POOL = Number(process.env.BENCH_DPOP_PROOFS ?? 20_000)

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

interface Setup {
  readonly bearer: string
  readonly dpop: string
  readonly proofs: readonly string[]
  readonly options: VerifierOptions
  /** One ES256 signature check with node:crypto on a prepared key: the unit of the claim on Node. */
  readonly oneSignature: () => boolean
  /** The same with WebCrypto (`crypto.subtle.verify`), the unit on edge runtimes. */
  readonly oneWebSignature: () => Promise<boolean>
  /**
   * One ES256 signature check of a proof as tokengate's own backend makes it (the node:crypto
   * one, or its crypto.subtle path): what the signature step of a fresh Bearer token costs.
   */
  readonly backendSignature: (backend: SignatureBackend) => () => boolean | Promise<boolean>
}

async function setup(): Promise<Setup> {
  const issuerKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const publicJwk = { ...issuerKeys.publicKey.export({ format: 'jwk' }), kid: 'es256-2026-01', alg: 'ES256', use: 'sig' }
  const signingKey = await importJWK(issuerKeys.privateKey.export({ format: 'jwk' }) as never, 'ES256')
  const client = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const jwk = client.publicKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string; y: string }
  const proofJwk = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }
  const now = Math.floor(Date.now() / 1000)
  const claims = { iss: ISSUER, sub: 'auth0|5f7c8ec7c33c6c004bbafe82', aud: AUDIENCE, iat: now, exp: now + 3600, client_id: 's6BhdRkqt3', scope: 'read:users' }
  const sign1 = (payload: object) => new SignJWT({ ...claims, ...payload }).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: publicJwk.kid }).sign(signingKey)
  const bearer = await sign1({ jti: 'bearer' })
  const dpop = await sign1({ jti: 'dpop', cnf: { jkt: jwkThumbprintOf(proofJwk) } })
  const header = b64({ typ: 'dpop+jwt', alg: 'ES256', jwk: proofJwk })
  const ath = createHash('sha256').update(dpop).digest('base64url')
  const proofs: string[] = []
  for (let i = 0; i < POOL; i++) {
    const input = `${header}.${b64({ jti: `p-${i}-${now}`, htm: 'GET', htu: URL_, iat: now, ath })}`
    proofs.push(`${input}.${sign('sha256', Buffer.from(input), { key: client.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`)
  }
  const [input, signature] = [proofs[0]!.slice(0, proofs[0]!.lastIndexOf('.')), proofs[0]!.slice(proofs[0]!.lastIndexOf('.') + 1)]
  const ecdsa = { key: client.publicKey, dsaEncoding: 'ieee-p1363' as const }
  const webKey = await crypto.subtle.importKey('jwk', proofJwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
  const webInput = Buffer.from(input, 'latin1')
  const webSignature = Buffer.from(signature, 'base64url')
  return {
    bearer,
    dpop,
    proofs,
    options: { issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'], jwks: { keys: [publicJwk as never] }, dpop: true },
    oneSignature: () => cryptoVerify('sha256', Buffer.from(input, 'latin1'), ecdsa, Buffer.from(signature, 'base64url')),
    oneWebSignature: () => crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, webKey, webSignature, webInput),
    backendSignature: (backend) => {
      const loaded = loadJwk(proofJwk, new Set(['ES256']))
      if (!('key' in loaded)) throw new Error(`the bench proof key did not load: ${loaded.skipped}`)
      const parsed = parseToken(proofs[0]!, undefined)
      return () => backend.verify(loaded.key, 'ES256', parsed)
    },
  }
}

/** Requests with a new proof each; a fresh verifier (fresh replay store) when the pool runs out. */
function dpopRunner(s: Setup, backend: SignatureBackend): () => Promise<unknown> {
  let verify = createVerifierOn(backend, s.options)
  let i = 0
  const authorization = `DPoP ${s.dpop}`
  return () => {
    if (i === s.proofs.length) {
      i = 0
      verify = createVerifierOn(backend, s.options)
    }
    return verify(authorization.slice(0), { dpop: { proof: s.proofs[i++]!, method: 'GET', url: URL_ } })
  }
}

function bearerRunner(s: Setup, backend: SignatureBackend): () => Promise<unknown> {
  const verify = createVerifierOn(backend, s.options)
  const authorization = `Bearer ${s.bearer}`
  return () => verify(authorization.slice(0))
}

/** Runs the DPoP section of the bench: best of `rounds` interleaved measurements of `ms` each. */
export async function dpopBench(rounds: number, ms: number): Promise<void> {
  const s = await setup()
  const backends: [string, SignatureBackend, string, string][] = [
    ['node', nodeSignatureBackend, 'one ES256 signature check (node:crypto)', 'tokengate node backend: one ES256 check'],
    ['edge (WebCrypto)', webSignatureBackend, 'one ES256 signature check (WebCrypto)', 'tokengate web backend: one ES256 check'],
  ]
  const best = new Map<string, number>()
  const runners: [string, () => unknown][] = [
    [backends[0]![2], s.oneSignature],
    [backends[1]![2], s.oneWebSignature],
    [backends[0]![3], s.backendSignature(nodeSignatureBackend)],
    [backends[1]![3], s.backendSignature(webSignatureBackend)],
  ]
  for (const [name, backend] of backends) {
    runners.push([`${name}: Bearer, cached token`, bearerRunner(s, backend)], [`${name}: DPoP, cached token + fresh proof`, dpopRunner(s, backend)])
  }
  // Sanity: both verify, and a replayed proof is refused.
  for (const [, run] of runners) await run()
  const probe = createVerifierOn(nodeSignatureBackend, s.options)
  await probe(`DPoP ${s.dpop}`, { dpop: { proof: s.proofs.at(-1)!, method: 'GET', url: URL_ } })
  const replay = await probe(`DPoP ${s.dpop}`, { dpop: { proof: s.proofs.at(-1)!, method: 'GET', url: URL_ } }).then(() => 'accepted', () => 'refused')
  if (replay !== 'refused') throw new Error('the DPoP bench verifier accepted a replayed proof')
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of runners) {
      const stats = await measure(run, { min_cpu_time: ms * 1e6 })
      best.set(name, Math.max(best.get(name) ?? 0, 1e9 / stats.p50))
    }
  }
  const us = (name: string) => 1e6 / best.get(name)!
  console.log('\nDPoP vs Bearer (ES256 token, ES256 proof, cache on, memory replay store)')
  console.log(`${'request'.padEnd(48)}${'ops/s'.padStart(10)}${'µs'.padStart(9)}`)
  for (const [name] of runners) console.log(`${name.padEnd(48)}${(best.get(name)! / 1e3).toFixed(1).padStart(9)}k${us(name).toFixed(1).padStart(9)}`)
  for (const [name, , unit, ownUnit] of backends) {
    const bearer = us(`${name}: Bearer, cached token`)
    const dpop = us(`${name}: DPoP, cached token + fresh proof`)
    const sig = us(unit)
    const own = us(ownUnit)
    console.log(
      `${name}: DPoP / Bearer = ${(dpop / bearer).toFixed(2)}× the time; DPoP − Bearer = ${(dpop - bearer).toFixed(1)} µs = ${((dpop - bearer) / sig).toFixed(2)}× ${unit} (${sig.toFixed(1)} µs) = ${((dpop - bearer) / own).toFixed(2)}× ${ownUnit} (${own.toFixed(1)} µs)`,
    )
  }
}
