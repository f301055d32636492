/**
 * @module
 * `tokengate/testing`: fixtures for consumers' CI — deterministic keys, verifier options,
 * valid/expired/corrupt/forged tokens with their documented outcomes, a local JWKS server,
 * and fixture directories for non-JavaScript CI. Node only (uses `node:crypto`, `node:http`).
 */
export { createTestKit, TEST_AUDIENCE, TEST_ISSUER, type TestKit, type TestKitOptions, type TestVerifierOptions } from './test-kit.js'
export { CASE_DESCRIPTIONS, EXPECTED_OUTCOMES, type ExpectedOutcome, type TokenCase } from './outcomes.js'
export { startJwksServer, type JwksServer, type JwksServerOptions, type JwksServerRequests, type KeyPublisher } from './jwks-server.js'
export {
  buildFixtures,
  FIXTURE_MANIFEST_VERSION,
  readFixtureManifest,
  writeFixtures,
  type FixtureCase,
  type FixtureManifest,
  type FixtureOptions,
  type FixtureSet,
} from './fixtures.js'
export { DEFAULT_SEED, deriveSigningKey, type DeriveSigningKeyOptions } from './seeded-keys.js'
export { generateSigningKey, type TestSigningKey } from './keys.js'
export { encodeSegment, signToken, signTokenRaw, unsignedToken } from './tokens.js'
export { albKeyId, TEST_ALB_ARN, TEST_TENANT_ID, TOKEN_SHAPES, type ShapedTokenOptions, type TokenShape } from './shapes.js'
export { certificatePem, publicKeyPem, type CertificateOptions } from './certificate.js'
export { routeFetch } from './route-fetch.js'
export {
  deriveDpopKey,
  DPOP_PROOF_DESCRIPTIONS,
  DPOP_PROOF_OUTCOMES,
  generateDpopKey,
  jwkThumbprintOf,
  signDpopProof,
  type DpopKey,
  type DpopOutcome,
  type DpopProofCase,
  type DpopProofOptions,
} from './dpop.js'
