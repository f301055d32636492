/**
 * @module
 * The order of checks (DESIGN.md "The core pipeline"). Each step is a plain function;
 * a new check is one file plus one line here.
 */
import { applyClaimsSchema, type ClaimsSchema } from '../claims/schema.js'
import { assertRegisteredClaims, type RegisteredClaimRules } from '../claims/registered.js'
import { assertTime } from '../claims/time.js'
import { BearerError } from '../errors/bearer-error.js'
import type { KeySource } from '../keys/key-source.js'
import { assertNotRevoked, type IsRevoked } from '../revocation/hook.js'
import { parseScopes, type ScopeClaim } from '../scopes/parse.js'
import { assertScopes } from '../scopes/require.js'
import type { SignatureBackend } from '../signature/signature-backend.js'
import { parseAuthorization, type AuthorizationInput } from './authorization-header.js'
import { assertHeader, type HeaderRules } from './jws-header.js'
import type { BearerAuth, JwtClaims, VerifyRequestOptions } from './result.js'
import { parseToken, type ParsedToken } from './token.js'

/** One trusted issuer (or the single configuration): its keys and its claim rules. */
export interface Tenant {
  readonly keys: KeySource
  readonly header: HeaderRules
  readonly claims: RegisteredClaimRules
}

/** Everything the request path needs, derived once at construction and frozen. */
export interface ResolvedVerifier {
  readonly realm: string
  readonly maxTokenSize: number
  /** Seconds. */
  readonly clockTolerance: number
  readonly now: () => number
  readonly scopeClaims: readonly ScopeClaim[]
  readonly claimsSchema: ClaimsSchema<unknown> | undefined
  readonly isRevoked: IsRevoked<JwtClaims> | undefined
  readonly signature: SignatureBackend
  /** The single configuration, when there is no `issuers` list. */
  readonly tenant: Tenant | undefined
  /** Tenants by exact `iss`, for multi-issuer verifiers. */
  readonly tenants: ReadonlyMap<string, Tenant> | undefined
}

const NO_REQUIREMENTS: VerifyRequestOptions = Object.freeze({})

/** Step 2 (selection): the tenant is chosen by the unverified `iss` before any key is fetched. */
function selectTenant(v: ResolvedVerifier, token: ParsedToken): Tenant {
  if (v.tenant) return v.tenant
  const iss = token.payload.iss
  const tenant = typeof iss === 'string' ? v.tenants!.get(iss) : undefined
  if (!tenant) throw new BearerError('issuer_invalid', { realm: v.realm, claim: 'iss' })
  return tenant
}

async function assertSignature(v: ResolvedVerifier, tenant: Tenant, token: ParsedToken): Promise<void> {
  const alg = assertHeader(token.header, tenant.header, v.realm)
  const key = await tenant.keys.getKey(token.header, alg)
  let valid: boolean
  try {
    valid = await v.signature.verify(key, alg, token)
  } catch (cause) {
    throw new BearerError('signature_invalid', { realm: v.realm, cause, message: 'The token signature could not be checked with its key' })
  }
  if (!valid) throw new BearerError('signature_invalid', { realm: v.realm })
}

/** Runs every step in order; resolves with the verified token or rejects with a `BearerError`. */
export async function runPipeline(
  v: ResolvedVerifier,
  authorization: AuthorizationInput,
  request: VerifyRequestOptions = NO_REQUIREMENTS,
): Promise<BearerAuth> {
  const { realm } = v
  // 1. format
  const raw = parseAuthorization(authorization, v.maxTokenSize, realm)
  const token = parseToken(raw, realm)
  // 2. header policy and signature: nothing below runs on an unverified token
  const tenant = selectTenant(v, token)
  await assertSignature(v, tenant, token)
  // 3. time
  assertTime(token.payload, v.now() / 1000, v.clockTolerance, realm)
  // 4. iss / aud / registered claim types / required claims / custom schema
  assertRegisteredClaims(token.payload, tenant.claims, realm)
  const claims = (v.claimsSchema ? applyClaimsSchema(v.claimsSchema, token.payload, realm) : token.payload) as JwtClaims
  // 5. scopes
  const scopes = parseScopes(token.payload, v.scopeClaims, realm)
  if (request.scopes) assertScopes(scopes, request.scopes, request.scopeMode ?? 'all', realm)
  // 6. revocation
  if (v.isRevoked) await assertNotRevoked(v.isRevoked, claims, { token: raw, header: token.header }, realm)
  return { token: raw, claims, scopes, header: token.header }
}
