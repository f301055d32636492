/**
 * RFC 9728: the protected resource metadata document and its well-known URL.
 */
import { describe, expect, it } from 'vitest'
import { createVerifier } from '../core/create-verifier.js'
import { generateSigningKey } from '../testing/keys.js'
import { protectedResourceMetadata, protectedResourceMetadataUrl } from './protected-resource.js'

const key = await generateSigningKey('ES256', { kid: 'k' })
const base = { issuer: 'https://idp.example.com/', audience: 'https://api.example.com', jwks: { keys: [key.publicJwk!] } }

describe('protectedResourceMetadataUrl (RFC 9728 §3.1)', () => {
  it.each([
    ['https://api.example.com', 'https://api.example.com/.well-known/oauth-protected-resource'],
    ['https://api.example.com/', 'https://api.example.com/.well-known/oauth-protected-resource'],
    ['https://api.example.com/v1', 'https://api.example.com/.well-known/oauth-protected-resource/v1'],
    ['https://api.example.com:8443/a/b', 'https://api.example.com:8443/.well-known/oauth-protected-resource/a/b'],
  ])('%s → %s', (resource, url) => {
    expect(protectedResourceMetadataUrl(resource)).toBe(url)
  })
})

describe('protectedResourceMetadata (RFC 9728 §2)', () => {
  it('builds the document, frozen, with bearer_methods_supported: ["header"]', () => {
    const doc = protectedResourceMetadata({ resource: 'https://api.example.com', authorizationServers: ['https://idp.example.com/'], scopesSupported: ['read', 'write'], resourceName: 'Orders' })
    expect(doc).toEqual({
      resource: 'https://api.example.com',
      authorization_servers: ['https://idp.example.com/'],
      scopes_supported: ['read', 'write'],
      bearer_methods_supported: ['header'],
      resource_name: 'Orders',
    })
    expect(Object.isFrozen(doc)).toBe(true)
    expect(Object.isFrozen(doc.scopes_supported)).toBe(true)
  })

  it("lists a DPoP verifier's algorithms, and dpop_bound_access_tokens_required with dpop.required", () => {
    const dpop = createVerifier({ ...base, dpop: { algorithms: ['ES256', 'EdDSA'] } })
    expect(protectedResourceMetadata({ resource: 'https://api.example.com', verifier: dpop })).toEqual({
      resource: 'https://api.example.com',
      bearer_methods_supported: ['header'],
      dpop_signing_alg_values_supported: ['ES256', 'EdDSA'],
    })
    const required = createVerifier({ ...base, dpop: { required: true, algorithms: ['ES256'] } })
    expect(protectedResourceMetadata({ resource: 'https://api.example.com', verifier: required })).toMatchObject({ dpop_bound_access_tokens_required: true })
    expect(protectedResourceMetadata({ resource: 'https://api.example.com', verifier: createVerifier(base) })).not.toHaveProperty('dpop_signing_alg_values_supported')
  })

  it('adds extra members but never lets them replace its own', () => {
    expect(protectedResourceMetadata({ resource: 'https://api.example.com', extra: { mcp_version: '2025-06-18' } })).toMatchObject({ mcp_version: '2025-06-18' })
    expect(() => protectedResourceMetadata({ resource: 'https://api.example.com', extra: { resource: 'https://evil.example.com' } })).toThrow(
      /invalid protectedResourceMetadata option extra\.resource: set by its own option/,
    )
  })

  it.each([
    ['an http resource on another host', { resource: 'http://api.example.com' }, /option resource: expected the resource identifier: an https URL/],
    ['a resource with a fragment', { resource: 'https://api.example.com/#x' }, /option resource/],
    ['a non-URL authorization server', { resource: 'https://api.example.com', authorizationServers: ['idp'] }, /option authorizationServers\.0/],
  ])('refuses %s with a ConfigError', (_name, options, message) => {
    expect(() => protectedResourceMetadata(options as never)).toThrow(message)
  })

  it('accepts http for localhost, for development', () => {
    expect(protectedResourceMetadata({ resource: 'http://localhost:3000' }).resource).toBe('http://localhost:3000')
  })
})
