/**
 * Verifier options for the identity providers people bring: each preset encodes its IdP's
 * documented token shape (issuer, keys, audience, token kind, role claims), works as is with
 * `createVerifier` and every adapter, and can be spread and overridden. Edge-safe.
 *
 * @module tokengate/presets
 */
export { auth0, type Auth0Options } from './auth0.js'
export { cognito, type CognitoOptions } from './cognito.js'
export { entra, CONSUMERS_TENANT, type EntraOptions } from './entra.js'
export { keycloak, type KeycloakOptions } from './keycloak.js'
export { okta, type OktaOptions } from './okta.js'
export { google, type GoogleOptions } from './google.js'
export { firebase, FIREBASE_CERTIFICATES, type FirebaseOptions } from './firebase.js'
export { alb, type AlbOptions } from './alb.js'
export type { PresetOptions } from './shared.js'
