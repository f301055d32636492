/**
 * @module
 * Shared pieces of the edge suites: a signing key and tokens on the real clock (workerd and
 * the edge VM read `Date.now()`), the exact answers tokengate gives, an entry wrapper that
 * adds the isolate's own counters at `/__edge/stats`, and an assertion on responses.
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import { generateSigningKey } from '../../src/testing/keys.js'
import { signToken } from '../../src/testing/tokens.js'
import type { Behaviour } from '../jwks/jwks-server.js'
import type { IsolateStats } from './workers/instrument.js'

export const ISSUER = 'https://idp.example.com/'
export const AUDIENCE = 'https://api.example.com'
/** The scope the edge apps require. */
export const SCOPE = 'read:items'
export const HERE = fileURLToPath(new URL('.', import.meta.url))

/** The exact `WWW-Authenticate` challenges of the cases every edge suite sends. */
export const CHALLENGE = {
  missing: 'Bearer realm="api"',
  expired: 'Bearer realm="api", error="invalid_token", error_description="The token has expired"',
  scope: `Bearer realm="api", error="insufficient_scope", error_description="The token lacks a required scope", scope="${SCOPE}"`,
} as const

export interface EdgeKey {
  /** The JWKS to serve. */
  readonly jwks: { keys: object[] }
  /** `Authorization` values: valid (with the scope), expired an hour ago, valid without the scope. */
  readonly valid: string
  readonly expired: string
  readonly wrongScope: string
}

/** An ES256 key, its JWKS, and tokens valid (or not) on the real clock. */
export async function edgeKey(): Promise<EdgeKey> {
  const key = await generateSigningKey('ES256', { kid: 'edge-1' })
  const now = Math.floor(Date.now() / 1000)
  const sign = async (claims: Record<string, unknown>) =>
    `Bearer ${await signToken(key, { iss: ISSUER, aud: AUDIENCE, sub: 'user-1', iat: now - 60, exp: now + 3600, scope: SCOPE, ...claims })}`
  return {
    jwks: { keys: [key.publicJwk!] },
    valid: await sign({}),
    expired: await sign({ iat: now - 7200, exp: now - 3600 }),
    wrongScope: await sign({ scope: 'write:items' }),
  }
}

/**
 * Module text for an entry that evaluates the instrumentation first, then serves `/__edge/stats`
 * from it and hands every other request to `handler` (an export of `file`).
 */
export function withStats(file: string, handler: string): string {
  return [
    `import { inside, isolateStats } from ${JSON.stringify(join(HERE, 'workers', 'instrument.ts'))}`,
    `import * as app from ${JSON.stringify(file)}`,
    `const handle = ${handler}`,
    `export const stats = () => Response.json(isolateStats())`,
    `export const isStats = (request) => new URL(request.url).pathname === '/__edge/stats'`,
    `export default { fetch: (request, env, ctx) => (isStats(request) ? stats() : inside(() => handle(request, env, ctx))) }`,
  ].join('\n')
}

/** A JWKS behaviour that answers only once `ready()` says so (polled every 10 ms, for at most 10 s). */
export function when(ready: () => Promise<boolean>, then: Behaviour): Behaviour {
  return (req, res) => {
    const deadline = Date.now() + 10_000
    const poll = async (): Promise<void> => {
      if ((await ready()) || Date.now() > deadline) return then(req, res)
      setTimeout(() => void poll(), 10)
    }
    void poll()
  }
}

/** What a response must be: status, and for failures the problem `reason` and exact challenge. */
export interface Expected {
  readonly status: number
  readonly reason?: string
  /** `null`: no `WWW-Authenticate` at all (a 503 is not a challenge). */
  readonly wwwAuthenticate?: string | null
}

/** Reads `res` (a fetch Response from any realm) and asserts it is what `expected` says. */
export async function expectAnswer(res: { status: number; headers: { get(name: string): string | null }; text(): Promise<string> }, expected: Expected): Promise<unknown> {
  const text = await res.text()
  const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined
  expect({ status: res.status, reason: body?.reason }).toEqual({ status: expected.status, reason: expected.reason })
  if (expected.reason !== undefined) expect(res.headers.get('content-type')).toBe('application/problem+json')
  if (expected.wwwAuthenticate !== undefined) expect(res.headers.get('www-authenticate')).toBe(expected.wwwAuthenticate)
  return body
}

export type { IsolateStats }
