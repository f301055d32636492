/**
 * The throttle as every adapter runs it (`authenticate` in adapters/runtime.ts), in process:
 * which failures count, what a throttled request gets, that nothing is verified then, and that
 * a store failure never decides a request. Real servers: test/adapters/throttle.test.ts.
 */
import { describe, expect, it, vi } from 'vitest'
import { authenticate, resolveAdapter, type RequestView } from '../adapters/runtime.js'
import { createVerifier } from '../core/create-verifier.js'
import type { VerifierEvent, VerifierOptions } from '../core/options.js'
import { BearerError } from '../errors/bearer-error.js'
import { ConfigError } from '../errors/config-error.js'
import { memoryThrottleStore } from './memory-store.js'
import type { ThrottleStore } from './store.js'
import type { ThrottleOptions } from './throttle.js'
import { bearer, expectReject, fixture, NOW_S } from '../../test/helpers/setup.js'

interface FakeRequest {
  readonly ip: string
  readonly authorization?: string
}
const VIEW: RequestView<FakeRequest> = { clientAddress: (r) => r.ip, route: () => '/orders/:id' }

async function setup(throttle: ThrottleOptions<FakeRequest> = {}, extra: Partial<VerifierOptions> = {}) {
  const f = await fixture('ES256')
  let clock = NOW_S * 1000
  const events: VerifierEvent[] = []
  const verifier = createVerifier({ ...f.options, onEvent: (e) => void events.push(e), ...extra } as VerifierOptions)
  const calls = vi.fn(verifier)
  Object.defineProperty(calls, 'realm', { value: verifier.realm })
  // The verifier's hub, so `calls` reports like the verifier it wraps.
  for (const s of Object.getOwnPropertySymbols(verifier)) Object.defineProperty(calls, s, { value: (verifier as never)[s] })
  const store = memoryThrottleStore({ now: () => clock })
  const a = resolveAdapter('test', { verifier: calls as never, throttle: { store, maxFailures: 3, window: '1m', ...throttle } }, VIEW)
  const send = (req: FakeRequest) => authenticate(a, req.authorization, undefined, undefined, req)
  const good = bearer(await f.sign({ sub: 'alice' }))
  const bad = bearer(await f.sign({ aud: 'someone-else' }))
  return { f, a, send, good, bad, events, calls, advance: (ms: number) => void (clock += ms) }
}

const attacker = (authorization?: string): FakeRequest => ({ ip: '203.0.113.7', ...(authorization === undefined ? {} : { authorization }) })
const bystander = (authorization?: string): FakeRequest => ({ ip: '198.51.100.2', ...(authorization === undefined ? {} : { authorization }) })

describe('throttle', () => {
  it('answers maxFailures failures normally, then 429 too_many_failures with Retry-After for every request, a valid token too, without verifying', async () => {
    const { send, good, bad, calls, advance } = await setup()
    for (let i = 0; i < 3; i++) await expectReject(send(attacker(bad)), 'audience_invalid', { status: 401 })
    expect(calls).toHaveBeenCalledTimes(3)
    advance(15_000)
    const err = await expectReject(send(attacker(good)), 'too_many_failures', { status: 429, wwwAuthenticate: undefined })
    expect(err.retryAfter).toBe(45)
    expect(err.headers).toEqual({ 'Retry-After': '45' })
    expect(err.toProblem()).toEqual({ type: 'about:blank', title: 'Too Many Requests', status: 429, detail: 'Too many failed authentication attempts; retry later', reason: 'too_many_failures' })
    await expectReject(send(attacker()), 'too_many_failures', { status: 429 })
    await expectReject(send(attacker(bad)), 'too_many_failures', { status: 429 })
    expect(calls).toHaveBeenCalledTimes(3)
    // Another client is unaffected, and its own failures count for it alone.
    await expect(send(bystander(good))).resolves.toMatchObject({ claims: { sub: 'alice' } })
    await expectReject(send(bystander(bad)), 'audience_invalid', { status: 401 })
    // The window ends 60 s after the first failure: verified again.
    advance(44_000)
    await expectReject(send(attacker(good)), 'too_many_failures')
    advance(1_000)
    await expect(send(attacker(good))).resolves.toMatchObject({ claims: { sub: 'alice' } })
  })

  it('does not reset the count on a success', async () => {
    const { send, good, bad } = await setup()
    await expectReject(send(attacker(bad)), 'audience_invalid')
    await expectReject(send(attacker(bad)), 'audience_invalid')
    await send(attacker(good))
    await send(attacker(good))
    await expectReject(send(attacker(bad)), 'audience_invalid')
    await expectReject(send(attacker(good)), 'too_many_failures')
  })

  it('counts 401s only: no credentials, 400, 403 and 503 answers count nothing', async () => {
    const { a, good } = await setup()
    const send = (authorization: string | undefined, scopes?: string[]) =>
      authenticate({ ...a, request: scopes ? { scopes } : undefined }, authorization, undefined, undefined, attacker())
    for (let i = 0; i < 5; i++) {
      await expectReject(send(undefined), 'token_missing', { status: 401 })
      await expectReject(send('Basic dXNlcjpwYXNz'), 'token_missing', { status: 401 })
      await expectReject(send('Bearer a b'), 'header_malformed', { status: 400 })
      await expectReject(send(good, ['admin']), 'insufficient_scope', { status: 403 })
    }
    const down = await setup({}, { isRevoked: () => Promise.reject(new Error('down')) })
    for (let i = 0; i < 5; i++) await expectReject(down.send(attacker(down.good)), 'revocation_unavailable', { status: 503 })
    await expect(send(good)).resolves.toMatchObject({ claims: { sub: 'alice' } })
    await expect(down.send(attacker(bearer(await down.f.sign())))).rejects.toMatchObject({ reason: 'revocation_unavailable' })
  })

  it('reports throttled requests through the verifier’s events, with the route', async () => {
    const { send, good, bad, events } = await setup()
    for (let i = 0; i < 3; i++) await expectReject(send(attacker(bad)), 'audience_invalid')
    await expectReject(send(attacker(good)), 'too_many_failures')
    expect(events.filter((e) => e.type === 'throttled')).toEqual([{ type: 'throttled', key: '203.0.113.7', failures: 3, retryAfter: 60, route: '/orders/:id' }])
    expect(events.filter((e) => e.type === 'rejected').map((e) => [e.type === 'rejected' && e.reason, e.type === 'rejected' && e.route])).toEqual([
      ['audience_invalid', '/orders/:id'],
      ['audience_invalid', '/orders/:id'],
      ['audience_invalid', '/orders/:id'],
    ])
  })

  it('answers as if there were no throttle when the store fails, and says so in a throttle_error event', async () => {
    const broken: ThrottleStore = { get: () => Promise.reject(new Error('ECONNREFUSED')), hit: () => { throw new Error('ECONNREFUSED') } }
    const { send, good, bad, events } = await setup({ store: broken })
    for (let i = 0; i < 5; i++) await expectReject(send(attacker(bad)), 'audience_invalid', { status: 401 })
    await expect(send(attacker(good))).resolves.toMatchObject({ claims: { sub: 'alice' } })
    const errors = events.filter((e) => e.type === 'throttle_error')
    expect(errors.map((e) => e.type === 'throttle_error' && e.operation)).toEqual(['get', 'hit', 'get', 'hit', 'get', 'hit', 'get', 'hit', 'get', 'hit', 'get'])
    expect(errors[0]).toEqual({ type: 'throttle_error', operation: 'get', error: 'Error: ECONNREFUSED' })
  })

  it('leaves a request unthrottled when the key function gives no key or throws', async () => {
    const { send, bad, good, events } = await setup({ key: (r) => (r.ip === 'throw' ? (() => { throw new Error('no ip') })() : undefined) })
    for (let i = 0; i < 5; i++) await expectReject(send(attacker(bad)), 'audience_invalid')
    await expectReject(send({ ip: 'throw', authorization: bad }), 'audience_invalid')
    await expect(send(attacker(good))).resolves.toMatchObject({ claims: { sub: 'alice' } })
    expect(events.filter((e) => e.type === 'throttle_error')).toEqual([{ type: 'throttle_error', operation: 'key', error: 'Error: no ip' }])
  })

  it('uses the key function over the client address', async () => {
    const { send, bad, good } = await setup({ key: (r) => r.authorization?.slice(-3) ?? 'anonymous' })
    for (let i = 0; i < 3; i++) await expectReject(send(attacker(bad)), 'audience_invalid')
    await expectReject(send(bystander(bad)), 'too_many_failures')
    await expect(send(attacker(good))).resolves.toMatchObject({ claims: { sub: 'alice' } })
  })

  it.each([
    [{ maxFailures: 0 }, 'throttle.maxFailures'],
    [{ maxFailures: 2.5 }, 'throttle.maxFailures'],
    [{ window: '0s' }, 'throttle.window'],
    [{ window: 'soon' }, 'throttle.window'],
    [{ key: 'ip' }, 'throttle.key'],
    [{ store: new Map() }, 'throttle.store'],
    [{ max: 5 }, 'throttle.max'],
    ['on', 'throttle'],
  ])('refuses throttle: %j with a ConfigError naming %s', async (throttle, option) => {
    const f = await fixture('HS256')
    const build = () => resolveAdapter('test', { ...f.options, throttle: throttle as never }, VIEW)
    expect(build).toThrow(ConfigError)
    expect(build).toThrow(new RegExp(`test option ${option.replace('.', '\\.')}\\b`))
  })

  it('requires throttle.key where the framework gives no client address', async () => {
    const f = await fixture('HS256')
    expect(() => resolveAdapter('next', { ...f.options, throttle: {} }, { noAddress: 'Next.js gives no client address' })).toThrow(
      'invalid next option throttle.key: Next.js gives no client address: pass key, a function of the request returning the client\'s address',
    )
    expect(resolveAdapter('next', { ...f.options, throttle: { key: () => 'x' } }, {}).throttle?.maxFailures).toBe(20)
  })

  it('is a BearerError the adapters answer like any other (429, Retry-After, problem+json, no challenge)', () => {
    const err = new BearerError('too_many_failures', { retryAfter: 1.2 })
    expect([err.status, err.code, err.wwwAuthenticate, err.retryAfter, err.headers]).toEqual([429, undefined, undefined, 2, { 'Retry-After': '2' }])
  })
})
