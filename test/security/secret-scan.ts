/**
 * @module
 * A scanner for secrets in what users see or log: register secret material (tokens, HMAC
 * secrets, private keys), feed it every text a failure exposes, and list the hits. Any 8
 * consecutive characters of a secret in base64 or base64url (48 bits), or 12 in hex, count as
 * a leak: a whole secret, and also the ~10-character excerpts error messages like to quote.
 */
import { inspect } from 'node:util'
import type { JWK } from 'jose'
import { BearerError } from '../../src/index.js'
import { IssuerError } from '../../src/issuer/index.js'

/** Characters of a secret that make a hit: 48 bits in base64(url) and in hex. */
const GRAM = 8
const HEX_GRAM = 12
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'] as const

/** Every `n`-character substring of `value` (the whole value when shorter). */
function grams(value: string, n: number): string[] {
  if (value.length <= n) return [value]
  return Array.from({ length: value.length - n + 1 }, (_, i) => value.slice(i, i + n))
}

export class SecretScanner {
  /** Secret substrings by length, each with the label of its secret. */
  readonly #needles = new Map<number, Map<string, string>>()
  readonly #texts: { where: string; text: string }[] = []
  #scanned = 0

  #add(label: string, value: string, n: number): void {
    for (const g of grams(value, n)) {
      let byLength = this.#needles.get(g.length)
      if (!byLength) this.#needles.set(g.length, (byLength = new Map()))
      if (!byLength.has(g)) byLength.set(g, label)
    }
  }

  /** Registers a secret string (text, base64 or base64url). */
  secret(label: string, value: string): void {
    this.#add(label, value, GRAM)
  }

  /** Registers secret bytes in every usual encoding (and as UTF-8 text when they are text). */
  bytes(label: string, value: Uint8Array, text?: string): void {
    const b = Buffer.from(value)
    if (text !== undefined) this.secret(label, text)
    this.secret(label, b.toString('base64url'))
    this.secret(label, b.toString('base64'))
    this.#add(label, b.toString('hex'), HEX_GRAM)
  }

  /** Registers a token: its payload and signature segments. */
  token(label: string, token: string): void {
    const [, payload, signature] = token.split('.')
    if (payload) this.secret(`${label} payload`, payload)
    if (signature) this.secret(`${label} signature`, signature)
  }

  /** Registers the private members of a JWK (base64url, and their bytes in other encodings). */
  privateJwk(label: string, jwk: JWK): void {
    for (const m of PRIVATE_MEMBERS) {
      const v = jwk[m]
      if (typeof v === 'string') this.bytes(`${label}.${m}`, Buffer.from(v, 'base64url'))
    }
  }

  /** Registers a PEM's base64 body, line by line and whole. */
  pem(label: string, pem: string): void {
    const lines = pem.split('\n').filter((l) => l !== '' && !l.startsWith('-----'))
    this.secret(label, lines.join(''))
    for (const line of lines) this.secret(label, line)
  }

  /** Records text a user could see or log. */
  see(where: string, text: string | undefined): void {
    if (text !== undefined) this.#texts.push({ where, text })
  }

  /** Records an event payload, as JSON and as `util.inspect` prints it. */
  event(where: string, event: unknown): void {
    this.see(where, JSON.stringify(event))
    this.see(where, inspect(event, { depth: 10 }))
  }

  /**
   * Records everything an error exposes: `util.inspect` (what `console.error(err)` logs, with
   * the whole cause chain), JSON, `String()`, and for each error of the chain its message,
   * stack, `WWW-Authenticate`, problem or OAuth body and `Response` body.
   */
  async error(where: string, err: unknown): Promise<void> {
    this.see(where, inspect(err, { depth: 10, showHidden: true }))
    this.see(where, safeJson(err))
    let e: unknown = err
    for (let depth = 0; typeof e === 'object' && e !== null && depth < 10; depth++) {
      const o = e as Record<string, unknown>
      this.see(`${where} (cause ${depth})`, String(e))
      for (const k of ['message', 'stack', 'wwwAuthenticate']) if (typeof o[k] === 'string') this.see(`${where} (cause ${depth}).${k}`, o[k] as string)
      if (BearerError.is(e)) {
        this.see(`${where} problem`, JSON.stringify(e.toProblem()))
        this.see(`${where} headers`, JSON.stringify(e.headers))
        this.see(`${where} response`, await e.toResponse().text())
      }
      if (IssuerError.is(e)) {
        this.see(`${where} body`, JSON.stringify(e.toJSON()))
        this.see(`${where} response`, await e.toResponse().text())
      }
      e = o.cause
    }
  }

  /** `secret label in where: ...context` for every hit in the texts recorded since the last call. */
  hits(): string[] {
    const found: string[] = []
    for (const { where, text } of this.#texts.splice(0)) {
      this.#scanned++
      for (const [n, needles] of this.#needles) {
        for (let at = 0; at + n <= text.length; at++) {
          const label = needles.get(text.slice(at, at + n))
          if (label === undefined) continue
          found.push(`${label} in ${where}: …${text.slice(Math.max(0, at - 20), at + n + 20)}…`)
          break // one hit per secret length and text is enough to fail
        }
      }
    }
    return found
  }

  /** Texts scanned so far (so a test can show it looked at something). */
  get scanned(): number {
    return this.#scanned
  }
}

function safeJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value)
  } catch {
    return undefined
  }
}
