/**
 * @module
 * What commands read and write, behind one small interface: stdout, stderr, stdin, the
 * clock. Input helpers: the token argument, JSON flags (inline, `@file` or `-`), `--now`.
 */
import { readFile } from 'node:fs/promises'
import { UsageError } from './exit-codes.js'

export interface Io {
  out(text: string): void
  err(text: string): void
  readStdin(): Promise<string>
  readonly stdinIsTTY: boolean
  now(): number
}

export function nodeIo(): Io {
  return {
    out: (text) => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    readStdin: async () => {
      const chunks: Buffer[] = []
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
      return Buffer.concat(chunks).toString('utf8')
    },
    stdinIsTTY: process.stdin.isTTY === true,
    now: () => Date.now(),
  }
}

/** The token from the positional argument, or stdin when it is `-` or absent. `Bearer ` is stripped. */
export async function readToken(positional: string | undefined, io: Io): Promise<string> {
  let text = positional
  if (text === undefined || text === '-') {
    if (io.stdinIsTTY) throw new UsageError('no token given: pass it as an argument or pipe it on stdin')
    text = await io.readStdin()
  }
  const token = text.trim().replace(/^bearer\s+/i, '')
  if (token === '') throw new UsageError('no token given: pass it as an argument or pipe it on stdin')
  return token
}

/** Reads a file for a flag, turning failures into usage errors that name the flag. */
export async function readFlagFile(path: string, flag: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    throw new UsageError(`--${flag}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
}

/**
 * Where a `JSON.parse` failure is, and nothing else. Its message quotes the text around the
 * error (V8: `Unexpected token 'x', ..."d":"AbC1..." is not valid JSON`), which in a key file
 * or a JWK Set may be private key material: never print it.
 */
export function jsonErrorPosition(err: unknown): string {
  const at = /position (\d+)/.exec(String((err as Error)?.message))?.[1]
  return at === undefined ? '' : ` at character ${at}`
}

/** A JSON object from a flag: inline JSON, or `@path` to read it from a file. */
export async function readJsonObject(value: string, flag: string): Promise<Record<string, unknown>> {
  const text = value.startsWith('@') ? await readFlagFile(value.slice(1), flag) : value
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw new UsageError(`--${flag}: not valid JSON${jsonErrorPosition(err)}`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`--${flag}: expected a JSON object`)
  return parsed as Record<string, unknown>
}

/** `--now`: Unix seconds or an ISO 8601 date-time, as milliseconds. */
export function parseNow(value: string | undefined, io: Io): () => number {
  if (value === undefined) return () => io.now()
  const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value)
  if (!Number.isFinite(ms)) throw new UsageError(`--now: expected Unix seconds or an ISO 8601 date, got ${JSON.stringify(value)}`)
  return () => ms
}

/** Writes one JSON document to stdout. */
export function emitJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2))
}
