/** The fenced code blocks of the Markdown docs, for the tests that compile or run them. */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../package/consumer.js'

/**
 * The fenced blocks of `lang` in a Markdown text, with the line of each opening fence
 * (1-based). Blocks indented under a list item count too, with that indentation removed.
 */
export function fencedBlocks(markdown: string, lang: string): { line: number; code: string }[] {
  const blocks: { line: number; code: string }[] = []
  const lines = markdown.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const indent = /^( *)```(\S*)$/.exec(lines[i]!)
    if (!indent || indent[2] !== lang) continue
    const pad = indent[1]!
    const start = i
    const body: string[] = []
    while (++i < lines.length && lines[i] !== `${pad}\`\`\``) body.push(lines[i]!.startsWith(pad) ? lines[i]!.slice(pad.length) : lines[i]!)
    blocks.push({ line: start + 1, code: `${body.join('\n')}\n` })
  }
  return blocks
}

/** README.md and every docs/*.md, repository-relative. */
export const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)]
