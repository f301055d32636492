/**
 * Repo tooling, not part of the example: builds this app when stale and starts it on
 * 127.0.0.1, for the tests and the demo. Run: PORT=3004 ISSUER=… AUDIENCE=… JWKS_URI=… npx tsx examples/next/start.ts
 */
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'

type Env = { ISSUER: string; AUDIENCE: string; JWKS_URI: string }
const app = fileURLToPath(new URL('.', import.meta.url))
const root = fileURLToPath(new URL('../../', import.meta.url))

/** Runs the Next CLI in this app; resolves with its exit code and output once it exits. */
function next(args: string[], env: Partial<Env> = {}, quiet = true) {
  // Only what is given: the build runs without ISSUER, AUDIENCE and JWKS_URI, as a CI build
  // does (lib/auth.ts reads them on the first request, through createLazyVerifier).
  const { ISSUER: _i, AUDIENCE: _a, JWKS_URI: _j, REVOCATION_URL: _r, ...inherited } = process.env
  const child = spawn(process.execPath, [`${root}node_modules/next/dist/bin/next`, ...args], {
    cwd: app,
    env: { ...inherited, NEXT_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['ignore', quiet ? 'pipe' : 'inherit', quiet ? 'pipe' : 'inherit'],
  })
  let output = ''
  child.stdout?.on('data', (chunk) => (output += chunk))
  child.stderr?.on('data', (chunk) => (output += chunk))
  const exited = new Promise<string>((resolve) => child.on('close', (code) => resolve(`exit ${code}:\n${output}`)))
  return { child, exited }
}

/**
 * `next build --webpack` with ISSUER, AUDIENCE and JWKS_URI unset, unless .next is newer than
 * src/, this app and the lockfile (TOKENGATE_NEXT_REBUILD=1 forces it).
 */
export async function build(): Promise<void> {
  const mtime = (path: string) => statSync(path).mtimeMs
  const files = ['src', 'examples/next'].flatMap((dir) => readdirSync(`${root}${dir}`, { recursive: true, encoding: 'utf8' }).map((f) => `${root}${dir}/${f}`))
  // The build output (.next, the folder itself included: writing into it changes its mtime) and
  // the generated next-env.d.ts are not sources; counting them made every run rebuild.
  const output = (f: string) => /\/examples\/next\/\.next(\/|$)/.test(f) || f.endsWith('next-env.d.ts')
  const newest = Math.max(mtime(`${root}package-lock.json`), ...files.filter((f) => !output(f)).map(mtime))
  if (!process.env.TOKENGATE_NEXT_REBUILD && existsSync(`${app}.next/BUILD_ID`) && mtime(`${app}.next/BUILD_ID`) > newest) return
  const { child, exited } = next(['build', '--webpack'])
  const result = await exited
  rmSync(`${app}next-env.d.ts`, { force: true }) // generated; it would pull .next/types into the root typecheck
  if (child.exitCode !== 0) throw new Error(`next build failed, ${result}`)
}

/** `next start` on 127.0.0.1:`port`; resolves once it answers HTTP. */
export async function start(port: number, env: Env, quiet = true): Promise<{ url: string; close(): Promise<void> }> {
  const { child, exited } = next(['start', '-p', String(port), '-H', '127.0.0.1'], env, quiet)
  const url = `http://127.0.0.1:${port}`
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
  }
  for (let i = 0; i < 300 && child.exitCode === null; i++) {
    if (await fetch(url).then(() => true, () => false)) return { url, close }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  await close()
  throw new Error(`next start did not answer on ${url}, ${await exited}`)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await build()
  const server = await start(Number(process.env.PORT ?? 3004), process.env as unknown as Env, false)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void server.close().then(() => process.exit(0)))
  console.log(`next example listening on ${server.url}`)
}
