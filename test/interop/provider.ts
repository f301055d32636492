/**
 * A real authorization server for interoperability tests: panva's oidc-provider (9.x) on
 * 127.0.0.1, issuing JWT access tokens (ES256, `typ: at+jwt`) for one resource, DPoP-bound
 * (`cnf.jkt`) when the token request carries a proof. client_credentials only.
 * Adapted from the research notes (/work/notes/oauth-peers/provider.mjs).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export const RESOURCE = 'https://api.example.test'
export const CLIENT = Object.freeze({ client_id: 'tokengate-test', client_secret: 'tokengate-test-secret-0123456789abcdef' })

export interface Provider {
  /** `http://127.0.0.1:<port>`: the `iss` of its tokens. */
  readonly issuer: string
  close(): Promise<void>
}

/** A Map-backed adapter (oidc-provider warns about its built-in one). */
function mapAdapter() {
  const store = new Map<string, { payload: Record<string, unknown>; exp: number | undefined }>()
  return class MapAdapter {
    constructor(private readonly model: string) {}
    private key(id: string) {
      return `${this.model}:${id}`
    }
    async upsert(id: string, payload: Record<string, unknown>, expiresIn?: number) {
      store.set(this.key(id), { payload, exp: expiresIn ? Date.now() + expiresIn * 1000 : undefined })
    }
    async find(id: string) {
      const entry = store.get(this.key(id))
      return entry && (entry.exp === undefined || entry.exp > Date.now()) ? entry.payload : undefined
    }
    async findByUserCode() {
      return undefined
    }
    async findByUid() {
      return undefined
    }
    async consume(id: string) {
      const entry = store.get(this.key(id))
      if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000)
    }
    async destroy(id: string) {
      store.delete(this.key(id))
    }
    async revokeByGrantId() {}
  }
}

export async function startProvider(): Promise<Provider> {
  // oidc-provider 9 prints one "Unsupported runtime" line on Node 20 (it supports 22+); it works.
  const warn = console.warn
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('oidc-provider WARNING: Unsupported runtime')) return
    warn(...args)
  }
  const { Provider, errors } = await import('oidc-provider').finally(() => (console.warn = warn))
  let handler: Parameters<typeof createServer>[1] = (_req, res) => res.writeHead(503).end()
  const server = createServer((req, res) => handler!(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' })
  const provider = new Provider(issuer, {
    adapter: mapAdapter(),
    jwks: { keys: [{ ...ec, kid: 'es256-1', alg: 'ES256', use: 'sig' }] as never },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    clients: [{ ...CLIENT, token_endpoint_auth_method: 'client_secret_basic', grant_types: ['client_credentials'], response_types: [], redirect_uris: [], scope: 'read write' }],
    scopes: ['read', 'write'],
    ttl: { ClientCredentials: 600 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => false },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => RESOURCE,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: unknown, indicator: string) => {
          if (indicator !== RESOURCE) throw new errors.InvalidTarget()
          return { scope: 'read write', audience: RESOURCE, accessTokenTTL: 600, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } }
        },
      },
    },
  } as never)
  handler = provider.callback() as typeof handler
  return {
    issuer,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
