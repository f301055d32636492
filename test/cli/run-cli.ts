/** Spawns the built `tokengate` bin (see build-cli.ts) and collects its output. */
import { spawn } from 'node:child_process'
import { inject } from 'vitest'
import { run } from '../../src/cli/run.js'

export interface CliResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export const CLI = inject('tokengateCli')

/** Runs `node <cli> ...args`; `stdin` is piped in when given, else stdin is empty (as in CI). */
export function tokengate(args: readonly string[], options: { stdin?: string; direct?: boolean; cwd?: string } = {}): Promise<CliResult> {
  const [command, argv] = options.direct ? [CLI, args] : [process.execPath, [CLI, ...args]]
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ['pipe', 'pipe', 'pipe'], ...(options.cwd ? { cwd: options.cwd } : {}) })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(options.stdin ?? '')
  })
}

/** Runs with `--json` and parses stdout. */
export async function tokengateJson(args: readonly string[], options: { stdin?: string } = {}): Promise<CliResult & { json: any }> {
  const result = await tokengate([...args, '--json'], options)
  let json: unknown
  try {
    json = JSON.parse(result.stdout)
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`)
  }
  return { ...result, json }
}

/**
 * Runs the CLI in this process with captured output: for argument-handling tables, where a
 * process per row would only add startup time. The spawned tests cover the process boundary.
 */
export async function tokengateInProcess(args: readonly string[], stdin = ''): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  const code = await run(args, {
    out: (t) => void (stdout += t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => void (stderr += t.endsWith('\n') ? t : `${t}\n`),
    readStdin: async () => stdin,
    stdinIsTTY: false,
    now: () => Date.now(),
  })
  return { code, stdout, stderr }
}
