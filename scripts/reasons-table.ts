/**
 * Prints the README's reasons table from src/errors/reasons.ts (the one source of truth).
 * `test/docs/readme.test.ts` fails when the README's copy differs.
 */
import { readFileSync } from 'node:fs'
import { REASONS } from '../src/errors/reasons.js'

/** The doc comment above each reason in reasons.ts, as one line. */
function docComments(): Record<string, string> {
  const source = readFileSync(new URL('../src/errors/reasons.ts', import.meta.url), 'utf8')
  const out: Record<string, string> = {}
  for (const m of source.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*\n\s*(\w+):\s*r\(/g)) {
    out[m[2]!] = m[1]!.replace(/\s*\n\s*\*\s*/g, ' ').trim().replace(/\|/g, '\\|')
  }
  return out
}

export function reasonsTable(): string {
  const docs = docComments()
  const rows = Object.entries(REASONS).map(
    ([reason, e]) => `| \`${reason}\` | ${e.status} | ${e.code ? `\`${e.code}\`` : '—'} | ${docs[reason] ?? ''} |`,
  )
  return ['| reason | status | `error=` | when |', '| --- | --- | --- | --- |', ...rows].join('\n')
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(reasonsTable())
