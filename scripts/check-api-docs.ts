/**
 * Run by `npm run docs` after TypeDoc: every exported function and class of every entry
 * point has an `@example`. (TypeDoc's own validation already fails on undocumented exports.)
 */
import { readFileSync } from 'node:fs'

interface Reflection {
  name: string
  kind: number
  comment?: { blockTags?: { tag: string }[] }
  signatures?: Reflection[]
  children?: Reflection[]
}

const FUNCTION = 64
const CLASS = 128
const project = JSON.parse(readFileSync(new URL('../.tmp/api.json', import.meta.url), 'utf8')) as Reflection
const hasExample = (r: Reflection) =>
  [r.comment, ...(r.signatures ?? []).map((s) => s.comment)].some((c) => c?.blockTags?.some((t) => t.tag === '@example'))

const missing: string[] = []
let checked = 0
for (const entry of project.children ?? []) {
  for (const item of entry.children ?? []) {
    if (item.kind !== FUNCTION && item.kind !== CLASS) continue
    checked++
    if (!hasExample(item)) missing.push(`${entry.name}: ${item.name}`)
  }
}
console.log(`api docs: ${checked} exported functions and classes, ${missing.length} without an @example`)
if (missing.length > 0) {
  console.error(missing.join('\n'))
  process.exit(1)
}
