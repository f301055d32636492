/**
 * Vitest globalSetup: builds examples/next once per test run (`next build --webpack`), so
 * test/adapters/next.test.ts can `next start` it. Skipped when the build is newer than every
 * source it depends on; set TOKENGATE_NEXT_REBUILD=1 to force it.
 */
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
export const NEXT_APP = join(root, 'examples/next')
export const NEXT_BIN = join(root, 'node_modules/next/dist/bin/next')
const BUILD_ID = join(NEXT_APP, '.next/BUILD_ID')

function newestSource(): number {
  let newest = statSync(join(root, 'package-lock.json')).mtimeMs
  for (const dir of ['src', 'examples/next']) {
    for (const entry of readdirSync(join(root, dir), { recursive: true, withFileTypes: true })) {
      const path = join(entry.parentPath, entry.name)
      if (!entry.isFile() || path.includes('/.next/') || entry.name === 'next-env.d.ts') continue
      newest = Math.max(newest, statSync(path).mtimeMs)
    }
  }
  return newest
}

export default async function buildNextExample(): Promise<void> {
  if (!process.env.TOKENGATE_NEXT_REBUILD && existsSync(BUILD_ID) && statSync(BUILD_ID).mtimeMs > newestSource()) return
  const output: string[] = []
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [NEXT_BIN, 'build', '--webpack'], {
      cwd: NEXT_APP,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()))
    child.on('error', reject)
    child.on('close', resolve)
  })
  // next build writes next-env.d.ts, which pulls .next/types into the root typecheck; it is
  // generated and git-ignored, so remove it.
  rmSync(join(NEXT_APP, 'next-env.d.ts'), { force: true })
  if (code !== 0) throw new Error(`next build failed (exit ${code}) in examples/next:\n${output.join('')}`)
}
