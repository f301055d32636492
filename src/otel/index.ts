/**
 * OpenTelemetry for tokengate verifiers: `instrument(verifier)` records spans and metrics
 * from the verifier's events. The only entry point that imports `@opentelemetry/api` (an
 * optional peer dependency): without it installed, nothing of OpenTelemetry is loaded.
 *
 * @module tokengate/otel
 */
export { instrument, INSTRUMENTATION_SCOPE, type InstrumentOptions } from './instrument.js'
