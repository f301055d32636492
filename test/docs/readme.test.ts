import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { REASONS } from '../../src/errors/reasons.js'
import { reasonsTable } from '../../scripts/reasons-table.js'

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')

describe('README', () => {
  it('starts with the two newcomer commands', () => {
    const firstBlock = readme.split('```')[1]!
    expect(firstBlock).toContain('npm ci && npm run demo')
    expect(firstBlock).toContain('npm ci && npm test')
  })

  it('documents every failure reason, as generated from src/errors/reasons.ts', () => {
    const section = readme.split('<!-- reasons:start')[1]!.split('<!-- reasons:end -->')[0]!
    expect(section.slice(section.indexOf('\n') + 1).trim()).toBe(reasonsTable())
    for (const reason of Object.keys(REASONS)) expect(section).toContain(`\`${reason}\``)
  })
})
