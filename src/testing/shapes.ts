/**
 * @module
 * Tokens shaped as each identity provider documents them (the claims, header and encoding
 * its tokens really have), so a consumer's CI tests the claims their API really gets. Each
 * shape mirrors a preset of `tokengate/presets` and cites the same documentation there.
 */
import { createHash } from 'node:crypto'
import { ConfigError } from '../errors/config-error.js'
import type { TestSigningKey } from './keys.js'
import { encodeBase64url } from '../lib/base64url.js'
import { signTokenRaw } from './tokens.js'

/** The token shapes the kit mints, one per IdP token kind. */
export type TokenShape =
  | 'auth0'
  | 'auth0-rfc9068'
  | 'cognito-access'
  | 'cognito-id'
  | 'entra-v1'
  | 'entra-v2'
  | 'entra-v2-app'
  | 'keycloak-access'
  | 'keycloak-id'
  | 'keycloak-refresh'
  | 'okta-access'
  | 'google-id'
  | 'firebase-id'
  | 'alb'

/** Every shape, for iterating in tests. */
export const TOKEN_SHAPES: readonly TokenShape[] = Object.freeze([
  'auth0',
  'auth0-rfc9068',
  'cognito-access',
  'cognito-id',
  'entra-v1',
  'entra-v2',
  'entra-v2-app',
  'keycloak-access',
  'keycloak-id',
  'keycloak-refresh',
  'okta-access',
  'google-id',
  'firebase-id',
  'alb',
])

/** Options of `kit.token(...)`. */
export interface ShapedTokenOptions {
  /** Which IdP's token to mint. */
  readonly shape: TokenShape
  /** Claims merged over the shape's (`undefined` removes one). */
  readonly claims?: Readonly<Record<string, unknown>>
  /** Header parameters merged over the shape's. */
  readonly header?: Readonly<Record<string, unknown>>
  /** Scopes, written where the IdP writes them (`scope` string, Okta's `scp` array, Entra's `scp`). Default: the kit's. */
  readonly scopes?: readonly string[]
  /**
   * Roles, written where the IdP writes them: Cognito `cognito:groups`, Entra `roles`,
   * Keycloak `realm_access.roles`, Okta `groups`. Default none.
   */
  readonly roles?: readonly string[]
  /** Keycloak client roles, in `resource_access.{clientId}.roles`. Default none. */
  readonly clientRoles?: readonly string[]
  /** Auth0 RBAC permissions (`permissions`). Default none. */
  readonly permissions?: readonly string[]
  /**
   * The client the token was issued to, where the IdP names it (`client_id`, `azp`, `cid`,
   * ALB's header `client`; the `aud` of ID tokens). Default: the kit's `audience` for the
   * shapes whose client is their audience (Cognito, Google), else `'tokengate-test-client'`.
   */
  readonly clientId?: string
  /** Entra tenant id (`tid`), put into an `{tenantid}` issuer. Default: the issuer's own, or a fixed test GUID. */
  readonly tenantId?: string
  /** ALB: the `signer` header (your ALB's ARN). Default `TEST_ALB_ARN`. */
  readonly albArn?: string
}

/** What a shape needs to know of the kit. */
export interface ShapeContext {
  readonly issuer: string
  readonly audience: string
  readonly subject: string
  readonly scopes: readonly string[]
  readonly key: TestSigningKey
  /** Seconds. */
  readonly now: number
  readonly ttl: number
  readonly jti: () => string
}

/** The `signer` of kit ALB tokens unless `albArn` says otherwise. */
export const TEST_ALB_ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/tokengate-test/50dc6c495c0c9188'
/** The `tid` of kit Entra tokens unless the issuer or `tenantId` names another. */
export const TEST_TENANT_ID = '8eaef023-2b34-4da1-9baa-8bc8c9d6a490'
const TEST_CLIENT = 'tokengate-test-client'
const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i

/**
 * The key id AWS ALB would give a kit key: a UUID, derived from the key's `kid` (ALB key ids
 * are UUIDs, and tokengate fetches nothing else).
 *
 * Import from `tokengate/testing`.
 *
 * @example
 * const kid = albKeyId(kit.key) // '3f1c…-…': the kit server serves its PEM at `${server.albKeysUrl}/${kid}`
 */
export function albKeyId(key: TestSigningKey): string {
  const hex = createHash('sha256').update(`alb:${key.kid ?? ''}`).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

const pad = (segment: string): string => segment + '='.repeat((4 - (segment.length % 4)) % 4)
const json = (value: unknown): string => encodeBase64url(new TextEncoder().encode(JSON.stringify(value)))

/** Removes the keys whose value is `undefined` (how `claims` takes a claim away). */
function compact(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined))
}

/**
 * Entra's issuer for a tenant: the kit issuer with its tenant (or `{tenantid}`) replaced when
 * it is an issuer of that version (v2.0 ends in `/v2.0`, v1.0 is `sts.windows.net`), else
 * the version's own issuer.
 */
function entraIssuer(issuer: string, tid: string, version: 1 | 2): string {
  const ofVersion = version === 2 ? issuer.endsWith('/v2.0') : issuer.startsWith('https://sts.windows.net/')
  if (!ofVersion) return version === 2 ? `https://login.microsoftonline.com/${tid}/v2.0` : `https://sts.windows.net/${tid}/`
  return issuer.includes('{tenantid}') ? issuer.replace('{tenantid}', tid) : issuer.replace(GUID, tid)
}

/** The claims and header of a shape, before the caller's overrides. */
function shape(o: ShapedTokenOptions, c: ShapeContext): { payload: Record<string, unknown>; header: Record<string, unknown> } {
  const scopes = o.scopes ?? c.scopes
  const scope = scopes.length > 0 ? scopes.join(' ') : undefined
  const roles = o.roles && o.roles.length > 0 ? [...o.roles] : undefined
  const iat = c.now
  const exp = c.now + c.ttl
  const kid = c.key.kid
  const client = (ownAudience: boolean) => o.clientId ?? (ownAudience ? c.audience : TEST_CLIENT)
  const jwt = { alg: c.key.alg, typ: 'JWT', ...(kid ? { kid } : {}) }
  switch (o.shape) {
    // https://auth0.com/docs/secure/tokens/access-tokens/access-token-profiles
    case 'auth0':
    case 'auth0-rfc9068': {
      const rfc9068 = o.shape === 'auth0-rfc9068'
      return {
        header: rfc9068 ? { ...jwt, typ: 'at+jwt' } : jwt,
        payload: {
          iss: c.issuer,
          sub: `auth0|${c.subject}`,
          aud: [c.audience, `${c.issuer.replace(/\/?$/, '/')}userinfo`],
          iat,
          exp,
          ...(rfc9068 ? { client_id: client(false), jti: c.jti() } : { azp: client(false) }),
          scope,
          permissions: o.permissions ? [...o.permissions] : undefined,
        },
      }
    }
    // awsdocs/amazon-cognito-developer-guide: using-the-access-token.md, using-the-id-token.md. No typ header.
    case 'cognito-access':
      return {
        header: { alg: c.key.alg, ...(kid ? { kid } : {}) },
        payload: {
          sub: c.subject,
          'cognito:groups': roles,
          iss: c.issuer,
          client_id: client(true),
          origin_jti: c.jti(),
          event_id: c.jti(),
          token_use: 'access',
          scope,
          auth_time: iat,
          exp,
          iat,
          jti: c.jti(),
          username: c.subject,
        },
      }
    case 'cognito-id':
      return {
        header: { alg: c.key.alg, ...(kid ? { kid } : {}) },
        payload: {
          sub: c.subject,
          'cognito:groups': roles,
          email_verified: true,
          iss: c.issuer,
          'cognito:username': c.subject,
          origin_jti: c.jti(),
          aud: client(true),
          event_id: c.jti(),
          token_use: 'id',
          auth_time: iat,
          exp,
          iat,
          jti: c.jti(),
          email: `${c.subject}@example.com`,
        },
      }
    // https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference
    case 'entra-v1':
    case 'entra-v2':
    case 'entra-v2-app': {
      const version = o.shape === 'entra-v1' ? 1 : 2
      const tid = o.tenantId ?? GUID.exec(c.issuer)?.[0] ?? TEST_TENANT_ID
      const oid = '00000000-0000-0000-66f3-3332eca7ea81'
      const app = o.shape === 'entra-v2-app'
      const common = { aud: c.audience, iss: entraIssuer(c.issuer, tid, version), iat, nbf: iat, exp, tid, oid, uti: 'AbCdEf123456', rh: '0.AAAA', roles }
      if (version === 1) {
        return {
          header: { ...jwt, x5t: kid },
          payload: { ...common, acr: '1', aio: 'ASQA2/8AAAAA', amr: ['pwd'], appid: client(false), appidacr: '0', name: 'Test User', scp: scope, sub: c.subject, unique_name: `${c.subject}@contoso.example`, upn: `${c.subject}@contoso.example`, ver: '1.0' },
        }
      }
      return {
        header: jwt,
        payload: app
          ? { ...common, azp: client(false), azpacr: '1', idtyp: 'app', sub: oid, ver: '2.0' }
          : { ...common, aio: 'ASQA2/8AAAAA', azp: client(false), azpacr: '0', name: 'Test User', preferred_username: `${c.subject}@contoso.example`, scp: scope, sub: c.subject, ver: '2.0' },
      }
    }
    // keycloak/keycloak TokenUtil.java (payload typ), OIDCLoginProtocolFactory.java (role claims)
    case 'keycloak-access':
    case 'keycloak-id':
    case 'keycloak-refresh': {
      const azp = client(false)
      const typ = o.shape === 'keycloak-access' ? 'Bearer' : o.shape === 'keycloak-id' ? 'ID' : 'Refresh'
      return {
        header: jwt,
        payload: {
          exp,
          iat,
          auth_time: iat,
          jti: c.jti(),
          iss: c.issuer,
          aud: typ === 'ID' ? azp : c.audience,
          sub: c.subject,
          typ,
          azp,
          sid: c.jti(),
          acr: '1',
          realm_access: roles ? { roles } : undefined,
          resource_access: o.clientRoles ? { [c.audience]: { roles: [...o.clientRoles] } } : undefined,
          scope: typ === 'ID' ? undefined : scope,
          email_verified: true,
          preferred_username: c.subject,
        },
      }
    }
    // https://developer.okta.com/docs/reference/api/oidc/ "Reserved claims in the payload section"
    case 'okta-access':
      return {
        header: { alg: c.key.alg, ...(kid ? { kid } : {}) },
        payload: { ver: 1, jti: `AT.${c.jti()}`, iss: c.issuer, aud: c.audience, iat, exp, cid: client(false), uid: '00uid4BxXw6I6TV4m0g3', scp: [...scopes], auth_time: iat, sub: `${c.subject}@example.com`, groups: roles },
      }
    // https://developers.google.com/identity/gsi/web/guides/verify-google-id-token
    case 'google-id':
      return {
        header: jwt,
        payload: { iss: c.issuer, azp: client(true), aud: client(true), sub: '110169484474386276334', hd: undefined, email: `${c.subject}@example.com`, email_verified: true, at_hash: 'HK6E_P6Dh8Y93mRNtsDB1Q', name: 'Test User', iat, exp },
      }
    // https://firebase.google.com/docs/reference/admin/node/firebase-admin.auth.decodedidtoken
    case 'firebase-id':
      return {
        header: jwt,
        payload: {
          iss: c.issuer,
          aud: c.audience,
          auth_time: iat,
          user_id: c.subject,
          sub: c.subject,
          iat,
          exp,
          email: `${c.subject}@example.com`,
          email_verified: true,
          firebase: { identities: { email: [`${c.subject}@example.com`] }, sign_in_provider: 'password' },
        },
      }
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html#user-claims-encoding
    case 'alb':
      if (c.key.alg !== 'ES256') throw new ConfigError('testing', 'shape', 'ALB signs with ES256: createTestKit({ alg: "ES256" })')
      return {
        header: { alg: 'ES256', kid: albKeyId(c.key), signer: o.albArn ?? TEST_ALB_ARN, iss: c.issuer, client: client(false), exp, typ: 'JWT' },
        payload: { sub: c.subject, email: `${c.subject}@example.com`, email_verified: 'true', exp, iss: c.issuer },
      }
  }
}

/**
 * Mints a token of the given shape with `c.key`: the shape's claims and header, then the
 * caller's. ALB tokens are padded and signed over the padded segments, as ALB does.
 */
export async function shapedToken(o: ShapedTokenOptions, c: ShapeContext): Promise<string> {
  if (!TOKEN_SHAPES.includes(o.shape)) throw new ConfigError('testing', 'shape', `expected one of ${TOKEN_SHAPES.join(', ')}`)
  if (!c.key.publicJwk) throw new ConfigError('testing', 'shape', `IdP token shapes are signed with asymmetric keys; the kit uses ${c.key.alg}`)
  const base = shape(o, c)
  const header = compact({ ...base.header, ...o.header })
  const payload = compact({ ...base.payload, ...o.claims })
  if (o.shape !== 'alb') return signTokenRaw(c.key, header, payload)
  const input = `${pad(json(header))}.${pad(json(payload))}`
  const signed = await signTokenRaw(c.key, header, payload, input)
  return `${input}.${pad(signed.slice(signed.lastIndexOf('.') + 1))}`
}
