/**
 * tokengate/testing is plain promises, not tied to vitest: run a suite under node:test and
 * check that it passes and that the process exits (the JWKS server stops cleanly).
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

it('runs under node:test: both tests pass and the process exits 0', async () => {
  const file = fileURLToPath(new URL('./runners/node-test-consumer.ts', import.meta.url))
  const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', file], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    child.on('error', reject)
    child.on('close', (c) => resolve({ code: c, stdout: out }))
  })
  expect(stdout).toMatch(/^# pass 2$/m)
  expect(stdout).toMatch(/^# fail 0$/m)
  expect(code).toBe(0)
})
