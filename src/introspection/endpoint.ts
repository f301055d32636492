/**
 * @module
 * Where introspection requests go: the configured endpoint, or the metadata's
 * `introspection_endpoint` (RFC 8414 §2, via `discovery`), found once on first use. A failed
 * lookup is remembered for a few seconds, so an unreachable server costs one metadata fetch
 * per few seconds, not one per request.
 */
import { discoveryUrls, metadataEndpoint } from '../keys/discovery.js'
import { fetchJson, FetchFailure } from '../keys/fetch-json.js'

/** Milliseconds a failed metadata lookup is answered from memory. */
const RETRY_AFTER_FAILURE_MS = 5000

/** Resolves the endpoint URL, or rejects with a `FetchFailure`. */
export type EndpointResolver = () => string | Promise<string>

export interface DiscoveredEndpointContext {
  readonly fetch: typeof fetch
  readonly now: () => number
  readonly timeoutMs: number
  readonly maxBytes: number
}

/** The endpoint from `issuer`'s metadata (at `url`, or the well-known locations). */
export function discoveredEndpoint(issuer: string, url: string | URL | undefined, ctx: DiscoveredEndpointContext): EndpointResolver {
  const candidates = url === undefined ? discoveryUrls(issuer) : [new URL(url).href]
  let endpoint: string | undefined
  let pending: Promise<string> | undefined
  let failure: { at: number; error: FetchFailure } | undefined

  async function discover(): Promise<string> {
    for (let i = 0; ; i++) {
      const source = candidates[i]!
      try {
        const { body } = await fetchJson(source, { fetch: ctx.fetch, timeoutMs: ctx.timeoutMs, maxBytes: ctx.maxBytes, accept: 'application/json' })
        return metadataEndpoint(body, issuer, source, 'introspection_endpoint')
      } catch (err) {
        // Only "not here" moves on to the next well-known location; anything else is an answer.
        const notHere = err instanceof FetchFailure && err.code === 'http_status' && i + 1 < candidates.length
        if (!notHere) throw err
      }
    }
  }

  return () => {
    if (endpoint !== undefined) return endpoint
    if (failure !== undefined && ctx.now() - failure.at < RETRY_AFTER_FAILURE_MS) return Promise.reject(failure.error)
    pending ??= discover().then(
      (found) => {
        endpoint = found
        pending = undefined
        return found
      },
      (err: unknown) => {
        pending = undefined
        const error = err instanceof FetchFailure ? err : new FetchFailure('network', `discovery failed: ${String(err)}`, candidates[0]!, { cause: err })
        failure = { at: ctx.now(), error }
        throw error
      },
    )
    return pending
  }
}
