/**
 * @module
 * The raw `node:crypto` floor: the least a correct verifier must do with a prepared KeyObject.
 * Split, decode and parse the header, check `alg`, verify the signature, parse the payload,
 * check `exp`, `iss` and `aud`. No header grammar, no error objects, no policy beyond that.
 */
import { createHmac, timingSafeEqual, verify } from 'node:crypto'
import { AUDIENCE, ISSUER, type Fixture } from './fixtures.js'

export function floorVerifier(f: Fixture): (authorization: string) => unknown {
  const key = f.keyObject
  const ecdsa = { key, dsaEncoding: 'ieee-p1363' as const }
  const check: (input: Buffer, signature: Buffer) => boolean =
    f.alg === 'HS256'
      ? (input, signature) => {
          const mac = createHmac('sha256', key).update(input).digest()
          return mac.length === signature.length && timingSafeEqual(mac, signature)
        }
      : f.alg === 'RS256'
        ? (input, signature) => verify('sha256', input, key, signature)
        : f.alg === 'ES256'
          ? (input, signature) => signature.length === 64 && verify('sha256', input, ecdsa, signature)
          : (input, signature) => verify(null, input, key, signature)
  return (authorization) => {
    const token = authorization.slice(7)
    const d1 = token.indexOf('.')
    const d2 = token.indexOf('.', d1 + 1)
    const header = JSON.parse(Buffer.from(token.slice(0, d1), 'base64url').toString('utf8'))
    if (header.alg !== f.alg) throw new Error('alg')
    if (!check(Buffer.from(token.slice(0, d2), 'latin1'), Buffer.from(token.slice(d2 + 1), 'base64url'))) throw new Error('signature')
    const payload = JSON.parse(Buffer.from(token.slice(d1 + 1, d2), 'base64url').toString('utf8'))
    if (!(payload.exp > Date.now() / 1000) || payload.iss !== ISSUER || payload.aud !== AUDIENCE) throw new Error('claims')
    return payload
  }
}
