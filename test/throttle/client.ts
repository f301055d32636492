/**
 * A client for throttle tests: real requests from a chosen local address of 127/8 (Linux
 * routes all of it to loopback), so a server on 127.0.0.1 sees distinct clients by socket.
 */
import { request as httpRequest } from 'node:http'

export interface Answer {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: string
}

/** A GET from `localAddress` (a real socket address of 127/8), with optional headers. */
export function send(url: string, localAddress: string, headers: Record<string, string> = {}): Promise<Answer> {
  const { hostname, port, pathname } = new URL(url)
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path: pathname, localAddress, headers: { connection: 'close', ...headers } }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

