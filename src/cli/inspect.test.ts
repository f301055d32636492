/** `tokengate inspect` in-process: a hostile token is a clean "cannot decode", never an internal error. */
import { describe, expect, it } from 'vitest'
import { encodeBase64url } from '../lib/base64url.js'
import { run } from './run.js'

describe('tokengate inspect', () => {
  it('refuses a header or payload nesting deeper than 32 levels (exit 1), instead of exhausting the stack', async () => {
    const deep = encodeBase64url(new TextEncoder().encode(`{"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`))
    for (const token of [`${deep}.e30.`, `eyJhbGciOiJIUzI1NiJ9.${deep}.`]) {
      let err = ''
      const code = await run(['inspect', token], { out: () => {}, err: (t) => void (err += t), readStdin: async () => '', stdinIsTTY: false, now: () => 0 })
      expect(code).toBe(1)
      expect(err).toMatch(/^cannot decode: the (header|payload) nests deeper than 32 levels/)
    }
  })
})
