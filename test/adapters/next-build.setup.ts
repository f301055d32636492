/**
 * Vitest globalSetup: builds examples/next once per test run (skipped while the build is
 * newer than its sources), so test/adapters/next.test.ts can `next start` it. A run given
 * file filters that cannot select next.test.ts (`npx vitest run src/core`) skips the build.
 */
import { build } from '../../examples/next/start.js'

const NEXT_TEST = 'test/adapters/next.test.ts'

/** The positional arguments of `vitest [run] [filters...]`: file filters, matched as substrings. */
export function fileFilters(argv: readonly string[]): string[] {
  const args = argv.slice(2)
  const out: string[] = []
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (a.startsWith('-')) {
      // Flags with a separate value (`--project node`, `-t name`, `--config x`).
      if (!a.includes('=') && /^(-t|--testNamePattern|--project|--config|-c|--root|-r|--dir|--reporter|--outputFile|--shard)$/.test(a)) i++
      continue
    }
    if (a === 'run' || a === 'watch' || a === 'related') continue
    out.push(a)
  }
  return out
}

export default async function setup(): Promise<void> {
  const filters = fileFilters(process.argv)
  if (filters.length > 0 && !filters.some((f) => NEXT_TEST.includes(f) || f.includes(NEXT_TEST))) return
  await build()
}
