/**
 * `npm run demo`: mints real tokens with a local key and runs them through the real
 * pipeline, printing header → outcome. (The adapters issue grows this into real servers.)
 */
import { BearerError, createVerifier } from '../src/index.js'
import { generateSigningKey } from '../src/testing/keys.js'
import { signToken, unsignedToken } from '../src/testing/tokens.js'

const issuer = 'https://demo.tokengate.local/'
const audience = 'https://api.demo.local'
const key = await generateSigningKey('ES256', { kid: 'demo-1' })
const stranger = await generateSigningKey('ES256', { kid: 'demo-1' })
const t = Math.floor(Date.now() / 1000)
const claims = (extra: Record<string, unknown> = {}) => ({ iss: issuer, aud: audience, sub: 'alice', iat: t, exp: t + 600, scope: 'read:orders', ...extra })

const verify = createVerifier({ issuer, audience, jwks: { keys: [key.publicJwk!] }, isRevoked: (c) => c.jti === 'revoked' })

const cases: [string, string | undefined, string[]?][] = [
  ['valid token', `Bearer ${await signToken(key, claims())}`],
  ['valid token, scope read:orders required', `Bearer ${await signToken(key, claims())}`, ['read:orders']],
  ['no Authorization header', undefined],
  ['Basic credentials', 'Basic YWxpY2U6c2VjcmV0'],
  ['"Bearer" with no token', 'Bearer'],
  ['not a JWT', 'Bearer not-a-jwt'],
  ['expired', `Bearer ${await signToken(key, claims({ exp: t - 60 }))}`],
  ['forged (untrusted key, same kid)', `Bearer ${await signToken(stranger, claims())}`],
  ['alg none', `Bearer ${unsignedToken({ alg: 'none' }, claims())}`],
  ['wrong audience', `Bearer ${await signToken(key, claims({ aud: 'https://other.example' }))}`],
  ['missing scope write:orders', `Bearer ${await signToken(key, claims())}`, ['write:orders']],
  ['revoked', `Bearer ${await signToken(key, claims({ jti: 'revoked' }))}`],
]

const rows: string[][] = [['request', 'status', 'reason', 'WWW-Authenticate']]
for (const [name, header, scopes] of cases) {
  try {
    const auth = await verify(header, scopes ? { scopes } : undefined)
    rows.push([name, '200', `sub=${String(auth.claims.sub)}`, ''])
  } catch (err) {
    if (!BearerError.is(err)) throw err
    rows.push([name, String(err.status), err.reason, err.wwwAuthenticate ?? ''])
  }
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
for (const [i, row] of rows.entries()) {
  console.log(row.map((cell, j) => cell.padEnd(widths[j]!)).join('  ').trimEnd())
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '))
}
