import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { assertNoUnhandledRejections, takeUnhandledRejections, unhandledRejectionListener } from './unhandled-rejections.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** Runs a child vitest on the fixture; its environment is stripped of this run's VITEST_* variables. */
function childVitest(): Promise<{ code: number | null; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' }
  for (const k of Object.keys(env)) if (k.startsWith('VITEST') || k === 'NODE_OPTIONS') delete env[k]
  const bin = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url))
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'run', '--config', 'test/setup/fixtures/vitest.fixture.config.ts', '--reporter', 'verbose'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, output }))
  })
}

describe('no unhandled promise rejections (test/setup/unhandled-rejections.ts)', () => {
  it('installs one process-level unhandledRejection listener, whatever the number of test files', () => {
    expect(process.listeners('unhandledRejection').filter((l) => l === unhandledRejectionListener)).toHaveLength(1)
  })

  it('records a real rejection nobody handled, and the check throws naming it', async () => {
    // Vitest's own listener would report the probe and fail this run: stand it aside meanwhile.
    const others = process.listeners('unhandledRejection').filter((l) => l !== unhandledRejectionListener)
    for (const l of others) process.off('unhandledRejection', l)
    const probe = new Error('probe')
    try {
      void Promise.reject(probe)
      await new Promise((resolve) => setImmediate(resolve))
    } finally {
      for (const l of others) process.on('unhandledRejection', l)
    }
    const seen = takeUnhandledRejections()
    expect(seen).toEqual([probe])
    unhandledRejectionListener(probe)
    expect(() => assertNoUnhandledRejections('during this test')).toThrow('1 unhandled promise rejection(s) during this test:\nError: probe')
    expect(() => assertNoUnhandledRejections('during this test')).not.toThrow()
  })

  it('fails the test that left a rejection unhandled, and so the run, with vitest’s own reporting off', async () => {
    const { code, output } = await childVitest()
    expect(code, output).toBe(1)
    expect(output).toMatch(/×.*leaves a rejection unhandled/)
    expect(output).toMatch(/✓.*handles its rejection/)
    expect(output).toContain('1 unhandled promise rejection(s) during this test:')
    expect(output).toContain('probe: nobody handles this rejection')
    expect(output).toMatch(/Tests\s+1 failed \| 1 passed/)
  })
})
