/**
 * @module
 * A real HTTP key server on 127.0.0.1 that tests steer: each path gets a behaviour (a JWKS,
 * a 500, a delay, garbage, a huge or slow-drip body, a hang, a dropped connection), and every
 * request the server receives is counted, per path.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** What the server does with one request. */
export type Behaviour = (req: IncomingMessage, res: ServerResponse) => void

export interface KeyServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  url(path: string): string
  /** Sets what `path` answers from now on. Unknown paths answer 404. */
  route(path: string, behaviour: Behaviour): void
  /** Requests received on `path`, or on every path. */
  count(path?: string): number
  close(): Promise<void>
}

export async function startKeyServer(): Promise<KeyServer> {
  const routes = new Map<string, Behaviour>()
  const counts = new Map<string, number>()
  let total = 0
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    total++
    counts.set(path, (counts.get(path) ?? 0) + 1)
    const behaviour = routes.get(path) ?? status(404)
    behaviour(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    origin,
    url: (path) => `${origin}${path}`,
    route: (path, behaviour) => void routes.set(path, behaviour),
    count: (path) => (path === undefined ? total : (counts.get(path) ?? 0)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A JSON body (a JWKS, a discovery document, anything), with extra headers. */
export function json(body: unknown, headers: Record<string, string> = {}): Behaviour {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', ...headers })
    res.end(typeof body === 'string' ? body : JSON.stringify(body))
  }
}

/** A status with a short body (500, 404, a redirect...). */
export function status(code: number, headers: Record<string, string> = {}): Behaviour {
  return (_req, res) => {
    res.writeHead(code, { 'content-type': 'text/plain', ...headers })
    res.end(`status ${code}`)
  }
}

/** Raw bytes with a 200. */
export function raw(body: string | Uint8Array, headers: Record<string, string> = {}): Behaviour {
  return (_req, res) => {
    res.writeHead(200, headers)
    res.end(body)
  }
}

/** Waits `ms` before behaving as `then`. */
export function delay(ms: number, then: Behaviour): Behaviour {
  return (req, res) => {
    const timer = setTimeout(() => then(req, res), ms)
    res.on('close', () => clearTimeout(timer))
  }
}

/** A body of `bytes` bytes, chunked (no Content-Length) unless `declare` is set. */
export function huge(bytes: number, declare = false): Behaviour {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', ...(declare ? { 'content-length': String(bytes) } : {}) })
    const chunk = Buffer.alloc(64 * 1024, 0x20)
    let sent = 0
    const pump = (): void => {
      while (sent < bytes && !res.destroyed) {
        const n = Math.min(chunk.length, bytes - sent)
        sent += n
        if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void res.once('drain', pump)
      }
      if (!res.destroyed) res.end()
    }
    pump()
  }
}

/** Headers at once, then the body one byte every `everyMs`: a slow drip. */
export function drip(body: string, everyMs: number): Behaviour {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    let i = 0
    const timer = setInterval(() => {
      if (i >= body.length) {
        clearInterval(timer)
        res.end()
        return
      }
      res.write(body[i++]!)
    }, everyMs)
    res.on('close', () => clearInterval(timer))
  }
}

/** Sends the status line and headers, then nothing: the body never comes. */
export function headersOnly(headers: Record<string, string>): Behaviour {
  return (_req, res) => {
    res.writeHead(200, headers)
    res.flushHeaders()
  }
}

/** Never answers. */
export const hang: Behaviour = () => {}

/** Drops the connection without a response: what a crashed server looks like. */
export const drop: Behaviour = (req) => {
  req.socket.destroy()
}
