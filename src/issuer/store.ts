/**
 * @module
 * The store seam: where refresh-token families and revocation entries live. The in-memory
 * store (`memoryStore`) and the Redis store (`tokengate/redis`) implement it.
 *
 * Every time is in seconds on the issuer's clock and is passed in (`now`), so stores never
 * read a clock of their own: an injected `now` drives them too, and Redis entries get
 * relative TTLs that survive clock skew between the app and Redis.
 */

/** What a refresh token stands for. The token itself is never stored, only its SHA-256. */
export interface RefreshTokenRecord {
  /** The family (login session): every refresh token rotated from one `issue()`. */
  readonly familyId: string
  readonly sub: string
  /** Space-delimited scopes of the pair. */
  readonly scope: string
  readonly clientId: string | undefined
  /** Extra access-token claims given to `issue()`, as JSON. */
  readonly claims: string | undefined
  /** NumericDate the refresh token was issued. */
  readonly issuedAt: number
  /** NumericDate the refresh token expires. */
  readonly expiresAt: number
}

/** The successor a rotation stores (it inherits everything else from the token it replaces). */
export interface RotationNext {
  /** SHA-256 (base64url) of the new refresh token. */
  readonly hash: string
  readonly issuedAt: number
  readonly expiresAt: number
  /** When the family's last token (refresh or access) expires: how long a family revocation must last. */
  readonly familyExpiresAt: number
}

/** The outcome of one atomic rotation. */
export type RotateResult =
  | { readonly status: 'rotated'; readonly record: RefreshTokenRecord }
  | { readonly status: 'reused' | 'revoked' | 'expired'; readonly familyId: string; readonly sub: string }
  | { readonly status: 'invalid' }

/** What `isRevoked` asks about one access token. */
export interface RevocationQuery {
  readonly jti?: string | undefined
  /** The family (`sid` claim). */
  readonly familyId?: string | undefined
  readonly sub?: string | undefined
  /** The token's `iat`, compared with the subject's revocation cutoff. */
  readonly issuedAt?: number | undefined
}

/**
 * Storage for refresh-token families and revocations. Implementations must make `rotate`
 * atomic: of any number of concurrent rotations of one token, exactly one sees it unused.
 */
export interface IssuerStore {
  /** Stores the first refresh token of a new family. */
  createFamily(hash: string, record: RefreshTokenRecord, familyExpiresAt: number, now: number): Promise<void>
  /**
   * Atomically: if the token is unknown → `invalid`; already used → revoke its family until
   * the family's last token expires, `reused` (even past the used token's own expiry, while
   * its family lives: a spent token must be kept, and recognised, for as long as its family
   * could still be refreshed; a store that must forget it forgets the whole family);
   * expired → `expired`; family or subject revoked → `revoked`; otherwise mark it used, store
   * `next` in the same family and return the old record (`rotated`).
   */
  rotate(hash: string, next: RotationNext, now: number): Promise<RotateResult>
  /** The record of an unexpired refresh token, used or not. */
  findRefreshToken(hash: string, now: number): Promise<RefreshTokenRecord | undefined>
  /** Revokes a family until its last token expires. False when the family is unknown (expired). */
  revokeFamily(familyId: string, now: number): Promise<boolean>
  /** Revokes one access token (`jti`) until it expires. */
  revokeToken(jti: string, expiresAt: number, now: number): Promise<void>
  /** Revokes every token of `sub` issued before `cutoff`; the entry lasts until `expiresAt`. */
  revokeSubject(sub: string, cutoff: number, expiresAt: number, now: number): Promise<void>
  /** True when the token's `jti`, its family, or its subject (issued before the cutoff) is revoked. */
  isRevoked(query: RevocationQuery, now: number): Promise<boolean>
}
