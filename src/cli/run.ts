/**
 * @module
 * The `tokengate` command line: dispatch to a command, turn failures into exit codes.
 */
import { helpText, parse, type Command } from './command.js'
import { EXIT, EXIT_CODES_HELP, UsageError } from './exit-codes.js'
import { devCommand } from './dev.js'
import { fixturesCommand } from './fixtures.js'
import { inspectCommand } from './inspect.js'
import { jwksCommand } from './jwks.js'
import type { Io } from './io.js'
import { mintCommand } from './mint.js'
import { verifyCommand } from './verify.js'
import { apikeyCommand } from './apikey.js'

declare const __TOKENGATE_VERSION__: string | undefined

export const COMMANDS: readonly Command[] = [mintCommand, inspectCommand, verifyCommand, fixturesCommand, apikeyCommand, jwksCommand, devCommand]

export const VERSION = typeof __TOKENGATE_VERSION__ === 'string' ? __TOKENGATE_VERSION__ : '0.0.0-dev'

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length))
  return [
    'tokengate — mint, inspect and verify bearer tokens; write test fixtures; manage API keys; run a local dev issuer',
    '',
    'Usage: tokengate <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Every command takes --help and --json.',
    '',
    EXIT_CODES_HELP,
    '',
    'Run `tokengate <command> --help` for its options.',
    '',
  ].join('\n')
}

/** Runs the CLI with `argv` (without `node` and the script) and returns the exit code. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv
  if (name === '--help' || name === '-h' || name === 'help') {
    const command = COMMANDS.find((c) => c.name === rest[0])
    io.out(command ? helpText(command) : mainHelp())
    return EXIT.ok
  }
  if (name === '--version' || name === '-v') {
    io.out(VERSION)
    return EXIT.ok
  }
  const command = COMMANDS.find((c) => c.name === name)
  const json = rest.includes('--json')
  try {
    if (name === undefined) throw new UsageError('no command given')
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}; commands: ${COMMANDS.map((c) => c.name).join(', ')}`)
    const args = parse(command, rest)
    if (args.values.help === true) {
      io.out(helpText(command))
      return EXIT.ok
    }
    return await command.run(args, io)
  } catch (err) {
    if (err instanceof UsageError) {
      if (json) io.out(JSON.stringify({ error: { type: 'usage', message: err.message } }, null, 2))
      io.err(`tokengate${command ? ` ${command.name}` : ''}: ${err.message}\nRun \`tokengate ${command ? `${command.name} ` : ''}--help\` for usage.`)
      return EXIT.usage
    }
    if (json) io.out(JSON.stringify({ error: { type: 'internal', message: String((err as Error)?.message ?? err) } }, null, 2))
    io.err(`tokengate: internal error (please report it): ${(err as Error)?.stack ?? String(err)}`)
    return EXIT.internal
  }
}
