/**
 * What a `vitest [run] [filters...]` invocation can select, for global setups that build
 * something only some test files need (the Next.js app, the packed tarball): a run given file
 * filters that cannot select those files skips the build.
 */

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

/** True unless this run's file filters rule out every one of `files` (no filters: everything runs). */
export function mayRun(files: readonly string[], argv: readonly string[] = process.argv): boolean {
  const filters = fileFilters(argv)
  return filters.length === 0 || filters.some((f) => files.some((file) => file.includes(f) || f.includes(file)))
}
