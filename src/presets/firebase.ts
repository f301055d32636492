/**
 * @module
 * Firebase Authentication ID tokens.
 *
 * Sources: https://firebase.google.com/docs/auth/admin/verify-id-tokens#verify_id_tokens_using_a_third-party_jwt_library
 * and firebase/firebase-admin-node `src/auth/token-verifier.ts`.
 *
 * - `iss` is `https://securetoken.google.com/{projectId}`, `aud` the project id.
 * - Keys are **not** a JWKS: `https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com`
 *   serves `{ kid: PEM certificate }` (`x509Uri`), cached by its `Cache-Control`.
 * - RS256; `kid` names one of the certificates.
 * - `sub` must be a non-empty string (the uid, at most 128 characters); `auth_time` must be
 *   present and in the past (tokengate checks every `auth_time` is not in the future).
 */
import { ConfigError } from '../errors/config-error.js'
import { nonEmptyString, options } from '../lib/schema.js'
import { presetOptions, type PresetOptions } from './shared.js'

/** Options of `firebase`. */
export interface FirebaseOptions {
  /** Your Firebase project id. */
  readonly projectId: string
}

/** Where Google publishes Firebase Authentication's signing certificates. */
export const FIREBASE_CERTIFICATES = 'https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com'

const schema = options({ projectId: nonEmptyString('your Firebase project id') }, 'firebase options: { projectId }')

/**
 * Verifier options for Firebase Authentication ID tokens.
 *
 * Import from `tokengate/presets`.
 *
 * @example
 * const verifier = createVerifier(firebase({ projectId: 'my-project' }))
 * app.get('/admin', requireClaim('admin', true), handler) // a custom claim
 */
export function firebase(input: FirebaseOptions): PresetOptions<'x509Uri'> {
  const o = presetOptions('firebase', schema, input)
  if (!/^[a-z0-9-]+$/.test(o.projectId)) throw new ConfigError('firebase', 'projectId', 'expected a project id such as "my-project-123"')
  return {
    issuer: `https://securetoken.google.com/${o.projectId}`,
    audience: o.projectId,
    x509Uri: FIREBASE_CERTIFICATES,
    algorithms: ['RS256'],
    requiredClaims: ['auth_time'],
    claimValues: { sub: (sub: unknown) => typeof sub === 'string' && sub.length > 0 && sub.length <= 128 },
  }
}
