/**
 * @module
 * The parts of an Express request DPoP and mutual TLS are checked against: the `DPoP` header,
 * the method, the external URL as Express's `trust proxy` setting sees it, the TLS peer
 * certificate.
 */
import type { Request } from 'express'
import type { BindingSettings, RequestBinding } from '../runtime.js'
import { externalUrl, socketCertificate } from '../runtime.js'

type TrustFn = (address: string | undefined, hop: number) => boolean

/**
 * The URL the client addressed: `req.protocol` (X-Forwarded-Proto under `trust proxy`), the host
 * as Express 5's `req.host` reads it (X-Forwarded-Host under `trust proxy`, else Host; with the
 * port — Express 4's `req.host` drops it, so it is read the same way here for both), and
 * `req.originalUrl` (the path before any router mount stripped it). What DPoP proofs' `htu`
 * is compared with unless the `url` option says otherwise.
 *
 * Import from `tokengate/express`.
 *
 * @example
 * app.set('trust proxy', 'loopback') // X-Forwarded-* from the local proxy only
 * app.get('/whoami', (req, res) => res.json({ url: expressUrl(req) }))
 */
export function expressUrl(req: Request): string {
  const trust = req.app?.get?.('trust proxy fn') as TrustFn | undefined
  let host = req.get('x-forwarded-host')
  if (!host || trust === undefined || !trust(req.socket?.remoteAddress, 0)) host = req.get('host')
  else if (host.includes(',')) host = host.slice(0, host.indexOf(',')).trimEnd()
  return externalUrl(req.protocol, host, req.originalUrl ?? req.url)
}

/** Reads one request's binding parts, with the adapter's `url` / `certificate` overrides. */
export function expressBinding(settings: BindingSettings<Request>): (req: Request) => RequestBinding {
  const { url, certificate } = settings
  return (req) => ({
    // headersDistinct keeps repeated DPoP fields apart, so two proofs fail as two.
    proof: req.headersDistinct?.dpop ?? req.headers.dpop,
    method: req.method,
    url: url === undefined ? () => expressUrl(req) : () => url(req),
    certificate: certificate === undefined ? () => socketCertificate(req.socket) : () => certificate(req),
  })
}
