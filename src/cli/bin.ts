/**
 * @module
 * The `tokengate` executable (package `bin`). Built to dist/bin/tokengate.js with a shebang.
 */
import { nodeIo } from './io.js'
import { run } from './run.js'

run(process.argv.slice(2), nodeIo()).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    process.stderr.write(`tokengate: internal error: ${String((err as Error)?.stack ?? err)}\n`)
    process.exitCode = 70
  },
)
