/**
 * @module
 * The issuer's keys: one active key signs; retiring keys stay published until every token
 * they signed has expired; `jwks()` and `keySource()` expose only public halves.
 */
import { ConfigError } from '../errors/config-error.js'
import type { JWK } from 'jose'
import { own } from '../lib/own.js'
import type { AsymmetricAlgorithm, Algorithm } from '../keys/algorithms.js'
import { buildKeySet, keyOrThrow, selectKey, type KeySet } from '../keys/key-set.js'
import type { KeySourceFactory } from '../keys/key-source.js'
import type { JSONWebKeySet } from '../keys/local-jwks.js'
import { checkSigningKey, generateIssuerKey, loadSigningKey, type IssuerKey, type SigningKey } from './signing-key.js'

interface Published {
  readonly key: SigningKey
  /** NumericDate after which the key is no longer published; `undefined`: while configured. */
  readonly retiresAt: number | undefined
}

export interface KeyRingConfig {
  readonly algorithm: Algorithm
  readonly keys: readonly IssuerKey[] | undefined
  readonly activeKid: string | undefined
  /** Seconds a retired key stays published: the access-token lifetime plus leeway. */
  readonly retireAfter: number
  /** Issuer clock, seconds. */
  readonly now: () => number
}

/** Active and published keys. Methods wait for the keys to load (import and generation are async). */
export class KeyRing {
  readonly #config: KeyRingConfig
  readonly #ready: Promise<void>
  #active!: SigningKey
  #others: Published[] = []
  /** Memoised public view, rebuilt when a key is added or retires. */
  #view: { readonly jwks: JSONWebKeySet; readonly until: number } | undefined

  /** The last `rotateKeys()` in line: rotations run one after another, never interleaved. */
  #rotation: Promise<unknown> = Promise.resolve()

  /**
   * Checks every configured key as far as it can without importing it (throws a `ConfigError`
   * now, from `createIssuer()`), then imports and self-tests them in the background.
   */
  constructor(config: KeyRingConfig, secret?: SigningKey) {
    this.#config = config
    if (!secret && config.keys) checkKeys(config.keys, config.algorithm, config.activeKid)
    this.#ready = secret ? Promise.resolve().then(() => void (this.#active = secret)) : this.#load()
    this.#ready.catch(() => {}) // surfaced by every method that awaits it
  }

  /** Resolves once the keys are imported and self-tested; rejects with the `ConfigError` of a bad key. */
  ready(): Promise<void> {
    return this.#ready
  }

  async #load(): Promise<void> {
    const { keys, activeKid, algorithm } = this.#config
    if (!keys) {
      this.#active = await generateIssuerKey(algorithm as AsymmetricAlgorithm)
      return
    }
    const loaded = await Promise.all(keys.map((k, i) => loadSigningKey(k, algorithm, `keys.${i}`)))
    const kids = new Set<string | undefined>()
    loaded.forEach((k, i) => {
      if (kids.has(k.kid)) throw new ConfigError('issuer', `keys.${i}.kid`, `${JSON.stringify(k.kid)} is listed twice; give each key its own kid`)
      kids.add(k.kid)
    })
    const active = activeKid === undefined ? loaded[0] : loaded.find((k) => k.kid === activeKid)
    if (!active) throw new ConfigError('issuer', 'activeKid', `no key has kid ${JSON.stringify(activeKid)}; name one of the kids in keys`)
    this.#active = active
    this.#others = loaded.filter((k) => k !== active).map((key) => ({ key, retiresAt: undefined }))
  }

  /** The key that signs now. */
  async active(): Promise<SigningKey> {
    await this.#ready
    return this.#active
  }

  /** The public JWK Set at this moment (loaded keys only; call after `ready`). */
  #publicSet(): JSONWebKeySet {
    const now = this.#config.now()
    if (this.#view && now < this.#view.until) return this.#view.jwks
    this.#others = this.#others.filter((p) => p.retiresAt === undefined || p.retiresAt > now)
    const keys = [this.#active, ...this.#others.map((p) => p.key)].flatMap((k) => (k.publicJwk ? [k.publicJwk] : []))
    const until = Math.min(Infinity, ...this.#others.map((p) => p.retiresAt ?? Infinity))
    this.#view = { jwks: Object.freeze({ keys: Object.freeze(keys) }), until }
    return this.#view.jwks
  }

  /** The public JWK Set to serve at `/.well-known/jwks.json`. Empty for a shared secret. */
  async jwks(): Promise<JSONWebKeySet> {
    await this.#ready
    const set = this.#publicSet()
    return { keys: set.keys.map((k) => ({ ...(k as JWK) })) }
  }

  /**
   * Makes `next` (or a fresh key of the active key's algorithm) the signing key; the
   * previous one stays published for `retireAfter` seconds. Returns the new `kid`.
   */
  rotate(next?: IssuerKey): Promise<string> {
    // Serialised: two rotations that both read the same active key would each retire it (one
    // entry lost, a duplicate kid published) and the first new key would be dropped unpublished
    // while tokens it signed are live.
    const rotation = this.#rotation.then(() => this.#rotate(next))
    this.#rotation = rotation.catch(() => {})
    return rotation
  }

  async #rotate(next?: IssuerKey): Promise<string> {
    await this.#ready
    const previous = this.#active
    if (!previous.publicJwk) throw new ConfigError('issuer', 'rotateKeys()', 'needs asymmetric keys; rotate a shared secret by deploying a new one')
    if (next) checkSigningKey(next, previous.alg, 'rotateKeys()')
    const key = next ? await loadSigningKey(next, previous.alg, 'rotateKeys()') : await generateIssuerKey(previous.alg as AsymmetricAlgorithm)
    if (key.kid === previous.kid || this.#others.some((p) => p.key.kid === key.kid)) {
      throw new ConfigError('issuer', 'rotateKeys().kid', `${JSON.stringify(key.kid)} is already in use; give the new key a kid of its own`)
    }
    this.#others.push({ key: previous, retiresAt: this.#config.now() + this.#config.retireAfter })
    this.#active = key
    this.#view = undefined
    return key.kid!
  }

  /**
   * A verifier key source over the published keys: `createVerifier({ keys: ring.keySource() })`
   * follows rotations and retirements without being rebuilt.
   */
  keySource(): KeySourceFactory {
    return (ctx) => {
      let seen: JSONWebKeySet | undefined
      let set: KeySet | undefined
      const current = (): KeySet => {
        const jwks = this.#publicSet()
        if (jwks !== seen) {
          const built = buildKeySet(jwks, ctx.algorithms)
          if (typeof built === 'string') throw new TypeError(built)
          seen = jwks
          set = built
        }
        return set!
      }
      return {
        getKey: (header, alg) => this.#ready.then(() => keyOrThrow(selectKey(current(), own(header, 'kid') as string | undefined, alg))),
        warm: () => this.#ready,
      }
    }
  }
}

/** The synchronous part of loading `keys`: each key's shape, kids known without a thumbprint, `activeKid`. */
function checkKeys(keys: readonly IssuerKey[], algorithm: Algorithm, activeKid: string | undefined): void {
  const kids = keys.map((k, i) => checkSigningKey(k, algorithm, `keys.${i}`))
  kids.forEach((kid, i) => {
    if (kid !== undefined && kids.indexOf(kid) !== i) throw new ConfigError('issuer', `keys.${i}.kid`, `${JSON.stringify(kid)} is listed twice; give each key its own kid`)
  })
  if (activeKid !== undefined && kids.every((kid) => kid !== undefined) && !kids.includes(activeKid)) {
    throw new ConfigError('issuer', 'activeKid', `no key has kid ${JSON.stringify(activeKid)}; name one of the kids in keys`)
  }
}
