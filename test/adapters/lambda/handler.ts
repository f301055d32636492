/**
 * A Lambda module as users write one: the authorizer built at module scope, so its verifier
 * (and key cache) lives as long as the container. test/adapters/lambda.test.ts imports it
 * fresh to play a cold start, and calls it again to play warm invocations.
 */
import { createAuthorizer } from '../../../src/adapters/lambda/index.js'
import { AUDIENCE, ISSUER, now } from '../../helpers/setup.js'

export const handler = createAuthorizer({ issuer: ISSUER, audience: AUDIENCE, jwksUri: process.env.TOKENGATE_TEST_JWKS_URI!, now })
