// oidc-provider ships no types; the tests use a small part of it (test/introspection/authorization-server.ts, test/interop/).
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http'
  export class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>)
    proxy: boolean
    callback(): (req: IncomingMessage, res: ServerResponse) => void
    on(event: string, listener: (...args: unknown[]) => void): this
  }
  export const errors: { InvalidTarget: new () => Error }
}
