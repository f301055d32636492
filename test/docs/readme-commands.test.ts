/**
 * Every command in README.md's ```sh blocks is run, as written, by this file — or, for the
 * few that CI itself runs literally (`npm ci`, `npm test`, `npm run demo`, `npm run build`,
 * `npm run docs`), checked to be in .ci/run. A command with no way to run here fails the
 * first test: add it to HOW below.
 *
 * - The quick start, as a newcomer follows it, in a consumer project with the packed tarball
 *   installed (test/package/consumer.ts; `npm install tokengate ...` is that install): `npx
 *   tokengate dev` and `npx tsx server.ts` (the README's server.ts block) on their fixed ports
 *   4000 and 3000, then the client block, then the CLI block against the same dev issuer.
 *   `npm_config_offline` keeps npx from ever reaching the registry.
 * - The development commands in the repository, with their documented size knobs (FUZZ_RUNS,
 *   BENCH_MS, ...) turned down: a run that proves the command works, not a measurement.
 *   `npm run bench:http` is stopped once its first table row is printed.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { installPacked, ROOT } from '../package/consumer.js'
import { fencedBlocks } from './markdown.js'

const README = readFileSync(join(ROOT, 'README.md'), 'utf8')
const shBlocks = fencedBlocks(README, 'sh').map((b) => b.code)
/** A command line without its trailing `# comment`. */
const command = (line: string): string => line.replace(/\s+#\s.*$/, '').trim()
const COMMANDS = [...new Set(shBlocks.flatMap((b) => b.split('\n').map(command)).filter((c) => c !== '' && !c.startsWith('#')))]

type How =
  | { readonly by: 'ci'; readonly lines: readonly string[] }
  | { readonly by: 'quick start' | 'cli' | 'install' }
  | { readonly by: 'repo'; readonly env?: Record<string, string>; readonly run?: string; readonly until?: RegExp; readonly expect: RegExp }

/** How each README command is run. The key is the command as written (comment stripped). */
const HOW: Record<string, How> = {
  'npm ci && npm run demo': { by: 'ci', lines: ['npm ci --no-audit --no-fund', 'npm run demo'] },
  'npm ci && npm test': { by: 'ci', lines: ['npm ci --no-audit --no-fund', 'VITEST_JSON_REPORT=.tmp/vitest.json npm test'] },
  'npm test': { by: 'ci', lines: ['VITEST_JSON_REPORT=.tmp/vitest.json npm test'] },
  'npm run demo': { by: 'ci', lines: ['npm run demo'] },
  'npm run build': { by: 'ci', lines: ['npm run build'] },
  'npm run docs': { by: 'ci', lines: ['npm run docs'] },
  'npm install tokengate': { by: 'install' },
  'npm install tokengate ioredis': { by: 'install' },
  'npx tokengate dev --scope read:orders': { by: 'quick start' },
  'npx tsx server.ts': { by: 'quick start' },
  'TOKEN=$(curl -s -X POST http://127.0.0.1:4000/token -d scope=read:orders)': { by: 'quick start' },
  'curl -s -H "Authorization: Bearer $TOKEN" http://localhost:3000/api/orders': { by: 'quick start' },
  'curl -s -i http://localhost:3000/api/orders': { by: 'quick start' },
  'npx tokengate mint --scope read:orders --sub alice': { by: 'cli' },
  'npx tokengate inspect "$TOKEN"': { by: 'cli' },
  'npx tokengate verify "$TOKEN" --jwks-uri http://127.0.0.1:4000/.well-known/jwks.json --issuer http://127.0.0.1:4000/ --audience http://localhost:3000 --scope read:orders': { by: 'cli' },
  'npx tokengate fixtures --out fixtures/ --ttl 3650d': { by: 'cli' },
  'npm run fuzz': { by: 'repo', env: { FUZZ_RUNS: '300', FUZZ_SEED: '424242' }, expect: /fuzz: \d+ cases, seed 424242, .* 0 failed properties, 0 unhandled rejections/ },
  'npm run bench': { by: 'repo', env: { BENCH_ROUNDS: '1', BENCH_MS: '10' }, expect: /interleaved rounds × 10 ms per contender/ },
  'npm run bench:http': { by: 'repo', env: { BENCH_HTTP_SECONDS: '0.2', BENCH_HTTP_ROUNDS: '1', BENCH_HTTP_CONNECTIONS: '2' }, until: /^express {3}.*tokengate/m, expect: /^express {3}.*tokengate/m },
  'npm run memory': { by: 'repo', env: { MEMORY_TOKENS: '20000', MEMORY_EVERY: '5000' }, expect: /bound 4 MB: ok/ },
  'npm run bench:cold': { by: 'repo', env: { BENCH_SAMPLES: '2' }, expect: /medians of 2 fresh processes each/ },
  // Node, Bun and Deno, one process per row: the slowest of these (a first Deno run compiles).
  'npm run bench:runtimes': { by: 'repo', env: { BENCH_ROUNDS: '1', BENCH_MS: '10' }, expect: /the lowest of 1 rounds of 10 ms per algorithm/ },
  // Against a real redis-server of its own (port 6391, nothing saved) in place of `redis://…`.
  'npx tokengate apikey create --redis redis://… --prefix acme --name ci --scope deploy': {
    by: 'repo',
    run: "redis-server --port 6391 --save '' --appendonly no --daemonize yes --pidfile .tmp/readme-redis.pid >/dev/null && trap 'kill $(cat .tmp/readme-redis.pid)' EXIT && sleep 0.5 && npx tsx src/cli/bin.ts apikey create --redis redis://127.0.0.1:6391 --prefix acme --name ci --scope deploy",
    expect: /scopes {5}deploy\n[\s\S]*\nacme_[0-9A-Za-z]+\n$/,
  },
  // Interactive (it asks what changed): `status` runs the same CLI over .changeset/.
  'npx changeset': { by: 'repo', run: 'npx changeset status', expect: /tokengate/ },
}

/** Commands a test below has run and checked. */
const ran = new Set<string>()
const OFFLINE = { npm_config_offline: 'true', npm_config_update_notifier: 'false' }

interface Running {
  readonly child: ChildProcess
  output(): string
  /** Resolves with the exit code once the process has exited. */
  readonly exit: Promise<number | null>
}

function start(script: string, cwd: string, env: Record<string, string> = {}): Running {
  const child = spawn('bash', ['-c', script], { cwd, env: { ...process.env, ...OFFLINE, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let out = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d))
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  return { child, output: () => out, exit }
}

/** Stops a process group started by `start` (bash and what it started). */
async function stop(r: Running, signal: NodeJS.Signals = 'SIGINT'): Promise<number | null> {
  if (r.child.exitCode === null && r.child.signalCode === null) {
    try {
      process.kill(-r.child.pid!, signal)
    } catch {
      // Already gone.
    }
  }
  return r.exit
}

async function waitFor(r: Running, pattern: RegExp, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms
  while (!pattern.test(r.output())) {
    if (r.child.exitCode !== null || Date.now() > deadline) throw new Error(`${what}: no ${pattern} within ${ms} ms (exit ${r.child.exitCode}):\n${r.output()}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function run(script: string, cwd: string, env: Record<string, string> = {}, ms = 60_000): Promise<{ code: number | null; output: string }> {
  const r = start(script, cwd, env)
  const timer = setTimeout(() => void stop(r, 'SIGKILL'), ms)
  const code = await r.exit
  clearTimeout(timer)
  return { code, output: r.output() }
}

async function portFree(port: number): Promise<boolean> {
  const server = createServer()
  return new Promise((resolve) => {
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

describe('README commands', () => {
  it('every command in a ```sh block has a way to run here', () => {
    expect(COMMANDS.length).toBeGreaterThan(15)
    expect(COMMANDS.filter((c) => !(c in HOW)), 'add these to HOW in test/docs/readme-commands.test.ts').toEqual([])
  })

  it('the ones CI runs literally are in .ci/run', () => {
    const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8').split('\n').map((l) => l.trim())
    for (const [c, how] of Object.entries(HOW)) {
      if (how.by !== 'ci' || !COMMANDS.includes(c)) continue
      for (const line of how.lines) expect(ci, `${c}: .ci/run runs "${line}"`).toContain(line)
      ran.add(c)
    }
  })
})

describe('the quick start and the CLI section, followed as written', () => {
  let dir: string
  let dev: Running | undefined
  let api: Running | undefined

  beforeAll(async () => {
    for (const port of [4000, 3000]) {
      if (!(await portFree(port))) throw new Error(`port ${port} on 127.0.0.1 is in use: the README quick start needs it (tokengate dev on 4000, the API on 3000)`)
    }
    dir = installPacked('readme')
  })
  afterAll(async () => {
    if (api) await stop(api)
    if (dev) await stop(dev)
  })

  it('npm install tokengate (ioredis): the packed package and its subpaths load in a consumer project', async () => {
    const r = await run(`node --input-type=module -e "const t = await import('tokengate'); const r = await import('tokengate/redis'); await import('ioredis'); console.log(typeof t.createVerifier, typeof r.redisStore)"`, dir)
    expect(r).toEqual({ code: 0, output: 'function function\n' })
    ran.add('npm install tokengate').add('npm install tokengate ioredis')
  })

  it('tokengate dev, the server.ts block under npx tsx, and the client block: 200 with the user, 401 with the challenge', async () => {
    dev = start('npx tokengate dev --scope read:orders', dir)
    await waitFor(dev, /Ctrl-C to stop\./, 30_000, 'npx tokengate dev')
    expect(dev.output()).toContain("{ issuer: 'http://127.0.0.1:4000/', audience: 'http://localhost:3000', jwksUri: 'http://127.0.0.1:4000/.well-known/jwks.json' }")

    const server = fencedBlocks(README, 'ts').find((b) => b.code.includes("from 'tokengate/express'") && b.code.includes('app.listen(3000'))
    expect(server, 'the quick start server.ts block').toBeDefined()
    writeFileSync(join(dir, 'server.ts'), server!.code)
    api = start('npx tsx server.ts', dir)
    await waitFor(api, /listening on http:\/\/localhost:3000/, 60_000, 'npx tsx server.ts')

    const client = shBlocks.find((b) => b.startsWith('TOKEN=$(curl'))!
    const r = await run(client, dir)
    expect(r.code, r.output).toBe(0)
    expect(r.output).toContain('{"user":"dev-user"}')
    // curl -s prints the first body without a newline: the 401's status line follows on the same line.
    expect(r.output).toMatch(/HTTP\/1\.1 401 Unauthorized\r?$/m)
    expect(r.output).toMatch(/^WWW-Authenticate: Bearer realm="api"\r?$/im)
    expect(r.output).toMatch(/^Content-Type: application\/problem\+json/im)
    for (const c of COMMANDS.filter((c) => HOW[c]?.by === 'quick start')) ran.add(c)
  }, 120_000)

  it.each(COMMANDS.filter((c) => HOW[c]?.by === 'cli' || c === 'npx tokengate dev --scope read:orders'))('%s', async (c) => {
    if (c.includes('tokengate dev')) {
      // Started above, with the quick start; still serving the CLI section's verify.
      expect(dev?.child.exitCode).toBe(null)
      return
    }
    const token = (await run('curl -s -X POST http://127.0.0.1:4000/token -d scope=read:orders', dir)).output.trim()
    const r = await run(c, dir, { TOKEN: token })
    expect(r.code, r.output).toBe(0)
    if (c.includes(' mint ')) expect(r.output).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/)
    if (c.includes(' inspect ')) expect(r.output).toMatch(/^NOT VERIFIED/)
    if (c.includes(' verify ')) expect(r.output).toMatch(/^accepted: 200\n/)
    if (c.includes(' fixtures ')) expect(existsSync(join(dir, 'fixtures', 'manifest.json'))).toBe(true)
    ran.add(c)
  }, 60_000)

  it('tokengate dev stops cleanly on Ctrl-C (SIGINT to the foreground process group, as a terminal sends it)', async () => {
    await stop(dev!)
    expect(dev!.output()).toMatch(/tokengate dev: stopped\n/)
    expect(await portFree(4000)).toBe(true)
    dev = undefined
  })
})

describe('the development commands, run small', () => {
  it.each(COMMANDS.filter((c) => HOW[c]?.by === 'repo'))('%s', async (c) => {
    const how = HOW[c] as Extract<How, { by: 'repo' }>
    const r = start(how.run ?? c, ROOT, how.env)
    if (how.until) {
      await waitFor(r, how.until, 240_000, c)
      await stop(r, 'SIGTERM')
    } else {
      const timer = setTimeout(() => void stop(r, 'SIGKILL'), 240_000)
      const code = await r.exit
      clearTimeout(timer)
      expect(code, r.output()).toBe(0)
    }
    expect(r.output()).toMatch(how.expect)
    ran.add(c)
  }, 300_000)
})

describe('afterwards', () => {
  it('every README command was run (or is run by CI as written)', () => {
    expect(COMMANDS.filter((c) => !ran.has(c))).toEqual([])
  })
})
