/**
 * @module
 * A key source over a JWK Set held in memory (`jwks` option).
 */
import { ConfigError } from '../errors/config-error.js'
import { own } from '../lib/own.js'
import { buildKeySet, keyOrThrow, selectKey } from './key-set.js'
import type { KeySource, KeySourceFactory } from './key-source.js'

/** A JSON Web Key Set (RFC 7517 §5). */
export interface JSONWebKeySet {
  readonly keys: readonly object[]
}

/**
 * A key source over a local JWK Set. Unusable keys (encryption keys, weak RSA, `oct`)
 * are skipped with a `key_skipped` event; a set with no usable key is a configuration error.
 *
 * @example
 * createVerifier({ issuer, audience, keys: localJwks(await (await fetch(url)).json()) })
 */
export function localJwks(jwks: JSONWebKeySet): KeySourceFactory {
  return (ctx): KeySource => {
    const set = buildKeySet(jwks, ctx.algorithms)
    if (typeof set === 'string') throw new ConfigError('verifier', 'jwks', set)
    for (const s of set.skipped) ctx.onEvent({ type: 'key_skipped', source: 'jwks', kid: s.kid, reason: s.reason })
    if (set.keys.length === 0) {
      const why = set.skipped.map((s) => `keys[${s.index}]: ${s.reason}`).join('; ')
      throw new ConfigError('verifier', 'jwks', `no usable verification key${why ? ` (${why})` : ''}`)
    }
    return {
      getKey: (header, alg) => keyOrThrow(selectKey(set, own(header, 'kid') as string | undefined, alg)),
    }
  }
}
