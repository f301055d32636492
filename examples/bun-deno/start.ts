/**
 * Repo tooling, not part of the example: stages the built package (test/runtimes), copies
 * server.ts beside it importing `tokengate` and `tokengate/hono`, and runs it on the real
 * `bun` or `deno` binary (npm packages) on 127.0.0.1, for the demo and the tests.
 * Run: RUNTIME=deno PORT=3008 ISSUER=… AUDIENCE=… JWKS_URI=… npx tsx examples/bun-deno/start.ts
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { PROJECT, runtimeBinary, stagePackage, stageScript } from '../../test/runtimes/package.setup.js'

type Env = { ISSUER: string; AUDIENCE: string; JWKS_URI: string; REVOCATION_URL?: string }
/** What each runtime needs: Deno asks for network and environment access. */
const COMMAND = {
  bun: ['--no-install'],
  deno: ['run', '--no-lock', '--allow-net=127.0.0.1', '--allow-env=ISSUER,AUDIENCE,JWKS_URI,PORT,REVOCATION_URL'],
}

/** Starts the example on `runtime`, 127.0.0.1:`port` (0 = any free port); resolves once it listens. */
export async function start(runtime: 'bun' | 'deno', port: number, env: Env): Promise<{ url: string; close(): Promise<void> }> {
  await stagePackage()
  const script = stageScript('examples/bun-deno/server.ts', 'example.ts')
  const child = spawn(runtimeBinary(runtime), [...COMMAND[runtime], script], {
    cwd: PROJECT,
    env: { ...process.env, ...env, PORT: String(port), DENO_DIR: join(PROJECT, '.deno'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()))
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
  }
  child.stderr.on('data', (chunk) => (output += chunk))
  const url = await new Promise<string | undefined>((resolve) => {
    child.stdout.on('data', (chunk) => {
      output += chunk
      const found = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]
      if (found) resolve(found)
    })
    void exited.then(() => resolve(undefined))
    setTimeout(() => resolve(undefined), 30_000).unref()
  })
  if (url) return { url, close }
  await close()
  throw new Error(`${runtime} example did not start:\n${output}`)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const runtime = process.env.RUNTIME === 'deno' ? 'deno' : 'bun'
  const { url } = await start(runtime, Number(process.env.PORT ?? 3008), process.env as unknown as Env)
  console.log(`${runtime} example listening on ${url} (Ctrl-C stops it)`)
}
