/**
 * @module
 * A key source over a JWKS URL (`jwksUri` option): fetched with `fetch`, cached, refetched
 * on an unknown `kid` at most once per cooldown, one request for any number of callers.
 */
import { BearerError } from '../errors/bearer-error.js'
import { buildKeySet, keyOrThrow, selectKey, type KeySet } from './key-set.js'
import type { KeySource, KeySourceFactory } from './key-source.js'

export interface RemoteJwksOptions {
  /** Seconds a fetched set is used before it is refreshed. Default 600. */
  readonly maxAge?: number
  /** Seconds between refetches triggered by unknown `kid`s. Default 30. */
  readonly cooldown?: number
  /** Seconds before a fetch is abandoned. Default 5. */
  readonly timeout?: number
  /** Largest response body accepted, in bytes. Default 1 MiB. */
  readonly maxBytes?: number
}

/**
 * A key source over a remote JWK Set.
 *
 * @example
 * createVerifier({ issuer, audience, jwksUri: 'https://idp.example.com/.well-known/jwks.json' })
 */
export function remoteJwks(uri: string | URL, options: RemoteJwksOptions = {}): KeySourceFactory {
  const url = new URL(uri)
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('jwksUri: must be an http(s) URL')
  const href = url.href
  const maxAgeMs = (options.maxAge ?? 600) * 1000
  const cooldownMs = (options.cooldown ?? 30) * 1000
  const timeoutMs = (options.timeout ?? 5) * 1000
  const maxBytes = options.maxBytes ?? 1_048_576

  return (ctx): KeySource => {
    let set: KeySet | undefined
    let fetchedAt = -Infinity
    let inFlight: Promise<KeySet> | undefined

    async function load(): Promise<KeySet> {
      let response: Response
      try {
        response = await ctx.fetch(href, {
          headers: { accept: 'application/jwk-set+json, application/json' },
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        })
      } catch (cause) {
        throw unavailable(`fetch failed: ${(cause as Error)?.name ?? 'error'}`, cause)
      }
      if (response.status !== 200) {
        await response.body?.cancel().catch(() => {})
        throw unavailable(`HTTP ${response.status}`)
      }
      const declared = Number(response.headers.get('content-length'))
      if (declared > maxBytes) {
        await response.body?.cancel().catch(() => {})
        throw unavailable(`body of ${declared} bytes exceeds ${maxBytes}`)
      }
      let text: string
      try {
        text = await readCapped(response, maxBytes)
      } catch (cause) {
        throw unavailable((cause as Error).message, cause)
      }
      let document: unknown
      try {
        document = JSON.parse(text)
      } catch (cause) {
        throw unavailable('body is not JSON', cause)
      }
      const next = buildKeySet(document, ctx.algorithms)
      if (typeof next === 'string') throw unavailable(next)
      for (const s of next.skipped) ctx.onEvent({ type: 'key_skipped', source: href, kid: s.kid, reason: s.reason })
      ctx.onEvent({ type: 'jwks_fetch', uri: href, status: response.status, keys: next.keys.length })
      return next
    }

    function unavailable(error: string, cause?: unknown): BearerError {
      ctx.onEvent({ type: 'jwks_error', uri: href, error })
      return new BearerError('jwks_unavailable', { realm: ctx.realm, cause })
    }

    function refresh(): Promise<KeySet> {
      inFlight ??= load().then(
        (next) => {
          set = next
          fetchedAt = ctx.now()
          inFlight = undefined
          return next
        },
        (err: unknown) => {
          inFlight = undefined
          throw err
        },
      )
      return inFlight
    }

    async function getKey(kid: string | undefined, alg: Parameters<KeySource['getKey']>[1]) {
      const current = set && ctx.now() - fetchedAt < maxAgeMs ? set : await refresh()
      let selection = selectKey(current, kid, alg)
      if (selection === 'kid_not_found' && kid !== undefined) {
        const refetch = ctx.now() - fetchedAt >= cooldownMs
        ctx.onEvent({ type: 'kid_miss', uri: href, kid, refetch })
        if (refetch) selection = selectKey(await refresh(), kid, alg)
      }
      return keyOrThrow(selection, ctx.realm)
    }

    return {
      symmetric: false,
      getKey: (header, alg) => getKey(header.kid, alg),
      warm: async () => {
        await refresh()
      },
    }
  }
}

/** Reads a body as text, failing once it passes `maxBytes` (Content-Length can lie or be absent). */
async function readCapped(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > maxBytes) {
      await reader.cancel().catch(() => {})
      throw new Error(`body exceeds ${maxBytes} bytes`)
    }
    chunks.push(value)
  }
  const body = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    body.set(chunk, offset)
    offset += chunk.byteLength
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(body)
}
