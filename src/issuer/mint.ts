/**
 * @module
 * `issue()` and the pair both `issue()` and `refresh()` return.
 */
import { ConfigError } from '../errors/config-error.js'
import { describe } from '../lib/schema.js'
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../lib/token.js'
import { RESERVED_CLAIMS, signAccessToken } from './access-token.js'
import { familyEndsAt, guard, nowSeconds, type IssuerContext } from './context.js'
import { hashRefreshToken, newRefreshToken, randomId } from './opaque-token.js'
import type { SigningKey } from './signing-key.js'
import type { RefreshTokenRecord } from './store.js'
import type { TokenPair } from './token-response.js'
import { boundThumbprint, proofThumbprint, withThumbprint, type TokenRequestOptions } from './dpop.js'

/** What `issue()` mints a pair for. */
export interface IssueInput {
  /** `sub`: the user (or service) the tokens are for. */
  readonly sub: string
  /** Granted scopes, written to `scope` space-delimited (RFC 6749 §3.3 scope-tokens). */
  readonly scopes?: readonly string[]
  /**
   * Roles, written to the `roles` claim (what `requireRoles` reads), kept across refreshes.
   * Each a non-empty string.
   */
  readonly roles?: readonly string[]
  /**
   * Extra access-token claims (`tenant`, `plan`, ...), kept across refreshes. Checked as they
   * serialise (`JSON.stringify`, so `toJSON`, getters and class instances are seen as signed):
   * claims the issuer sets and claims read as authority (`scope`, `scp`, `permissions`,
   * `roles`, `groups`, `cnf`, `client_id`, ...) are refused; give scopes as `scopes` and
   * roles as `roles`.
   */
  readonly claims?: Readonly<Record<string, unknown>> | object
  /** `client_id` (RFC 9068 §2.2): the OAuth client the tokens were issued to. */
  readonly clientId?: string
}

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/

function fail(message: string): never {
  throw new ConfigError('issuer', 'issue()', message)
}

/**
 * `claims` exactly as they will be signed: serialised once (so `toJSON`, getters, proxies and
 * class instances show what they really produce), then checked on that JSON, which is what
 * is stored and signed. Returns the JSON, or `undefined` for no claims.
 */
function serialisedClaims(claims: unknown, roles: readonly string[] | undefined): string | undefined {
  if (claims === undefined && roles === undefined) return undefined
  let parsed: unknown = {}
  if (claims !== undefined) {
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) fail('claims must be an object')
    let json: string | undefined
    try {
      json = JSON.stringify(claims)
    } catch (cause) {
      // Cycles, BigInts, nesting deep enough to exhaust the stack, a throwing getter or toJSON.
      throw new ConfigError('issuer', 'issue().claims', `cannot be serialised as JSON (${(cause as Error)?.name ?? 'error'}); give plain data`, { cause })
    }
    parsed = json === undefined ? undefined : JSON.parse(json)
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) fail('claims must serialise to a JSON object (check its toJSON)')
    const reserved = Object.keys(parsed).filter((k) => RESERVED_CLAIMS.has(k) || k === '__proto__')
    if (reserved.length > 0) {
      fail(`claims may not set ${reserved.join(', ')}: the issuer sets them, or they grant authority (give scopes as \`scopes\` and roles as \`roles\`)`)
    }
    // The verifier refuses tokens nesting deeper than MAX_JSON_DEPTH: never mint one.
    if (nestsDeeperThan(parsed, MAX_JSON_DEPTH - 1)) fail(`claims nest deeper than ${MAX_JSON_DEPTH - 1} levels, which verifiers refuse`)
  }
  if (roles !== undefined) (parsed as Record<string, unknown>).roles = [...new Set(roles)]
  return JSON.stringify(parsed)
}

/** Checks `issue()` input; a mistake is a `ConfigError` (a programming error, not a request failure). */
function parseIssueInput(input: IssueInput): Pick<RefreshTokenRecord, 'sub' | 'scope' | 'clientId' | 'claims'> {
  if (typeof input !== 'object' || input === null) fail('expected { sub, scopes?, roles?, claims?, clientId? }')
  const { sub, scopes = [], roles, claims, clientId } = input
  if (typeof sub !== 'string' || sub === '') fail('sub must be a non-empty string')
  if (!Array.isArray(scopes)) fail('scopes must be an array of strings')
  for (const s of scopes) if (typeof s !== 'string' || !SCOPE_TOKEN.test(s)) fail(`scope ${describe(s)} is not an RFC 6749 scope-token`)
  if (roles !== undefined && (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string' && r !== ''))) fail('roles must be an array of non-empty strings')
  if (clientId !== undefined && (typeof clientId !== 'string' || clientId === '')) fail('clientId must be a non-empty string')
  return { sub, scope: [...new Set(scopes)].join(' '), clientId, claims: serialisedClaims(claims, roles) }
}

/** Signs the access token for `record` and returns the pair with `refreshToken`. */
export async function mintPair(ctx: IssuerContext, key: SigningKey, record: Omit<RefreshTokenRecord, 'issuedAt' | 'expiresAt'>, refreshToken: string, now: number): Promise<TokenPair> {
  // The family's DPoP binding, kept in its stored claims JSON under DPOP_BINDING_MEMBER (never signed as such).
  const jkt = boundThumbprint(record.claims)
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
    jkt,
  })
  const tokenType = jkt === undefined ? 'Bearer' : 'DPoP'
  return Object.freeze({ accessToken, refreshToken, tokenType, expiresIn: ctx.accessTtl, scope: record.scope })
}

/**
 * Mints a new pair and starts a refresh family for it. With a DPoP proof (RFC 9449 §5), the
 * family is bound to the proof's key: its access tokens carry `cnf.jkt`, and it refreshes only
 * with proofs from that key.
 */
export async function issue(ctx: IssuerContext, input: IssueInput, options: TokenRequestOptions = {}): Promise<TokenPair> {
  const parsed = parseIssueInput(input)
  const fields = options.dpop === undefined ? parsed : { ...parsed, claims: withThumbprint(parsed.claims, await proofThumbprint(ctx, options.dpop, 'issue()')) }
  const key = await ctx.ring.active()
  const now = nowSeconds(ctx)
  const refreshToken = newRefreshToken()
  const record: RefreshTokenRecord = { ...fields, familyId: randomId(), issuedAt: now, expiresAt: now + ctx.refreshTtl }
  const pair = await mintPair(ctx, key, record, refreshToken, now)
  const hash = await hashRefreshToken(refreshToken)
  await guard(ctx, 'issue', () => ctx.store.createFamily(hash, record, familyEndsAt(ctx, now), now))
  return pair
}
