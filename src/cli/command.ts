/**
 * @module
 * Commands as data: one spec drives `node:util` `parseArgs` and the `--help` text, so the
 * two cannot drift apart.
 */
import { parseArgs } from 'node:util'
import { EXIT_CODES_HELP, UsageError, type ExitCode } from './exit-codes.js'
import type { Io } from './io.js'

export interface OptionSpec {
  readonly type: 'string' | 'boolean'
  readonly short?: string
  readonly multiple?: boolean
  /** Placeholder shown in help, e.g. `<url>`. */
  readonly value?: string
  readonly description: string
}

export interface ParsedArgs {
  readonly values: Record<string, string | boolean | string[] | undefined>
  readonly positionals: string[]
  readonly json: boolean
}

export interface Command {
  readonly name: string
  readonly summary: string
  readonly usage: string
  /** Extra help paragraphs after the usage line. */
  readonly details?: string
  readonly options: Readonly<Record<string, OptionSpec>>
  readonly maxPositionals: number
  readonly examples: readonly string[]
  run(args: ParsedArgs, io: Io): Promise<ExitCode>
}

export const COMMON_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  json: { type: 'boolean', description: 'machine-readable output: one JSON document on stdout' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
}

export function parse(command: Command, argv: readonly string[]): ParsedArgs {
  const specs = { ...command.options, ...COMMON_OPTIONS }
  const options = Object.fromEntries(
    Object.entries(specs).map(([name, s]) => [name, { type: s.type, ...(s.short ? { short: s.short } : {}), ...(s.multiple ? { multiple: true } : {}) }]),
  )
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true })
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  if (parsed.positionals.length > command.maxPositionals) {
    throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[command.maxPositionals])}`)
  }
  return { values: parsed.values as ParsedArgs['values'], positionals: parsed.positionals, json: parsed.values.json === true }
}

export function helpText(command: Command): string {
  const specs = { ...command.options, ...COMMON_OPTIONS }
  const rows = Object.entries(specs).map(([name, s]) => {
    const flag = `${s.short ? `-${s.short}, ` : '    '}--${name}${s.value ? ` ${s.value}` : ''}`
    return [flag, `${s.description}${s.multiple ? ' (repeatable)' : ''}`] as const
  })
  const width = Math.max(...rows.map(([flag]) => flag.length))
  return [
    `tokengate ${command.name} — ${command.summary}`,
    '',
    `Usage: ${command.usage}`,
    ...(command.details ? ['', command.details] : []),
    '',
    'Options:',
    ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`),
    '',
    EXIT_CODES_HELP,
    '',
    'Examples:',
    ...command.examples.map((e) => `  ${e}`),
    '',
  ].join('\n')
}

/** A string flag's value, or undefined. */
export function str(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name]
  return typeof v === 'string' ? v : undefined
}

/** A repeatable string flag's values (never undefined). */
export function list(args: ParsedArgs, name: string): string[] {
  const v = args.values[name]
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : []
}
