/**
 * @module
 * `issue()` and the pair both `issue()` and `refresh()` return.
 */
import { ConfigError } from '../errors/config-error.js'
import { RESERVED_CLAIMS, signAccessToken } from './access-token.js'
import { familyEndsAt, guard, nowSeconds, type IssuerContext } from './context.js'
import { hashRefreshToken, newRefreshToken, randomId } from './opaque-token.js'
import type { SigningKey } from './signing-key.js'
import type { RefreshTokenRecord } from './store.js'
import type { TokenPair } from './token-response.js'

/** What `issue()` mints a pair for. */
export interface IssueInput {
  /** `sub`: the user (or service) the tokens are for. */
  readonly sub: string
  /** Granted scopes, written to `scope` space-delimited (RFC 6749 §3.3 scope-tokens). */
  readonly scopes?: readonly string[]
  /** Extra access-token claims (`roles`, `tenant`, ...), kept across refreshes. Registered names are refused. */
  readonly claims?: Readonly<Record<string, unknown>>
  /** `client_id` (RFC 9068 §2.2): the OAuth client the tokens were issued to. */
  readonly clientId?: string
}

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/

function fail(message: string): never {
  throw new ConfigError('issuer', 'issue()', message)
}

/** Checks `issue()` input; a mistake is a `ConfigError` (a programming error, not a request failure). */
function parseIssueInput(input: IssueInput): Pick<RefreshTokenRecord, 'sub' | 'scope' | 'clientId' | 'claims'> {
  if (typeof input !== 'object' || input === null) fail('expected { sub, scopes?, claims?, clientId? }')
  const { sub, scopes = [], claims, clientId } = input
  if (typeof sub !== 'string' || sub === '') fail('sub must be a non-empty string')
  if (!Array.isArray(scopes)) fail('scopes must be an array of strings')
  for (const s of scopes) if (typeof s !== 'string' || !SCOPE_TOKEN.test(s)) fail(`scope ${JSON.stringify(s)} is not an RFC 6749 scope-token`)
  if (clientId !== undefined && (typeof clientId !== 'string' || clientId === '')) fail('clientId must be a non-empty string')
  let json: string | undefined
  if (claims !== undefined) {
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) fail('claims must be an object')
    const reserved = Object.keys(claims).filter((k) => RESERVED_CLAIMS.has(k))
    if (reserved.length > 0) fail(`claims may not set ${reserved.join(', ')}: the issuer sets them`)
    json = JSON.stringify(claims)
  }
  return { sub, scope: [...new Set(scopes)].join(' '), clientId, claims: json }
}

/** Signs the access token for `record` and returns the pair with `refreshToken`. */
export async function mintPair(ctx: IssuerContext, key: SigningKey, record: Omit<RefreshTokenRecord, 'issuedAt' | 'expiresAt'>, refreshToken: string, now: number): Promise<TokenPair> {
  const accessToken = await signAccessToken(key, {
    issuer: ctx.issuer,
    audience: ctx.audience,
    sub: record.sub,
    scope: record.scope,
    clientId: record.clientId,
    familyId: record.familyId,
    jti: randomId(),
    iat: now,
    exp: now + ctx.accessTtl,
    claims: record.claims === undefined ? undefined : (JSON.parse(record.claims) as Record<string, unknown>),
  })
  return Object.freeze({ accessToken, refreshToken, tokenType: 'Bearer', expiresIn: ctx.accessTtl, scope: record.scope })
}

/** Mints a new pair and starts a refresh family for it. */
export async function issue(ctx: IssuerContext, input: IssueInput): Promise<TokenPair> {
  const fields = parseIssueInput(input)
  const key = await ctx.ring.active()
  const now = nowSeconds(ctx)
  const refreshToken = newRefreshToken()
  const record: RefreshTokenRecord = { ...fields, familyId: randomId(), issuedAt: now, expiresAt: now + ctx.refreshTtl }
  const pair = await mintPair(ctx, key, record, refreshToken, now)
  const hash = await hashRefreshToken(refreshToken)
  await guard(ctx, 'issue', () => ctx.store.createFamily(hash, record, familyEndsAt(ctx, now), now))
  return pair
}
