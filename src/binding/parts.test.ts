/**
 * The small parts of sender-constrained tokens: RFC 3986 htu normalisation, RFC 7638
 * thumbprints (the RFC's own example), certificate bytes from PEM / URL-encoded PEM / DER.
 */
import { signatureBackend } from '#signature-backend'
import { describe, expect, it } from 'vitest'
import { certificateDer, certificateThumbprint } from './certificate.js'
import { htuMatches, normalizeHtu } from './htu.js'
import { jwkThumbprint, thumbprintInput } from './thumbprint.js'

describe('htu (RFC 9449 §4.3, RFC 3986 §6.2.2-6.2.3)', () => {
  it('normalises case, default port, percent-encoding and dot segments; drops query, fragment and userinfo', () => {
    expect(normalizeHtu('HTTPS://User:pw@Example.COM:443/a/./b/../%7euser/%2f?q=1#f')).toBe('https://example.com/a/~user/%2F')
    expect(normalizeHtu('http://example.com:80')).toBe('http://example.com/')
  })

  it('is undefined for anything but an absolute http(s) URL', () => {
    for (const value of ['/relative', 'ftp://example.com/', 'not a url', 'javascript:alert(1)']) expect(normalizeHtu(value)).toBeUndefined()
  })

  it('matches a URL object or string, exactly or after normalisation', () => {
    expect(htuMatches('https://example.com/a', new URL('https://EXAMPLE.com/a?x'))).toBe(true)
    expect(htuMatches('https://example.com/a', 'https://example.com/a#frag')).toBe(true)
    expect(htuMatches('https://example.com/a', 'https://example.com/A')).toBe(false)
  })
})

describe('RFC 7638 thumbprints', () => {
  it('hashes the required members in order (RFC 7638 §3.1 example)', async () => {
    const jwk = {
      kty: 'RSA' as const,
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    }
    expect(thumbprintInput(jwk)).toBe(`{"e":"AQAB","kty":"RSA","n":"${jwk.n}"}`)
    expect(await jwkThumbprint(signatureBackend, jwk)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs')
  })
})

describe('client certificates (RFC 8705 §3.1)', () => {
  const der = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x05])
  const base64 = 'MAMCAQU='
  const pem = `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`

  it('reads DER bytes, PEM (the first of a chain), URL-encoded PEM and bare base64 DER alike', () => {
    for (const input of [der, pem, `${pem}-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n`, encodeURIComponent(pem), base64]) {
      expect(certificateDer(input)).toEqual(der)
    }
  })

  it('gives no certificate (and no thumbprint) for garbage, an empty value or broken URL encoding', () => {
    for (const input of ['', 'not base64!', '%E0%A4%A', new Uint8Array()]) expect(certificateDer(input)).toBeUndefined()
    expect(certificateThumbprint(signatureBackend, '')).toBeUndefined()
  })

  it('hashes the DER: x5t#S256', async () => {
    expect(await certificateThumbprint(signatureBackend, pem)).toBe(Buffer.from(await crypto.subtle.digest('SHA-256', der)).toString('base64url'))
  })
})
