/**
 * @module
 * Amazon Cognito user pool tokens.
 *
 * - `iss` is `https://cognito-idp.{region}.amazonaws.com/{userPoolId}` (no trailing slash);
 *   keys at `{iss}/.well-known/jwks.json`; RS256; no `typ` header
 *   (awsdocs/amazon-cognito-developer-guide `amazon-cognito-user-pools-using-tokens-verifying-a-jwt.md`,
 *   `amazon-cognito-user-pools-using-the-access-token.md`;
 *   https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html).
 * - `token_use` is `access` or `id`: check it, so an ID token is never taken where an access
 *   token is required (verifying-a-jwt.md, step 3).
 * - Access tokens have **no `aud`**: the app client is `client_id`. ID tokens carry the app
 *   client in `aud` (https://docs.aws.amazon.com/verifiedpermissions/latest/userguide/cognito-validation.html).
 * - `scope` (access tokens only) is space-separated; groups are `cognito:groups`, an array:
 *   roles here (`requireRoles`).
 */
import { ConfigError } from '../errors/config-error.js'
import { nonEmptyString, options, stringOrList, v } from '../lib/schema.js'
import { listOf, presetOptions, requireOrNull, type PresetOptions } from './shared.js'

/** Options of `cognito`. */
export interface CognitoOptions {
  /** The user pool id, e.g. `eu-west-1_AbCdEf123`. */
  readonly userPoolId: string
  /** The pool's region. Default: the region the pool id starts with. */
  readonly region?: string
  /** Which tokens are accepted: `'access'` (what APIs receive, the default) or `'id'`. */
  readonly tokenUse?: 'access' | 'id'
  /**
   * The app client id(s) whose tokens are accepted: `client_id` of access tokens, `aud` of ID
   * tokens. `null` accepts every app client of the pool (not recommended). Required.
   */
  readonly clientId: string | readonly string[] | null
}

// aws-jwt-verify's check of a pool id: {region}_{id}
const POOL_ID = /^([a-z]{2}(?:-[a-z]+)+-\d)_[A-Za-z0-9]+$/

const schema = options(
  {
    userPoolId: nonEmptyString('the user pool id, e.g. "eu-west-1_AbCdEf123"'),
    region: v.optional(nonEmptyString('an AWS region such as "eu-west-1"')),
    tokenUse: v.optional(v.picklist(['access', 'id'], "expected 'access' or 'id'")),
    clientId: v.nullable(stringOrList('the app client id, a list of them, or null to accept every app client')),
  },
  'cognito options: { userPoolId, tokenUse, clientId }',
)

/**
 * Verifier options for Amazon Cognito user pool tokens (access tokens by default).
 *
 * Import from `tokengate/presets`.
 *
 * @example
 * const verifier = createVerifier(cognito({ userPoolId: 'eu-west-1_AbCdEf123', clientId: '1example23456789' }))
 * app.delete('/users/:id', requireRoles('admins'), handler) // cognito:groups
 */
export function cognito(input: CognitoOptions): PresetOptions<'jwksUri'> {
  requireOrNull('cognito', input, 'clientId', 'the app client id(s), or null to accept every app client of the pool')
  const o = presetOptions('cognito', schema, input)
  const match = POOL_ID.exec(o.userPoolId)
  if (!match) throw new ConfigError('cognito', 'userPoolId', 'expected {region}_{id}, e.g. "eu-west-1_AbCdEf123"')
  const region = o.region ?? match[1]!
  if (region !== match[1]) throw new ConfigError('cognito', 'region', `the pool ${o.userPoolId} is in ${match[1]}, not ${region}`)
  const issuer = `https://cognito-idp.${region}.amazonaws.com/${o.userPoolId}`
  const clients = o.clientId === null ? undefined : listOf(o.clientId)
  const tokenUse = o.tokenUse ?? 'access'
  return {
    issuer,
    // Access tokens name their client in client_id and carry no aud; ID tokens carry aud.
    audience: tokenUse === 'id' && clients ? clients : null,
    jwksUri: `${issuer}/.well-known/jwks.json`,
    algorithms: ['RS256'],
    claimValues: { token_use: tokenUse, ...(tokenUse === 'access' && clients ? { client_id: clients } : {}) },
    roleClaims: ['cognito:groups'],
  }
}
