import { describe, expect, it } from 'vitest'
import { createIssuer, createRevocationCheck, memoryStore, type IssuerOptions } from './index.js'
import { AUDIENCE, ISSUER } from '../../test/issuer/helpers.js'

const base = { issuer: ISSUER, audience: AUDIENCE }

describe('createIssuer options', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['issuer missing', { audience: AUDIENCE }, 'issuer'],
    ['audience missing', { issuer: ISSUER }, 'audience'],
    ['empty audience list', { ...base, audience: [] }, 'audience'],
    ['accessTtl below a second', { ...base, accessTtl: '500ms' }, 'accessTtl: expected seconds (a number of at least 1)'],
    ['refreshTtl unparsable', { ...base, refreshTtl: 'a week' }, 'refreshTtl'],
    ['keys and secret', { ...base, keys: [{ privateKey: 'pem' }], secret: 'x'.repeat(32) }, 'secret: give `keys` or `secret`, not both'],
    ['HS256 without secret', { ...base, algorithm: 'HS256' }, 'algorithm: HS256 needs the `secret` option'],
    ['ES256 with a secret', { ...base, algorithm: 'ES256', secret: 'x'.repeat(32) }, 'algorithm: ES256 cannot sign with a shared secret'],
    ['short secret', { ...base, secret: 'short' }, 'secret: HS256 needs at least 32 bytes, got 5'],
    ['HS384 secret too short', { ...base, algorithm: 'HS384', secret: 'x'.repeat(32) }, 'secret: HS384 needs at least 48 bytes, got 32'],
    ['unknown algorithm', { ...base, algorithm: 'none' }, 'algorithm'],
    ['activeKid without keys', { ...base, activeKid: 'k' }, 'activeKid: only meaningful with `keys`'],
    ['not a store', { ...base, store: {} }, 'store: expected an IssuerStore'],
    ['unknown option', { ...base, ttl: 5 }, 'ttl: not an option here'],
    ['failOpen not boolean', { ...base, failOpen: 'yes' }, 'failOpen'],
  ]
  it.each(cases)('throws a TypeError naming the option: %s', (_, options, message) => {
    expect(() => createIssuer(options as unknown as IssuerOptions)).toThrow(TypeError)
    expect(() => createIssuer(options as unknown as IssuerOptions)).toThrow(`tokengate: invalid issuer option ${message}`)
  })

  it('accepts the documented defaults', () => {
    expect(() => createIssuer(base)).not.toThrow()
    expect(() => createIssuer({ ...base, secret: 'x'.repeat(32) })).not.toThrow()
    expect(() => createIssuer({ ...base, accessTtl: 60, refreshTtl: '30d', failOpen: true })).not.toThrow()
  })

  it('createRevocationCheck refuses bad options with a TypeError naming the option', () => {
    expect(() => createRevocationCheck({ issuer: '', store: memoryStore() })).toThrow('tokengate: invalid revocation check option issuer')
    expect(() => createRevocationCheck({ issuer: ISSUER, store: {} as never })).toThrow('tokengate: invalid revocation check option store')
  })
})
