/**
 * @module
 * Types of `requireClaim`: the claim paths a claims type has (`'org.id'`), the value at a
 * path, and what may be required of it. Types only; nothing here runs.
 */
import type { BearerAuth, JwtClaims } from '../lib/result.js'

type Primitive = string | number | boolean | null

/** The named keys of `T`: index signatures (`[claim: string]: unknown`) left out. */
type KnownKeys<T> = keyof {
  [K in keyof T as string extends K ? never : number extends K ? never : symbol extends K ? never : K]: T[K]
}

type Prev = [never, 0, 1, 2, 3]

/**
 * The dotted claim paths of a claims type, four levels deep: `'sub'`, `'org'`, `'org.id'`.
 * Arrays end a path (their elements are matched by `requireClaim`, not addressed).
 */
export type ClaimPath<T, Depth extends number = 4> = [Depth] extends [never]
  ? never
  : {
      [K in KnownKeys<T> & string]: NonNullable<T[K]> extends readonly unknown[]
        ? K
        : NonNullable<T[K]> extends object
          ? K | `${K}.${ClaimPath<NonNullable<T[K]>, Prev[Depth]>}`
          : K
    }[KnownKeys<T> & string]

/** The type of the claim at a dotted path (`unknown` for a path the type does not name). */
export type ClaimAt<T, P extends string> = P extends `${infer Head}.${infer Rest}`
  ? Head extends KnownKeys<T>
    ? ClaimAt<NonNullable<T[Head]>, Rest>
    : unknown
  : P extends KnownKeys<T>
    ? T[P]
    : unknown

/** A value `requireClaim` compares with: the claim itself, or an element of an array claim. */
export type ClaimValue<V> = unknown extends V ? Primitive : V extends readonly (infer E)[] ? Extract<E, Primitive> : Extract<V, Primitive>

/**
 * A predicate over one claim: it gets the value at the path (`undefined` when absent) and all
 * the claims, and passes the request only by returning (or resolving to) `true`.
 */
export type ClaimPredicate<V, C extends object = object> = (value: V | undefined, claims: BearerAuth<C>['claims']) => boolean | Promise<boolean>

/**
 * What `requireClaim` requires of a claim: a value (the claim equals it, or is an array that
 * includes it), a list of values (any one of them, the same way), or a predicate.
 */
export type ClaimExpectation<V, C extends object = object> = ClaimValue<V> | readonly ClaimValue<V>[] | ClaimPredicate<V, C>

/**
 * What `requireClaim` takes for `path` `P` of claims type `T`: typed from `T` when it names the
 * path (`requireClaim('sub', 5)` does not compile), anything otherwise.
 */
export type ClaimExpectationAt<T, P extends string, C extends object = object> = P extends ClaimPath<T>
  ? ClaimExpectation<ClaimAt<T, P>, C>
  : ClaimExpectation<unknown, C>

/** A claim path argument: the paths the claims type names (for completion), or any other string. */
export type ClaimPathArg<T> = ClaimPath<T> | (string & {})

/** Options of `requireClaim`. */
export interface RequireClaimOptions {
  /**
   * The `error_description` of the 403 (and the problem body's `detail`) when the claim does
   * not match: printable ASCII without `"` or `\` (RFC 6750 §3). Default: names the claim.
   */
  readonly description?: string
}

/** The claims every token has, for typed paths where no claims type is registered. */
export type BaseClaims = JwtClaims
