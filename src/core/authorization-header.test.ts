import { describe, expect, it } from 'vitest'
import { BearerError } from '../errors/bearer-error.js'
import { assertToken68, readBearerCredentials, type AuthorizationInput } from './authorization-header.js'

/** Step 1a as the pipeline runs it when the token is not a JWT: the credentials, then token68. */
function parse(value: AuthorizationInput, max = 8192): string {
  const token = readBearerCredentials(value, max)
  assertToken68(token)
  return token
}

function reasonOf(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    if (BearerError.is(err)) return `${err.status} ${err.reason}`
    throw err
  }
  return 'passed'
}

describe('Authorization header (RFC 6750 §2.1)', () => {
  it('returns the token after the Bearer scheme, compared case-insensitively', () => {
    expect(parse('Bearer a.b.c')).toBe('a.b.c')
    expect(parse('bearer a.b.c')).toBe('a.b.c')
    expect(parse('BEARER a.b.c')).toBe('a.b.c')
    expect(parse('Bearer   a.b.c')).toBe('a.b.c')
    expect(parse('  Bearer a.b.c \t')).toBe('a.b.c')
    expect(parse(['Bearer a.b.c'])).toBe('a.b.c')
  })

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['empty', ''],
    ['whitespace', '   '],
    ['Basic credentials', 'Basic dXNlcjpwYXNz'],
    ['DPoP credentials', 'DPoP a.b.c'],
    ['a scheme that starts with Bearer', 'Bearerx a.b.c'],
    ['an empty array', []],
  ])('treats %s as missing credentials: 401 token_missing', (_name, value) => {
    expect(reasonOf(() => parse(value as string))).toBe('401 token_missing')
  })

  it.each([
    ['no token', 'Bearer'],
    ['two tokens', 'Bearer a.b.c d.e.f'],
    ['a comma', 'Bearer a.b.c,d'],
    ['a quote', 'Bearer "a.b.c"'],
    ['a tab separator', 'Bearer\ta.b.c'],
    ['a tab inside', 'Bearer a.b\t.c'],
    ['padding in the middle', 'Bearer a=b'],
    ['non-ASCII', 'Bearer a.b.ç'],
    ['several headers', ['Bearer a.b.c', 'Bearer d.e.f']],
  ])('rejects %s with 400 header_malformed', (_name, value) => {
    expect(reasonOf(() => parse(value as string))).toBe('400 header_malformed')
  })

  it('checks the size limit before anything else: 401 token_too_large', () => {
    expect(reasonOf(() => parse(`Bearer ${'a'.repeat(100)}`, 100))).toBe('401 token_too_large')
    expect(reasonOf(() => parse(`Basic ${'a'.repeat(100)}`, 100))).toBe('401 token_too_large')
    expect(parse(`Bearer ${'a'.repeat(93)}`, 100)).toHaveLength(93)
  })
})
