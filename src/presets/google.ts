/**
 * @module
 * Google ID tokens (Sign in with Google, Google Identity Services).
 *
 * - `iss` is `https://accounts.google.com` **or** `accounts.google.com`: accept both
 *   (https://developers.google.com/identity/gsi/web/guides/verify-google-id-token,
 *   https://developers.google.com/identity/openid-connect/reference).
 * - Keys: the JWKS at `https://www.googleapis.com/oauth2/v3/certs`; RS256; rotate often,
 *   so the response's `Cache-Control` is honoured (within `jwksCache.cacheControl`).
 * - `aud` is your OAuth client id (one of them). `hd` names a Google Workspace domain:
 *   `hostedDomain` requires it.
 */
import { options, stringOrList, v } from '../lib/schema.js'
import { presetOptions, type PresetOptions } from './shared.js'

/** Options of `google`. */
export interface GoogleOptions {
  /** Your OAuth client id(s): the `aud` of the ID tokens. */
  readonly audience: string | readonly string[]
  /** Accept only accounts of these Google Workspace domains (`hd`). Default: any account. */
  readonly hostedDomain?: string | readonly string[]
}

const schema = options(
  {
    audience: stringOrList('your OAuth client id, e.g. "1234-abc.apps.googleusercontent.com"'),
    hostedDomain: v.optional(stringOrList('a Google Workspace domain, e.g. "example.com"')),
  },
  'google options: { audience, hostedDomain? }',
)

/**
 * Verifier options for Google ID tokens.
 *
 * Import from `tokengate/presets`.
 *
 * @example
 * const verifier = createVerifier(google({ audience: '1234-abc.apps.googleusercontent.com', hostedDomain: 'example.com' }))
 */
export function google(input: GoogleOptions): PresetOptions<'jwksUri'> {
  const o = presetOptions('google', schema, input)
  return {
    issuer: ['https://accounts.google.com', 'accounts.google.com'],
    audience: o.audience,
    jwksUri: 'https://www.googleapis.com/oauth2/v3/certs',
    algorithms: ['RS256'],
    ...(o.hostedDomain === undefined ? {} : { claimValues: { hd: typeof o.hostedDomain === 'string' ? o.hostedDomain : [...o.hostedDomain] } }),
  }
}
