/**
 * @module
 * Every verifier in the benchmark, configured alike: the token's algorithm only, `iss`, `aud`
 * and `exp` checked. Each takes the `Authorization` value; peers get `value.slice(7)`, the
 * least an application does before calling them.
 */
import { createVerifier as fastJwt } from 'fast-jwt'
import { jwtVerify } from 'jose'
import jsonwebtoken from 'jsonwebtoken'
import { JwtVerifier } from 'aws-jwt-verify'
import { createVerifierOn } from '../src/core/create-verifier.js'
import type { VerifierOptions } from '../src/core/options.js'
import { nodeSignatureBackend } from '../src/signature/node.js'
import type { SignatureBackend } from '../src/signature/signature-backend.js'
import { webSignatureBackend } from '../src/signature/web.js'
import { AUDIENCE, ISSUER, type Fixture } from './fixtures.js'
import { floorVerifier } from './floor.js'

/** `single`: one call awaited at a time. `inflight`: a batch of `INFLIGHT` awaited together. */
export type Mode = 'single' | 'inflight'
export const INFLIGHT = 64

export interface Contender {
  readonly name: string
  readonly mode: Mode
  /** Compared with this contender in the "vs tokengate" column. */
  readonly tokengate: string
  readonly verify: (authorization: string) => unknown
}

export const FLOOR = 'node:crypto floor'
export const TG_OFF = 'tokengate node, cache off'
export const TG_ON = 'tokengate node, cache on'
export const TG_EDGE = 'tokengate edge (WebCrypto), cache off'
export const TG_PARALLEL = 'tokengate node parallel, cache off'
/** The same verifiers with an `onEvent` listener attached (issue 20: ≤ 5% overhead). */
export const TG_OFF_EVENTS = 'tokengate node, cache off, onEvent'
export const TG_ON_EVENTS = 'tokengate node, cache on, onEvent'

/** A listener as a metrics exporter would be: count outcomes by reason, sum durations (also used by bench/events.ts). */
export function countingListener(): (event: { type: string }) => void {
  const counts = new Map<string, number>()
  let totalMs = 0
  return (event) => {
    const e = event as { type: string; reason?: string; durationMs?: number }
    const key = e.reason === undefined ? e.type : `${e.type}:${e.reason}`
    counts.set(key, (counts.get(key) ?? 0) + 1)
    totalMs += e.durationMs ?? 0
    // Never true: keeps the counts observable, so the work is not optimised away.
    if (totalMs < 0) console.log(counts)
  }
}

export function contenders(f: Fixture): Contender[] {
  const base = { issuer: ISSUER, audience: AUDIENCE, algorithms: [f.alg] }
  const keys = f.secret ? { secret: f.secret } : { jwks: { keys: [f.publicJwk!] } }
  const tg = (backend: SignatureBackend, cache: boolean, o: { parallel?: boolean; listen?: boolean } = {}) => {
    const verify = createVerifierOn(backend, { ...base, ...keys, ...(cache ? {} : { cache: false }), ...(o.parallel ? { parallel: true } : {}), ...(o.listen ? { onEvent: countingListener() } : {}) } as VerifierOptions)
    return (h: string) => verify(h)
  }
  const list: Contender[] = [
    { name: FLOOR, mode: 'single', tokengate: TG_OFF, verify: floorVerifier(f) },
    { name: TG_OFF, mode: 'single', tokengate: TG_OFF, verify: tg(nodeSignatureBackend, false) },
    { name: TG_ON, mode: 'single', tokengate: TG_ON, verify: tg(nodeSignatureBackend, true) },
    { name: TG_OFF_EVENTS, mode: 'single', tokengate: TG_OFF, verify: tg(nodeSignatureBackend, false, { listen: true }) },
    { name: TG_ON_EVENTS, mode: 'single', tokengate: TG_ON, verify: tg(nodeSignatureBackend, true, { listen: true }) },
    { name: TG_EDGE, mode: 'single', tokengate: TG_EDGE, verify: tg(webSignatureBackend, false) },
    { name: TG_EDGE, mode: 'inflight', tokengate: TG_EDGE, verify: tg(webSignatureBackend, false) },
    // parallel: true, the libuv thread pool: compared with the sync floor one at a time.
    { name: TG_PARALLEL, mode: 'inflight', tokengate: TG_OFF, verify: tg(nodeSignatureBackend, false, { parallel: true }) },
  ]
  const fjOptions = { key: f.keyText, algorithms: [f.alg], allowedIss: ISSUER, allowedAud: AUDIENCE }
  const fjOff = fastJwt({ ...fjOptions, cache: false })
  const fjOn = fastJwt({ ...fjOptions, cache: true })
  list.push(
    { name: 'fast-jwt', mode: 'single', tokengate: TG_OFF, verify: (h) => fjOff(h.slice(7)) },
    { name: 'fast-jwt, cache on', mode: 'single', tokengate: TG_ON, verify: (h) => fjOn(h.slice(7)) },
  )
  const joseOptions = { issuer: ISSUER, audience: AUDIENCE, algorithms: [f.alg] }
  const jose = (h: string) => jwtVerify(h.slice(7), f.cryptoKey, joseOptions)
  list.push(
    { name: 'jose jwtVerify', mode: 'single', tokengate: TG_EDGE, verify: jose },
    { name: 'jose jwtVerify', mode: 'inflight', tokengate: TG_EDGE, verify: jose },
  )
  if (f.alg !== 'EdDSA') {
    // jsonwebtoken 9 has no EdDSA.
    const jwtOptions = { algorithms: [f.alg as 'HS256'], issuer: ISSUER, audience: AUDIENCE }
    list.push({ name: 'jsonwebtoken', mode: 'single', tokengate: TG_OFF, verify: (h) => jsonwebtoken.verify(h.slice(7), f.keyObject, jwtOptions) })
  }
  if (f.publicJwk) {
    // aws-jwt-verify verifies public-key JWTs only (no HS*).
    const aws = JwtVerifier.create({ issuer: ISSUER, audience: AUDIENCE, jwksUri: 'https://idp.example.com/jwks.json' })
    aws.cacheJwks({ keys: [f.publicJwk as never] })
    list.push({ name: 'aws-jwt-verify', mode: 'single', tokengate: TG_OFF, verify: (h) => aws.verifySync(h.slice(7)) })
  }
  return list
}
