/**
 * Every ```ts block of README.md and docs/*.md compiles on its own, unmodified, under
 * `strict`, with `moduleResolution` node16 and with bundler, against the packed tarball (as a
 * consumer installs it; pack.setup.ts packs it once per run). A block that cannot stand alone
 * starts with `// not-standalone`; such blocks stay rare.
 *
 * Each block is one file of a consumer project under .tmp/snippets (`"type": "module"`, so
 * top-level await works; `moduleDetection: force`, so blocks never share a scope). The
 * consumer has what a reader's project has: Node's types, the frameworks and zod (resolved
 * from the repository's node_modules).
 */
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { installPacked, ROOT } from '../package/consumer.js'
import { DOCS, fencedBlocks } from './markdown.js'

interface Snippet {
  readonly doc: string
  /** Line of the opening fence, 1-based. */
  readonly line: number
  readonly code: string
  readonly standalone: boolean
  /** The file it is compiled as. */
  readonly file: string
}

const NOT_STANDALONE = '// not-standalone'

const snippets: Snippet[] = DOCS.flatMap((doc) =>
  fencedBlocks(readFileSync(join(ROOT, doc), 'utf8'), 'ts').map(({ line, code }) => ({
    doc,
    line,
    code,
    standalone: !code.startsWith(NOT_STANDALONE),
    file: `${doc.replace(/[/.]/g, '_')}-L${line}.ts`,
  })),
)
const standalone = snippets.filter((s) => s.standalone)

const RESOLUTIONS = { node16: { module: 'node16', moduleResolution: 'node16' }, bundler: { module: 'esnext', moduleResolution: 'bundler' } } as const
type Resolution = keyof typeof RESOLUTIONS
/** tsc's diagnostics per file, per resolution. */
const diagnostics: Record<Resolution, Map<string, string[]>> = { node16: new Map(), bundler: new Map() }

function compile(dir: string, resolution: Resolution): void {
  const tsconfig = {
    compilerOptions: {
      strict: true,
      noEmit: true,
      target: 'ES2022',
      lib: ['ES2023', 'DOM', 'DOM.Iterable'],
      types: ['node'],
      esModuleInterop: true,
      skipLibCheck: true,
      moduleDetection: 'force',
      ...RESOLUTIONS[resolution],
    },
    files: standalone.map((s) => s.file),
  }
  writeFileSync(join(dir, `tsconfig.${resolution}.json`), JSON.stringify(tsconfig, null, 2))
  let output = ''
  try {
    execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', `tsconfig.${resolution}.json`, '--pretty', 'false'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (err) {
    output = String((err as { stdout?: string }).stdout ?? '') + String((err as { stderr?: string }).stderr ?? '')
  }
  let current: string[] | undefined
  for (const line of output.split('\n')) {
    const m = /^(\S+\.ts)\((\d+),\d+\): (error .*)$/.exec(line)
    if (m) {
      current = diagnostics[resolution].get(m[1]!) ?? []
      diagnostics[resolution].set(m[1]!, current)
      current.push(`line ${m[2]}: ${m[3]}`)
    } else if (line.startsWith(' ') && current) current.push(line)
    else if (line.trim() !== '') diagnostics[resolution].set('(tsc)', [...(diagnostics[resolution].get('(tsc)') ?? []), line])
  }
}

beforeAll(() => {
  const dir = installPacked('snippets')
  for (const s of standalone) writeFileSync(join(dir, s.file), s.code)
  compile(dir, 'node16')
  compile(dir, 'bundler')
}, 180_000)

describe('the TypeScript blocks of README.md and docs/', () => {
  it('are found (the extraction works)', () => {
    expect(snippets.length).toBeGreaterThan(20)
    expect(snippets.filter((s) => s.doc === 'README.md').length).toBeGreaterThan(8)
  })

  it('tsc itself has nothing to say beyond the blocks', () => {
    expect(diagnostics.node16.get('(tsc)') ?? []).toEqual([])
    expect(diagnostics.bundler.get('(tsc)') ?? []).toEqual([])
  })

  it.each(standalone.map((s) => [`${s.doc}:${s.line}`, s] as const))('%s compiles on its own under strict, node16 and bundler', (_name, s) => {
    expect({ node16: diagnostics.node16.get(s.file) ?? [], bundler: diagnostics.bundler.get(s.file) ?? [] }).toEqual({ node16: [], bundler: [] })
  })

  it('blocks marked // not-standalone stay rare (well under a quarter)', () => {
    const marked = snippets.filter((s) => !s.standalone)
    expect(marked.length / snippets.length, marked.map((s) => `${s.doc}:${s.line}`).join(', ')).toBeLessThan(0.15)
  })
})
