/**
 * @module
 * `instrument(verifier)`: OpenTelemetry spans and metrics from a verifier's events. It
 * subscribes to the verifier (the same events `onEvent` gets), so nothing on the request path
 * changes: each verification, key fetch and introspection call becomes a span, timed by the
 * event's `durationMs` and parented to the context active when it ends (the request's span
 * under the Node SDK), and the counters and histograms below. Only this module imports
 * `@opentelemetry/api`; `tokengate` itself never loads it.
 */
import {
  context,
  metrics,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Counter,
  type Histogram,
  type Meter,
  type MeterProvider,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api'
import { verifierEvents } from '../core/events.js'
import type { VerifierEvent } from '../core/options.js'
import { ConfigError } from '../errors/config-error.js'

/** Options of `instrument`. */
export interface InstrumentOptions {
  /** Where spans go. Default: the global provider (`trace.getTracerProvider()`), looked up on every span. */
  readonly tracerProvider?: TracerProvider
  /**
   * Where metrics go. Default: the global provider (`metrics.getMeterProvider()`), looked up on
   * every event, so an SDK registered after `instrument` is used from then on.
   */
  readonly meterProvider?: MeterProvider
}

/** The instrumentation scope of every span and metric. */
export const INSTRUMENTATION_SCOPE = 'tokengate'

/** Seconds: a cache hit takes tens of microseconds, a cold key fetch hundreds of milliseconds. */
const VERIFY_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
const FETCH_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

interface Instruments {
  readonly verifications: Counter
  readonly verificationDuration: Histogram
  readonly keyFetches: Counter
  readonly keyFetchDuration: Histogram
  readonly introspections: Counter
  readonly introspectionDuration: Histogram
  readonly events: Counter
}

function instrumentsOf(meter: Meter): Instruments {
  return {
    verifications: meter.createCounter('tokengate.verifications', { description: 'Bearer credentials verified, by outcome and reason', unit: '{verification}' }),
    verificationDuration: meter.createHistogram('tokengate.verification.duration', {
      description: 'Time to verify a bearer credential, key fetches included',
      unit: 's',
      advice: { explicitBucketBoundaries: VERIFY_BUCKETS },
    }),
    keyFetches: meter.createCounter('tokengate.jwks.fetches', { description: 'Key set and discovery document fetches, by outcome', unit: '{fetch}' }),
    keyFetchDuration: meter.createHistogram('tokengate.jwks.fetch.duration', { description: 'Time of a key set fetch', unit: 's', advice: { explicitBucketBoundaries: FETCH_BUCKETS } }),
    introspections: meter.createCounter('tokengate.introspections', { description: 'Calls to the introspection endpoint (RFC 7662), by outcome', unit: '{call}' }),
    introspectionDuration: meter.createHistogram('tokengate.introspection.duration', {
      description: 'Time of an introspection call',
      unit: 's',
      advice: { explicitBucketBoundaries: FETCH_BUCKETS },
    }),
    events: meter.createCounter('tokengate.events', { description: 'Other verifier events (kid_miss, jwks_stale, throttled, ...), by type', unit: '{event}' }),
  }
}

/** The instruments for the provider in use: an explicit one, or the global one as it is now. */
function meterSource(explicit: MeterProvider | undefined): () => Instruments {
  let provider: MeterProvider | undefined
  let instruments: Instruments | undefined
  return () => {
    const current = explicit ?? metrics.getMeterProvider()
    if (current !== provider || instruments === undefined) {
      provider = current
      instruments = instrumentsOf(current.getMeter(INSTRUMENTATION_SCOPE))
    }
    return instruments
  }
}

const epochMs: () => number =
  typeof performance !== 'undefined' && typeof performance.now === 'function' && typeof performance.timeOrigin === 'number'
    ? () => performance.timeOrigin + performance.now()
    : () => Date.now()

/** Introspection events, as the opaque-credential support reports them (read structurally). */
type IntrospectionLike =
  | { readonly type: 'introspection'; readonly endpoint: string; readonly active: boolean; readonly durationMs: number }
  | { readonly type: 'introspection_error'; readonly endpoint: string; readonly code: string; readonly durationMs?: number }

const host = (uri: string): string | undefined => {
  try {
    return new URL(uri).host
  } catch {
    return undefined
  }
}

const set = (attributes: Attributes, name: string, value: string | number | boolean | undefined): void => {
  if (value !== undefined) attributes[name] = value
}

/**
 * Records OpenTelemetry spans and metrics for a verifier: a span per verification
 * (`tokengate.verify`: `tokengate.outcome` always; error status and `tokengate.reason` on
 * failure), per key fetch (`tokengate.jwks.fetch`) and per introspection call; counters
 * `tokengate.verifications` (by `tokengate.outcome`, `tokengate.reason`, `tokengate.cached`),
 * `tokengate.jwks.fetches`, `tokengate.introspections`, `tokengate.events` (every other event by
 * `tokengate.event`); histograms `tokengate.verification.duration`,
 * `tokengate.jwks.fetch.duration`, `tokengate.introspection.duration` (seconds). Uses the global
 * providers unless given others. Call it once per verifier; it returns the verifier, so it wraps
 * a `createVerifier` call. Spans and metrics never carry the token, `sub`, or key material.
 *
 * Import from `tokengate/otel` (needs the optional peer dependency `@opentelemetry/api`).
 *
 * @example
 * import { instrument } from 'tokengate/otel'
 * const verifier = instrument(createVerifier({ issuer, audience, jwksUri }))
 * app.use(bearer({ verifier }))
 */
export function instrument<V extends object>(verifier: V, options: InstrumentOptions = {}): V {
  const hub = verifierEvents<VerifierEvent>(verifier)
  if (hub === undefined) throw new ConfigError('otel', 'verifier', 'expected a verifier from createVerifier (instrument(createVerifier({ ... })))')
  if (typeof options !== 'object' || options === null) throw new ConfigError('otel', 'options', 'expected { tracerProvider?, meterProvider? }')
  for (const [name, method] of [['tracerProvider', 'getTracer'], ['meterProvider', 'getMeter']] as const) {
    const provider = options[name] as Record<string, unknown> | undefined
    if (provider !== undefined && typeof provider?.[method] !== 'function') throw new ConfigError('otel', name, `expected an OpenTelemetry ${name === 'tracerProvider' ? 'TracerProvider' : 'MeterProvider'} (with ${method}())`)
  }
  const tracer = (): Tracer => (options.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_SCOPE)
  const instruments = meterSource(options.meterProvider)

  /** A span that ended now and lasted `durationMs`, under the context active now. */
  const span = (name: string, durationMs: number, attributes: Attributes, error: string | undefined): void => {
    const end = epochMs()
    const s = tracer().startSpan(name, { kind: SpanKind.INTERNAL, startTime: end - Math.max(0, durationMs), attributes }, context.active())
    if (error !== undefined) s.setStatus({ code: SpanStatusCode.ERROR, message: error })
    s.end(end)
  }

  hub.subscribe((event: VerifierEvent | IntrospectionLike) => {
    const m = instruments()
    switch (event.type) {
      case 'verified':
      case 'rejected': {
        const labels: Attributes = { 'tokengate.outcome': event.type, 'tokengate.cached': event.cached }
        if (event.type === 'rejected') labels['tokengate.reason'] = event.reason
        m.verifications.add(1, labels)
        m.verificationDuration.record(event.durationMs / 1000, labels)
        const attributes: Attributes = { ...labels }
        set(attributes, 'tokengate.status', event.type === 'rejected' ? event.status : undefined)
        set(attributes, 'tokengate.issuer', event.iss)
        set(attributes, 'tokengate.kid', event.kid)
        set(attributes, 'tokengate.alg', event.alg)
        set(attributes, 'http.route', event.route)
        span('tokengate.verify', event.durationMs, attributes, event.type === 'rejected' ? event.reason : undefined)
        return
      }
      case 'jwks_fetch':
      case 'jwks_error': {
        const failed = event.type === 'jwks_error'
        const labels: Attributes = { 'tokengate.outcome': failed ? 'error' : 'success' }
        set(labels, 'server.address', host(event.uri))
        if (failed) labels['error.type'] = event.code
        m.keyFetches.add(1, labels)
        m.keyFetchDuration.record(event.durationMs / 1000, labels)
        const attributes: Attributes = { ...labels, 'url.full': event.uri }
        if (!failed) Object.assign(attributes, { 'http.response.status_code': event.status, 'tokengate.keys': event.keys, 'tokengate.max_age': event.maxAge })
        span('tokengate.jwks.fetch', event.durationMs, attributes, failed ? event.code : undefined)
        return
      }
      case 'introspection':
      case 'introspection_error': {
        const failed = event.type === 'introspection_error'
        const labels: Attributes = { 'tokengate.outcome': failed ? 'error' : event.active ? 'active' : 'inactive' }
        set(labels, 'server.address', host(event.endpoint))
        if (failed) labels['error.type'] = event.code
        const measured = 'durationMs' in event && typeof event.durationMs === 'number' ? event.durationMs : undefined
        const durationMs = measured ?? 0
        m.introspections.add(1, labels)
        if (measured !== undefined) m.introspectionDuration.record(durationMs / 1000, labels)
        span('tokengate.introspection', durationMs, { ...labels, 'url.full': event.endpoint }, failed ? event.code : undefined)
        return
      }
      default:
        m.events.add(1, { 'tokengate.event': event.type })
    }
  })
  return verifier
}
