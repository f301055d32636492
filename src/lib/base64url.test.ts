import { describe, expect, it } from 'vitest'
import { decodeBase64url, decodeBase64urlBinary, encodeBase64url, isBase64url } from './base64url.js'

const bytes = (...b: number[]) => new Uint8Array(b)

describe('strict base64url', () => {
  it('round-trips every length with the unpadded alphabet', () => {
    for (let n = 0; n < 40; n++) {
      const input = crypto.getRandomValues(new Uint8Array(n))
      const text = encodeBase64url(input)
      expect(text).toMatch(/^[A-Za-z0-9_-]*$/)
      expect(decodeBase64url(text)).toEqual(input)
    }
  })

  it('matches the RFC 4648 §10 vectors (url alphabet, no padding)', () => {
    const utf8 = new TextEncoder()
    for (const [plain, encoded] of [['f', 'Zg'], ['fo', 'Zm8'], ['foo', 'Zm9v'], ['foob', 'Zm9vYg'], ['fooba', 'Zm9vYmE'], ['foobar', 'Zm9vYmFy']]) {
      expect(encodeBase64url(utf8.encode(plain!))).toBe(encoded)
      expect(decodeBase64url(encoded!)).toEqual(utf8.encode(plain!))
    }
    expect(encodeBase64url(bytes(0xfb, 0xff))).toBe('-_8')
  })

  it.each([
    ['padding', 'Zg=='],
    ['standard alphabet +', 'a+b_'],
    ['standard alphabet /', 'a/b_'],
    ['whitespace', 'Zm9 v'],
    ['impossible length (4n+1)', 'Zm9vY'],
    ['non-canonical trailing bits, 2 chars', 'Zh'],
    ['non-canonical trailing bits, 3 chars', 'Zm9'],
    ['non-ASCII', 'Zm9é'],
  ])('rejects %s', (_name, input) => {
    expect(decodeBase64url(input)).toBeUndefined()
  })
})

describe('strict base64url to a binary string (the header and payload path)', () => {
  const binary = (b: Uint8Array) => String.fromCharCode(...b)

  it('agrees with decodeBase64url on every length', () => {
    for (let n = 0; n < 40; n++) {
      const input = crypto.getRandomValues(new Uint8Array(n))
      const text = encodeBase64url(input)
      expect(decodeBase64urlBinary(text)).toBe(binary(input))
      expect(isBase64url(text)).toBe(true)
    }
  })

  it.each([
    ['padding', 'Zg=='],
    ['padding after a full quantum', 'Zm9v===='],
    ['standard alphabet +', 'a+b_'],
    ['standard alphabet /', 'a/b_'],
    ['whitespace', 'Zm9 v'],
    ['trailing whitespace', 'Zm9vYg '],
    ['a newline', 'Zm9v\nYmFy'],
    ['impossible length (4n+1)', 'Zm9vY'],
    ['non-canonical trailing bits, 2 chars', 'Zh'],
    ['non-canonical trailing bits, 3 chars', 'Zm9'],
    ['non-ASCII', 'Zm9é'],
    ['a character beyond U+00FF', 'Zm9€'],
  ])('rejects %s, as decodeBase64url does', (_name, input) => {
    expect(decodeBase64url(input)).toBeUndefined()
    expect(decodeBase64urlBinary(input)).toBeUndefined()
    expect(isBase64url(input)).toBe(false)
  })
})
