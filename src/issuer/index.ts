/**
 * @module
 * `tokengate/issuer`: mint access + refresh token pairs, rotate refresh tokens with reuse
 * detection, revoke, and publish the keys `createVerifier` trusts.
 */
export { createIssuer, type Issuer } from './create-issuer.js'
export { CLOCK_TOLERANCE_ALLOWANCE } from './context.js'
export type { IssueInput } from './mint.js'
export type { TokenRequestDpop, TokenRequestOptions } from './dpop.js'
export type { CommonIssuerOptions, IssuerDpopOptions, IssuerEvent, IssuerKeyOptions, IssuerOperation, IssuerOptions, IssuerSecretOptions } from './options.js'
export { IssuerError, ISSUER_REASONS, type IssuerErrorCode, type IssuerErrorReason, type OAuthErrorBody } from './errors.js'
export { toTokenResponse, type TokenPair, type TokenResponseBody } from './token-response.js'
export type { IssuerKey } from './signing-key.js'
export type { IssuerStore, RefreshTokenRecord, RevocationQuery, RotateResult, RotationNext } from './store.js'
export { memoryStore, type MemoryStoreOptions } from './stores/memory-store.js'
export { createRevocationCheck, type RevocationCheckOptions } from './revocation-check.js'
