/**
 * Bearer-token validation for any Node or edge backend: `createVerifier`, `verifyBearer`,
 * `BearerError`, key sources and types.
 *
 * @module tokengate
 */
export { createVerifier, type Verifier } from './core/create-verifier.js'
export { createLazyVerifier } from './core/lazy-verifier.js'
export { memoryReplayStore, type MemoryReplayStoreOptions, type ReplayStore } from './binding/replay-store.js'
export type { DpopRequest } from './binding/dpop-proof.js'
export type { CertificateInput } from './binding/binding-step.js'
export type { ClientCertificate } from './binding/certificate.js'
export type { AuthScheme } from './errors/www-authenticate.js'
export {
  protectedResourceMetadata,
  protectedResourceMetadataUrl,
  type ProtectedResourceMetadata,
  type ProtectedResourceMetadataOptions,
} from './metadata/protected-resource.js'
export { DEFAULT_CLOCK_TOLERANCE } from './core/parse-options.js'
export { ConfigError } from './errors/config-error.js'
export { ClaimMismatchError } from './errors/claim-mismatch.js'
export { verifyBearer, type VerifyBearerOptions } from './core/verify-bearer.js'
export type {
  CommonVerifierOptions,
  DpopNonceOptions,
  DpopOptions,
  IssuerAudienceOptions,
  IssuerEntry,
  IssuerResolver,
  TenantCacheOptions,
  JwksCacheOptions,
  KeySourceName,
  JwtVerifierOptions,
  KeySourceOptions,
  OperatorHintEvent,
  OpaqueCredentialOptions,
  VerifiedTokenCacheOptions,
  VerifierLogger,
  VerifierEvent,
  VerifierOptions,
} from './core/options.js'
export type {
  ApiKeyAuth,
  ApiKeyInfo,
  AuthKind,
  BearerAuth,
  IntrospectedAuth,
  IntrospectionClaims,
  JwtAuth,
  JwtClaims,
  TokenClaims,
  VerifyRequestOptions,
} from './lib/result.js'
export type { IntrospectionCacheOptions, IntrospectionClientAuth, IntrospectionOptions } from './introspection/options.js'
export type { IntrospectionEvent } from './introspection/introspector.js'
export type { ApiKeyVerifier } from './apikeys/verifier.js'
export type { AuthorizationInput } from './core/authorization-header.js'
export type { JwsHeader } from './lib/token.js'
export type { Duration } from './lib/duration.js'
export { BearerError, type BearerErrorOptions } from './errors/bearer-error.js'
export { REASONS, type BearerErrorCode, type BearerErrorReason } from './errors/reasons.js'
export type { ProblemDetails } from './errors/problem.js'
export { ALGORITHMS, type Algorithm, type AsymmetricAlgorithm, type HmacAlgorithm } from './keys/algorithms.js'
export { localJwks, type JSONWebKeySet } from './keys/local-jwks.js'
export { remoteJwks, type RemoteJwksOptions, type RemoteKeySourceOptions } from './keys/remote-jwks.js'
export { cacheKeyStore, kvKeyStore, memoryKeyStore, type CacheLike, type JwksSnapshot, type KeyStore, type KvNamespaceLike } from './keys/key-store.js'
export { discoveryJwks, discoveryUrls, type DiscoveryOptions } from './keys/discovery.js'
export type { CacheControlBounds } from './keys/jwks-cache-options.js'
export type { FetchFailure, FetchFailureCode } from './keys/fetch-json.js'
export { secretKey } from './keys/secret.js'
export { publicKey, type KeyObjectLike, type PublicKeyInput } from './keys/public-key.js'
export { x509Keys } from './keys/x509.js'
export { albKeys, type AlbKeysOptions } from './keys/alb.js'
export type { KeySource, KeySourceContext, KeySourceEvent, KeySourceFactory } from './keys/key-source.js'
export type { VerificationKey, PublicJwk } from './keys/verification-key.js'
export type { ClaimsSchema, ClaimsSchemaResult } from './claims/schema.js'
export type { ClaimScalar, ClaimValueRule } from './claims/values.js'
export type { IsRevoked, RevocationContext } from './revocation/hook.js'
export type { ScopeClaim } from './scopes/parse.js'
export type { ClaimPathInput } from './lib/claim-path.js'
export type { Guard } from './guards/guard.js'
export type { ScopeMode } from './scopes/require.js'
export type { OutcomeFields, VerificationEvent } from './core/outcome.js'
export { memoryThrottleStore, type MemoryThrottleStore, type MemoryThrottleStoreOptions } from './throttle/memory-store.js'
export type { ThrottleStore, ThrottleWindow } from './throttle/store.js'
export type { ThrottleOptions } from './throttle/throttle.js'
export type { ThrottleEvent } from './throttle/events.js'
export { auditLog, type AuditLevel, type AuditLogger, type AuditLogOptions, type AuditRecord, type AuditSink } from './audit/audit-log.js'
