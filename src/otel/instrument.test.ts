/**
 * tokengate/otel with the OpenTelemetry SDK's in-memory exporters: spans and metrics of
 * verifications (fresh, cached, rejected), key fetches (a real HTTP key server, up and down)
 * and introspection events; providers passed explicitly or global (registered after
 * `instrument`); spans parented to the request's span; nothing secret in any attribute.
 */
import { context, metrics, trace, type Attributes } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { AggregationTemporality, DataPointType, InMemoryMetricExporter, MeterProvider, MetricReader, type HistogramMetricData, type MetricData } from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createVerifier } from '../core/create-verifier.js'
import { verifierEvents } from '../core/events.js'
import type { VerifierEvent } from '../core/options.js'
import { ConfigError } from '../errors/config-error.js'
import { encodeSegment } from '../testing/tokens.js'
import { bearer, claims, expectReject, fixture, type Fixture } from '../../test/helpers/setup.js'
import { instrument } from './index.js'

class ManualReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

function telemetry() {
  const spans = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] })
  const reader = new ManualReader({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE })
  const meterProvider = new MeterProvider({ readers: [reader] })
  return {
    tracerProvider,
    meterProvider,
    spans: (): ReadableSpan[] => spans.getFinishedSpans() as ReadableSpan[],
    async metrics(): Promise<Map<string, MetricData>> {
      const { resourceMetrics } = await reader.collect()
      return new Map(resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).map((m) => [m.descriptor.name, m]))
    },
  }
}

/** A counter's points as [attributes, value], sorted for comparison. */
function points(metric: MetricData | undefined): [Attributes, number][] {
  expect(metric?.dataPointType).toBe(DataPointType.SUM)
  return metric!.dataPoints.map((p) => [p.attributes, p.value as number] as [Attributes, number]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))
}

describe('instrument', () => {
  let f: Fixture
  beforeAll(async () => {
    f = await fixture('ES256')
  })

  it('records a span and metrics per verification: outcome always, reason and error status on failure, cached hits apart', async () => {
    const t = telemetry()
    const verify = instrument(createVerifier(f.options), t)
    const good = bearer(await f.sign({ sub: 'alice' }))
    const [h, , s] = good.slice(7).split('.')
    const forged = bearer(`${h}.${encodeSegment(claims({ sub: 'admin' }))}.${s}`)
    await verify(good, { route: '/orders/:id' })
    await verify(good)
    await expectReject(verify(forged), 'signature_invalid')
    await expectReject(verify(good, { scopes: ['admin'] }), 'insufficient_scope')
    await expectReject(verify(undefined), 'token_missing')

    const spans = t.spans()
    expect(spans.map((sp) => [sp.name, sp.attributes['tokengate.outcome'], sp.attributes['tokengate.reason'], sp.status.code, sp.status.message])).toEqual([
      ['tokengate.verify', 'verified', undefined, 0, undefined],
      ['tokengate.verify', 'verified', undefined, 0, undefined],
      ['tokengate.verify', 'rejected', 'signature_invalid', 2, 'signature_invalid'],
      ['tokengate.verify', 'rejected', 'insufficient_scope', 2, 'insufficient_scope'],
      ['tokengate.verify', 'rejected', 'token_missing', 2, 'token_missing'],
    ])
    expect(spans[0]!.attributes).toEqual({
      'tokengate.outcome': 'verified',
      'tokengate.cached': false,
      'tokengate.issuer': 'https://idp.example.com/',
      'tokengate.kid': 'es256-1',
      'tokengate.alg': 'ES256',
      'http.route': '/orders/:id',
    })
    expect(spans[1]!.attributes['tokengate.cached']).toBe(true)
    expect(spans[2]!.attributes).toMatchObject({ 'tokengate.status': 401, 'tokengate.kid': 'es256-1' })
    expect(spans[3]!.attributes).toMatchObject({ 'tokengate.status': 403, 'tokengate.cached': true })
    for (const sp of spans) {
      expect(sp.instrumentationScope.name).toBe('tokengate')
      // Timed by the event: a positive duration, ending when the verification ended.
      expect(sp.duration[0] * 1e9 + sp.duration[1]).toBeGreaterThan(0)
    }

    const m = await t.metrics()
    expect(points(m.get('tokengate.verifications'))).toEqual([
      [{ 'tokengate.outcome': 'rejected', 'tokengate.cached': false, 'tokengate.reason': 'signature_invalid' }, 1],
      [{ 'tokengate.outcome': 'rejected', 'tokengate.cached': false, 'tokengate.reason': 'token_missing' }, 1],
      [{ 'tokengate.outcome': 'rejected', 'tokengate.cached': true, 'tokengate.reason': 'insufficient_scope' }, 1],
      [{ 'tokengate.outcome': 'verified', 'tokengate.cached': false }, 1],
      [{ 'tokengate.outcome': 'verified', 'tokengate.cached': true }, 1],
    ])
    const duration = m.get('tokengate.verification.duration') as HistogramMetricData
    expect(duration.descriptor.unit).toBe('s')
    expect(duration.dataPoints.reduce((n, p) => n + p.value.count, 0)).toBe(5)
    for (const p of duration.dataPoints) expect(p.value.sum!).toBeLessThan(5)
  })

  it('records key fetches from a real key server: a span and metrics per fetch, error status when it is down', async () => {
    let up = true
    const server = createServer((_req, res) => (up ? res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [f.key.publicJwk] })) : res.writeHead(500).end()))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`
    try {
      const t = telemetry()
      const rest = { issuer: f.options.issuer, audience: f.options.audience, now: f.options.now }
      const verify = instrument(createVerifier({ ...rest, jwksUri: url }), t)
      await verify(bearer(await f.sign()))
      up = false
      const down = instrument(createVerifier({ ...rest, jwksUri: url }), t)
      await expectReject(down(bearer(await f.sign())), 'jwks_unavailable', { status: 503 })
      await expectReject(down(bearer(await f.sign())), 'jwks_unavailable', { status: 503 })
      const fetches = t.spans().filter((sp) => sp.name === 'tokengate.jwks.fetch')
      expect(fetches.map((sp) => [sp.attributes, sp.status.code])).toEqual([
        [{ 'tokengate.outcome': 'success', 'server.address': new URL(url).host, 'url.full': url, 'http.response.status_code': 200, 'tokengate.keys': 1, 'tokengate.max_age': 600 }, 0],
        [{ 'tokengate.outcome': 'error', 'server.address': new URL(url).host, 'error.type': 'http_status', 'url.full': url }, 2],
      ])
      const m = await t.metrics()
      expect(points(m.get('tokengate.jwks.fetches'))).toEqual([
        [{ 'tokengate.outcome': 'error', 'server.address': new URL(url).host, 'error.type': 'http_status' }, 1],
        [{ 'tokengate.outcome': 'success', 'server.address': new URL(url).host }, 1],
      ])
      expect((m.get('tokengate.jwks.fetch.duration') as HistogramMetricData).dataPoints.reduce((n, p) => n + p.value.count, 0)).toBe(2)
      // The second request, in the cooldown after the failure: no fetch, an event of its own.
      // ... and the operator hint for the outage (firsthour's hints travel on the same event hub).
      expect(points(m.get('tokengate.events'))).toEqual([[{ 'tokengate.event': 'jwks_cooldown' }, 1], [{ 'tokengate.event': 'operator_hint' }, 1]])
      expect(points(m.get('tokengate.verifications')).map(([a, n]) => [a['tokengate.reason'] ?? a['tokengate.outcome'], n])).toEqual([
        ['jwks_unavailable', 2],
        ['verified', 1],
      ])
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('records introspection calls as spans and metrics (active, inactive, error)', async () => {
    const t = telemetry()
    const verify = instrument(createVerifier(f.options), t)
    const hub = verifierEvents<unknown>(verify)!
    const endpoint = 'https://as.example.com/introspect'
    hub.emit({ type: 'introspection', endpoint, active: true, durationMs: 12 })
    hub.emit({ type: 'introspection', endpoint, active: false, durationMs: 8 })
    hub.emit({ type: 'introspection_error', endpoint, code: 'timeout', error: 'no answer within 5000 ms' })
    expect(t.spans().map((sp) => [sp.name, sp.attributes['tokengate.outcome'], sp.status.code])).toEqual([
      ['tokengate.introspection', 'active', 0],
      ['tokengate.introspection', 'inactive', 0],
      ['tokengate.introspection', 'error', 2],
    ])
    expect(Math.round((t.spans()[0]!.duration[0] * 1e9 + t.spans()[0]!.duration[1]) / 1e6)).toBe(12)
    const m = await t.metrics()
    expect(points(m.get('tokengate.introspections')).map(([a, n]) => [a['tokengate.outcome'], a['error.type'], n])).toEqual([
      ['active', undefined, 1],
      ['error', 'timeout', 1],
      ['inactive', undefined, 1],
    ])
  })

  it('counts every other event by type (kid_miss, throttled, ...)', async () => {
    const t = telemetry()
    const verify = instrument(createVerifier(f.options), t)
    await expectReject(verify(bearer(await f.sign({}, { kid: 'unknown' }))), 'kid_not_found')
    verifierEvents<VerifierEvent>(verify)!.emit({ type: 'throttled', key: '203.0.113.7', failures: 20, retryAfter: 30, route: undefined })
    const m = await t.metrics()
    expect(points(m.get('tokengate.events'))).toEqual([[{ 'tokengate.event': 'throttled' }, 1]])
  })

  it('never puts the token, its signature or sub in a span or a metric', async () => {
    const t = telemetry()
    const verify = instrument(createVerifier(f.options), t)
    const token = await f.sign({ sub: 'alice@example.com' })
    await verify(bearer(token))
    await expectReject(verify(bearer(token), { scopes: ['admin'] }), 'insufficient_scope')
    const text = JSON.stringify([t.spans().map((sp) => [sp.name, sp.attributes, sp.status, sp.events]), [...(await t.metrics()).values()].map((m) => m.dataPoints)])
    for (const secret of [token, ...token.split('.'), 'alice@example.com']) expect(text).not.toContain(secret)
  })

  it('refuses what is not a verifier, or not a provider, with a ConfigError', () => {
    expect(() => instrument(() => undefined)).toThrow(ConfigError)
    expect(() => instrument(() => undefined)).toThrow('tokengate: invalid otel option verifier: expected a verifier from createVerifier')
    const verify = createVerifier(f.options)
    expect(() => instrument(verify, { tracerProvider: {} as never })).toThrow(/invalid otel option tracerProvider/)
    expect(() => instrument(verify, { meterProvider: 5 as never })).toThrow(/invalid otel option meterProvider/)
  })
})

describe('instrument with the global providers', () => {
  const manager = new AsyncLocalStorageContextManager()
  afterEach(() => {
    trace.disable()
    metrics.disable()
    context.disable()
  })
  afterAll(() => manager.disable())

  it('uses the providers registered after instrument(), and parents spans to the active span (the request)', async () => {
    const f = await fixture('HS256')
    const verify = instrument(createVerifier(f.options))
    const t = telemetry()
    context.setGlobalContextManager(manager.enable())
    trace.setGlobalTracerProvider(t.tracerProvider)
    metrics.setGlobalMeterProvider(t.meterProvider)
    const header = bearer(await f.sign())
    const tracer = trace.getTracer('app')
    await tracer.startActiveSpan('GET /orders/:id', async (request) => {
      await verify(header)
      await expectReject(verify(header, { scopes: ['admin'] }), 'insufficient_scope')
      request.end()
    })
    const spans = t.spans()
    const request = spans.find((sp) => sp.name === 'GET /orders/:id')!
    const verifications = spans.filter((sp) => sp.name === 'tokengate.verify')
    expect(verifications).toHaveLength(2)
    for (const sp of verifications) {
      expect(sp.spanContext().traceId).toBe(request.spanContext().traceId)
      expect(sp.parentSpanContext?.spanId).toBe(request.spanContext().spanId)
    }
    expect(points((await t.metrics()).get('tokengate.verifications')).map(([, n]) => n)).toEqual([1, 1])
  })
})
