/**
 * @module
 * A real authorization server for the introspection tests: oidc-provider (a certified OpenID
 * provider) on 127.0.0.1 and an ephemeral port, with one confidential client
 * (client_secret_basic and client_secret_post), client_credentials, introspection and
 * revocation. Without a `resource` parameter it issues opaque access tokens (which it can
 * introspect); with `resource: RESOURCE`, ES256 JWT access tokens (which it cannot).
 * Research, timings and gotchas: /work/notes/oauth-peers.md.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export const RESOURCE = 'https://api.example.test'
export const CLIENT = Object.freeze({ id: 'tokengate-test', secret: 'tokengate-test-secret-0123456789abcdef' })

/**
 * oidc-provider 9 warns once at import on Node 20 ("Unsupported runtime"): it runs fine on
 * Node >= 20.18 (see the research notes). Only that line is dropped, while the import runs.
 */
async function importProvider(): Promise<typeof import('oidc-provider')> {
  const warn = console.warn
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('oidc-provider WARNING: Unsupported runtime')) return
    warn(...args)
  }
  try {
    return await import('oidc-provider')
  } finally {
    console.warn = warn
  }
}

/** A Map-backed adapter: passing our own silences the "in-memory adapter" warning. */
function mapAdapter() {
  const store = new Map<string, { payload: Record<string, unknown>; exp: number | undefined }>()
  const grants = new Map<string, Set<string>>()
  return class MapAdapter {
    constructor(readonly model: string) {}
    key(id: string): string {
      return `${this.model}:${id}`
    }
    async upsert(id: string, payload: Record<string, unknown>, expiresIn?: number): Promise<void> {
      const k = this.key(id)
      store.set(k, { payload, exp: expiresIn ? Date.now() + expiresIn * 1000 : undefined })
      const grantId = payload.grantId as string | undefined
      if (grantId) {
        if (!grants.has(grantId)) grants.set(grantId, new Set())
        grants.get(grantId)!.add(k)
      }
    }
    async find(id: string): Promise<Record<string, unknown> | undefined> {
      const e = store.get(this.key(id))
      if (!e) return undefined
      if (e.exp !== undefined && e.exp < Date.now()) {
        store.delete(this.key(id))
        return undefined
      }
      return e.payload
    }
    async findByUserCode(): Promise<undefined> {
      return undefined
    }
    async findByUid(uid: string): Promise<Record<string, unknown> | undefined> {
      for (const [k, e] of store) if (k.startsWith(`${this.model}:`) && e.payload.uid === uid) return e.payload
      return undefined
    }
    async consume(id: string): Promise<void> {
      const e = store.get(this.key(id))
      if (e) e.payload.consumed = Math.floor(Date.now() / 1000)
    }
    async destroy(id: string): Promise<void> {
      store.delete(this.key(id))
    }
    async revokeByGrantId(grantId: string): Promise<void> {
      for (const k of grants.get(grantId) ?? []) store.delete(k)
      grants.delete(grantId)
    }
  }
}

export interface AuthorizationServer {
  /** `http://127.0.0.1:<port>` (also the issuer). */
  readonly issuer: string
  readonly introspectionEndpoint: string
  /** A client_credentials access token: opaque, or a JWT with `resource`. */
  token(scope: string, options?: { resource?: string }): Promise<{ access_token: string; expires_in: number; scope?: string }>
  /** RFC 7009 revocation of a token at the server. */
  revoke(token: string): Promise<void>
  /** Introspection requests the server has received. */
  readonly introspections: () => number
  close(): Promise<void>
}

/** Starts the server (≈0.5 s for the first import, ≈30 ms after). */
export async function startAuthorizationServer(options: { accessTokenTtl?: number } = {}): Promise<AuthorizationServer> {
  const { Provider, errors } = await importProvider()
  let handler = (_req: IncomingMessage, res: ServerResponse): void => void res.writeHead(503).end()
  let introspections = 0
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/token/introspection')) introspections++
    handler(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const ttl = options.accessTokenTtl ?? 600
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' })
  const provider = new Provider(issuer, {
    adapter: mapAdapter(),
    jwks: { keys: [{ ...ec, kid: 'es256-1', alg: 'ES256', use: 'sig' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    clients: [
      { client_id: CLIENT.id, client_secret: CLIENT.secret, token_endpoint_auth_method: 'client_secret_basic', grant_types: ['client_credentials'], response_types: [], redirect_uris: [], scope: 'read write' },
      { client_id: `${CLIENT.id}-post`, client_secret: CLIENT.secret, token_endpoint_auth_method: 'client_secret_post', grant_types: ['client_credentials'], response_types: [], redirect_uris: [], scope: 'read write' },
    ],
    scopes: ['read', 'write'],
    ttl: { ClientCredentials: ttl },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: async () => true },
      revocation: { enabled: true, allowedPolicy: async () => true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => undefined,
        useGrantedResource: async () => false,
        getResourceServerInfo: async (_ctx: unknown, resource: string) => {
          if (resource === RESOURCE) return { scope: 'read write', audience: RESOURCE, accessTokenTTL: ttl, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } }
          throw new errors.InvalidTarget()
        },
      },
    },
  })
  provider.proxy = false
  provider.on('server_error', (_ctx, err) => console.error('[oidc-provider] server_error', err))
  handler = provider.callback()

  const basic = `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}`
  const post = async (path: string, form: Record<string, string>): Promise<Response> => {
    const res = await fetch(`${issuer}${path}`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) })
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`)
    return res
  }
  return {
    issuer,
    introspectionEndpoint: `${issuer}/token/introspection`,
    token: async (scope, o = {}) => (await (await post('/token', { grant_type: 'client_credentials', scope, ...(o.resource ? { resource: o.resource } : {}) })).json()) as never,
    revoke: async (token) => void (await (await post('/token/revocation', { token, token_type_hint: 'access_token' })).text()),
    introspections: () => introspections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
