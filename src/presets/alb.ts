/**
 * @module
 * AWS Application Load Balancer user claims (`x-amzn-oidc-data`).
 *
 * Source: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html#user-claims-encoding
 *
 * - ALB authenticates the user with your IdP and hands the app a JWT it signs itself, ES256,
 *   in the `x-amzn-oidc-data` header (bare, no `Bearer`).
 * - Its segments carry base64 `=` padding, which RFC 7515 forbids: accepted here, and the
 *   signature is checked over the segments exactly as received.
 * - The header names `signer` (the ALB's ARN), `client`, `iss`, `kid` (a UUID) and `exp`;
 *   the key is a PEM file at `https://public-keys.auth.elb.{region}.amazonaws.com/{kid}`,
 *   shared by every ALB of the region. So `signer` is checked before anything else (AWS's
 *   guidance since "ALBeast", 2024): a token another ALB signed is refused without a fetch.
 * - No `aud`; `iss` is your IdP's (give `issuer` to check it too).
 */
import { albKeys } from '../keys/alb.js'
import { nonEmptyString, options, stringOrList, v } from '../lib/schema.js'
import { presetOptions, type PresetOptions } from './shared.js'

/** Options of `alb`. */
export interface AlbOptions {
  /** The ARN(s) of your load balancer(s): the token's `signer` must be one. */
  readonly albArn: string | readonly string[]
  /** The load balancers' region. Default: the ARN's. */
  readonly region?: string
  /** The client id(s) of the ALB's OIDC configuration (the header `client`). Default: not checked. */
  readonly clientId?: string | readonly string[]
  /** The `iss` of your IdP behind the ALB (e.g. your Cognito pool's). Default: not checked; `signer` binds the token to your ALB. */
  readonly issuer?: string | readonly string[]
  /** Where keys are fetched, as `{keysUrl}/{kid}` (GovCloud, tests). Default: the region's ALB key endpoint. */
  readonly keysUrl?: string
}

const schema = options(
  {
    albArn: stringOrList('your load balancer ARN'),
    region: v.optional(nonEmptyString('an AWS region such as "eu-west-1"')),
    clientId: v.optional(stringOrList('the client id of the ALB OIDC configuration')),
    issuer: v.optional(stringOrList("your IdP's issuer")),
    keysUrl: v.optional(nonEmptyString('the URL keys are fetched under')),
  },
  'alb options: { albArn, region?, clientId?, issuer? }',
)

/**
 * Verifier options for AWS ALB's `x-amzn-oidc-data` tokens. Adapters read the token from
 * that header (the verifier's `header` option).
 *
 * Import from `tokengate/presets`.
 *
 * @example
 * app.use(bearer(alb({ albArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188' })))
 * app.get('/me', (req, res) => res.json({ email: req.auth!.claims.email }))
 */
export function alb(input: AlbOptions): PresetOptions<'keys'> {
  const o = presetOptions('alb', schema, input)
  return {
    issuer: o.issuer ?? null,
    audience: null,
    header: 'x-amzn-oidc-data',
    allowPadding: true,
    algorithms: ['ES256'],
    keys: albKeys({
      albArn: o.albArn,
      ...(o.region === undefined ? {} : { region: o.region }),
      ...(o.clientId === undefined ? {} : { clientId: o.clientId }),
      ...(o.keysUrl === undefined ? {} : { url: o.keysUrl }),
    }),
  }
}
