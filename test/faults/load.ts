/**
 * @module
 * A background load on an issuer and its verifier: a few workers that issue, refresh, revoke
 * and verify in a loop until stopped. Each outcome is either right, or a 503 fail-closed
 * answer; anything else (a revoked token accepted, a 400 or 401 that logs a user out, a
 * thrown non-tokengate error) is recorded in `wrong`.
 */
import { BearerError, createVerifier } from '../../src/index.js'
import { IssuerError, type Issuer, type TokenPair } from '../../src/issuer/index.js'
import { AUDIENCE, ISSUER } from '../issuer/helpers.js'

export interface Tally {
  /** Operations that succeeded (a revoked token rejected with 401 counts as success). */
  ok: number
  /** Operations answered 503 (`store_unavailable`, `revocation_unavailable`). */
  unavailable: number
  /** Every outcome that is neither. */
  readonly wrong: string[]
}

const outcome = (err: unknown): string =>
  BearerError.is(err) || IssuerError.is(err) ? `${err.status} ${err.reason}` : `thrown ${String(err)}`

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Starts `workers` loops on `issuer`; `stop()` ends them and resolves with the tally. */
export function startLoad(issuer: Issuer, workers: number, maxOps = 20_000): { readonly tally: Tally; stop(): Promise<Tally> } {
  const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, typ: 'at+jwt', keys: issuer.keySource(), isRevoked: issuer.isRevoked })
  const tally: Tally = { ok: 0, unavailable: 0, wrong: [] }
  let running = true

  async function revokeThenVerify(token: string): Promise<void> {
    if (!(await issuer.revoke(token))) tally.wrong.push('revoke: false for a live access token')
    try {
      await verify(`Bearer ${token}`)
      tally.wrong.push('verify after revoke: a revoked token was accepted')
    } catch (err) {
      const o = outcome(err)
      if (o === '503 revocation_unavailable') tally.unavailable++
      else if (o !== '401 token_revoked') tally.wrong.push(`verify after revoke: ${o}`)
    }
  }

  async function worker(id: number): Promise<void> {
    let pair: TokenPair | undefined
    for (let n = 1; running && tally.ok + tally.unavailable < maxOps; n++) {
      const op = !pair ? 'issue' : n % 5 === 0 ? 'refresh' : n % 11 === 0 ? 'revoke' : 'verify'
      try {
        if (op === 'issue') pair = await issuer.issue({ sub: `load-${id}` })
        else if (op === 'refresh') pair = await issuer.refresh(pair!.refreshToken)
        else if (op === 'verify') await verify(`Bearer ${pair!.accessToken}`)
        else {
          const token = pair!.accessToken
          pair = undefined
          await revokeThenVerify(token)
        }
        tally.ok++
      } catch (err) {
        const o = outcome(err)
        if (o !== (op === 'verify' ? '503 revocation_unavailable' : '503 store_unavailable')) tally.wrong.push(`${op}: ${o}`)
        else tally.unavailable++
        // A refresh or issue answered 503 may still have reached Redis: start a new session.
        if (op !== 'verify') pair = undefined
      }
      await sleep(2)
    }
  }

  const done = Promise.all(Array.from({ length: workers }, (_, i) => worker(i)))
  return {
    tally,
    async stop() {
      running = false
      await done
      return tally
    },
  }
}
