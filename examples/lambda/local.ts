/**
 * Repo tooling, not part of the example: serves examples/lambda's handler on 127.0.0.1 the
 * way an HTTP API (payload 2.0) invokes it, so the demo and the tests can send it real
 * requests. Run: PORT=3007 ISSUER=… AUDIENCE=… JWKS_URI=… npx tsx examples/lambda/local.ts
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { pathToFileURL } from 'node:url'
import type { VerifierOptions } from '../../src/index.js'
import { createHandlers } from './handler.js'

/** Starts the local gateway on 127.0.0.1:`port` (0 = any free port). */
export async function start(port: number, options: VerifierOptions): Promise<{ url: string; close(): Promise<void> }> {
  const { handler } = createHandlers(options)
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]))
    const method = req.method ?? 'GET'
    const event = {
      version: '2.0', routeKey: '$default', rawPath: url.pathname, rawQueryString: url.search.slice(1), headers, isBase64Encoded: false,
      requestContext: { http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '', userAgent: req.headers['user-agent'] ?? '' } },
    } as APIGatewayProxyEventV2
    const result = (await handler(event, {})) as APIGatewayProxyStructuredResultV2
    res.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>).end(result.body)
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const env = process.env
  const { url } = await start(Number(env.PORT ?? 3007), { issuer: env.ISSUER!, audience: env.AUDIENCE!, jwksUri: env.JWKS_URI! })
  console.log(`lambda example (local HTTP API) listening on ${url}`)
}
