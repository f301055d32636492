/**
 * @module
 * The parts of a Fastify request DPoP and mutual TLS are checked against: the `DPoP` header,
 * the method, the external URL as Fastify's `trustProxy` sees it, the TLS peer certificate.
 */
import type { FastifyRequest } from 'fastify'
import type { BindingSettings, RequestBinding } from '../runtime.js'
import { externalUrl, socketCertificate } from '../runtime.js'

/**
 * The URL the client addressed: `request.protocol` and `request.host` (Fastify 5: the Host,
 * or X-Forwarded-Proto / X-Forwarded-Host under `trustProxy`; with the port) and `request.url`.
 * What DPoP proofs' `htu` is compared with unless the `url` option says otherwise.
 *
 * Import from `tokengate/fastify`.
 *
 * @example
 * const app = Fastify({ trustProxy: '127.0.0.1' })
 * app.get('/whoami', async (request) => ({ url: fastifyUrl(request) }))
 */
export function fastifyUrl(request: FastifyRequest): string {
  return externalUrl(request.protocol, request.host, request.url)
}

/** Reads one request's binding parts, with the plugin's `url` / `certificate` overrides. */
export function fastifyBinding(settings: BindingSettings<FastifyRequest>): (request: FastifyRequest) => RequestBinding {
  const { url, certificate } = settings
  return (request) => ({
    // headersDistinct keeps repeated DPoP fields apart, so two proofs fail as two.
    proof: request.raw.headersDistinct?.dpop ?? request.headers.dpop,
    method: request.method,
    url: url === undefined ? () => fastifyUrl(request) : () => url(request),
    certificate: certificate === undefined ? () => socketCertificate(request.raw.socket) : () => certificate(request),
  })
}
