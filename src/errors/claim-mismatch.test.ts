/**
 * `ClaimMismatchError`, the operator-facing cause of `issuer_invalid` / `audience_invalid`:
 * the near misses it names and how it quotes what a token said. (Written to kill the
 * mutants `npm run mutation` found surviving here.)
 */
import { describe, expect, it } from 'vitest'
import { ClaimMismatchError, nearMissNote, quoteClaim } from './claim-mismatch.js'

describe('ClaimMismatchError', () => {
  it('names each usual near miss: a trailing slash either way, letter case, http vs https', () => {
    const cases: [unknown, string, string][] = [
      ['https://idp.example.com', 'https://idp.example.com/', 'only by a trailing slash'],
      ['https://idp.example.com/', 'https://idp.example.com', 'only by a trailing slash'],
      ['https://IDP.example.com/', 'https://idp.example.com/', 'only in letter case'],
      ['http://idp.example.com/', 'https://idp.example.com/', 'only in http vs https'],
    ]
    for (const [actual, expected, how] of cases) {
      const err = new ClaimMismatchError('iss', [expected], actual)
      expect(err.message).toBe(`iss ${JSON.stringify(actual)} is not the configured issuer ${JSON.stringify(expected)} (differs ${how})`)
      expect(err.hint).toBe(`${JSON.stringify(actual)} differs from the configured ${JSON.stringify(expected)} ${how}`)
      expect(nearMissNote(actual, expected)).toBe(` (differs ${how})`)
    }
  })

  it('says nothing more when the values are simply different', () => {
    const err = new ClaimMismatchError('aud', ['orders-api'], 'billing-api')
    expect(err.message).toBe('aud "billing-api" is not the configured audience "orders-api"')
    expect(err.hint).toBeUndefined()
    expect(nearMissNote('billing-api', 'orders-api')).toBe('')
    expect(nearMissNote(42, 'orders-api')).toBe('')
  })

  it('looks at the strings of an array aud, skipping other members', () => {
    const err = new ClaimMismatchError('aud', ['https://api.example.com/', 'other'], [7, null, 'https://API.example.com/'])
    expect(err.message).toBe('aud [7,null,"https://API.example.com/"] is not any configured audience ("https://api.example.com/", "other") (differs from "https://api.example.com/" only in letter case)')
    expect(err.hint).toBe('"https://API.example.com/" differs from the configured "https://api.example.com/" only in letter case')
    expect(new ClaimMismatchError('aud', ['a'], [1, 2]).hint).toBeUndefined()
  })

  it('lists at most five configured values, and says absent for a missing claim', () => {
    const err = new ClaimMismatchError('iss', ['a', 'b', 'c', 'd', 'e', 'f', 'g'], undefined)
    expect(err.message).toBe('iss absent is not any configured issuer ("a", "b", "c", "d", "e" and 2 more)')
    expect(err).toMatchObject({ name: 'ClaimMismatchError', claim: 'iss', expected: ['a', 'b', 'c', 'd', 'e', 'f', 'g'], actual: undefined })
  })
})

describe('quoteClaim', () => {
  it('JSON-quotes (no control character reaches a log) and caps at 200 characters', () => {
    expect(quoteClaim('a\nb')).toBe('"a\\nb"')
    const exact = 'x'.repeat(198) // 200 with its quotes: kept whole
    expect(quoteClaim(exact)).toBe(`"${exact}"`)
    const longer = 'x'.repeat(199) // 201 with its quotes: cut to 200, then the ellipsis
    expect(quoteClaim(longer)).toBe(`"${'x'.repeat(199)}…`)
    expect(quoteClaim(undefined)).toBe('absent')
  })
})
