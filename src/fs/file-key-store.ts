/**
 * @module
 * `fileKeyStore`: one JSON file per key source in a directory, written atomically (a temp
 * file renamed over the old one), so a reader never sees half a file.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ConfigError } from '../errors/config-error.js'
import type { KeyStore } from '../keys/key-store.js'

/** Options of `fileKeyStore`. */
export interface FileKeyStoreOptions {
  /** Clock in milliseconds, for expiry. Default `Date.now`. */
  readonly now?: () => number
}

interface FileEntry {
  readonly key: string
  readonly until: number
  readonly value: string
}

/**
 * A `KeyStore` in `directory` (created when first written): each key source's set in its own
 * file, named by the SHA-256 of its key, expiring with the set's stale bound. Read-only or
 * missing directories only mean nothing is stored (`jwks_store_error` events say so).
 *
 * Import from `tokengate/fs`.
 *
 * @example
 * createVerifier({ issuer, audience, jwksUri, keyStore: fileKeyStore('/var/cache/tokengate') })
 */
export function fileKeyStore(directory: string, options: FileKeyStoreOptions = {}): KeyStore {
  if (typeof directory !== 'string' || directory === '') throw new ConfigError('fileKeyStore', 'directory', 'expected a directory path')
  const now = options.now ?? Date.now
  const fileOf = (key: string): string => join(directory, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`)
  return {
    async get(key) {
      let text: string
      try {
        text = await readFile(fileOf(key), 'utf8')
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
        throw err
      }
      const entry = JSON.parse(text) as Partial<FileEntry>
      // A file of another key (a hash collision in the first 128 bits) or an expired one is no entry.
      return entry.key === key && typeof entry.value === 'string' && typeof entry.until === 'number' && now() < entry.until ? entry.value : undefined
    },
    async set(key, value, ttlSeconds) {
      await mkdir(directory, { recursive: true })
      const file = fileOf(key)
      const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`
      const entry: FileEntry = { key, until: now() + ttlSeconds * 1000, value }
      await writeFile(temp, JSON.stringify(entry))
      try {
        await rename(temp, file)
      } catch (err) {
        await unlink(temp).catch(() => {})
        throw err
      }
    },
  }
}
