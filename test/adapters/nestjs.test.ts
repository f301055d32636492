/**
 * tokengate/nestjs on a real Nest application (Express platform) over HTTP, with the same
 * status and challenge table as every adapter. The vitest project `node` runs it on Nest 11
 * (the repo's devDependency); the project `nest12` runs this same file on Nest 12 (aliased
 * to the copies in test/adapters/nest12/node_modules).
 */
import { Catch, Controller, Get, HttpCode, HttpException, Injectable, Module, Options, UseFilters, UseGuards, type ArgumentsHost, type ExceptionFilter, type INestApplication } from '@nestjs/common'
import { APP_GUARD, NestFactory } from '@nestjs/core'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AnyRole, AnyScope, Auth, BearerException, BearerGuard, Permissions, Public, RequireClaim, Roles, Scopes, TokengateModule } from '../../src/adapters/nestjs/index.js'
import { BearerError, type BearerAuth } from '../../src/index.js'
import { adapterFixture, appOptions, bearer as auth, CHALLENGE, CLAIM_DESCRIPTION, downOptions, GUARDED_ROUTES, isGlobex, expectAnswer, failureCases, PREFLIGHT, requestWithTwoAuthorizations, SEEN, type AdapterFixture } from './fixtures.js'

const seen = (a: BearerAuth | undefined) => ({ sub: a?.claims.sub, tenant: a?.claims.tenant, scopes: a?.scopes })

@Catch(BearerException)
class MineFilter implements ExceptionFilter<BearerException> {
  catch(e: BearerException, host: ArgumentsHost) {
    host.switchToHttp().getResponse<{ status(s: number): { json(b: unknown): void } }>().status(e.getStatus()).json({ mine: e.error.reason })
  }
}

/** Handlers that ran for an OPTIONS request (a preflight must reach none). */
const reached: string[] = []

@Controller('api')
@UseGuards(BearerGuard)
class ApiController {
  @Get('me') me(@Auth() a: BearerAuth) { return seen(a) }
  @Options('me') @HttpCode(204) preflight(@Auth() a: BearerAuth | undefined) { reached.push(`OPTIONS /api/me auth=${a ? 'yes' : 'no'}`) }
  @Get('orders') @Scopes('read:orders') orders(@Auth() a: BearerAuth) { return seen(a) }
  @Get('any') @AnyScope('admin', 'read:orders') any(@Auth() a: BearerAuth) { return seen(a) }
  @Get('admin') @Roles('admin') admin(@Auth() a: BearerAuth) { return seen(a) }
  @Get('editor') @AnyRole('admin', 'editor') editor(@Auth() a: BearerAuth) { return seen(a) }
  @Get('perm') @Permissions('delete:orders') perm(@Auth() a: BearerAuth) { return seen(a) }
  @Get('claim') @RequireClaim('tenant', 'globex', { description: CLAIM_DESCRIPTION }) claim(@Auth() a: BearerAuth) { return seen(a) }
  @Get('async-claim') @RequireClaim('tenant', isGlobex) asyncClaim(@Auth() a: BearerAuth) { return seen(a) }
}

@Controller()
class OtherController {
  // No @UseGuards: the requirement brings BearerGuard with it.
  @Get('unguarded') @Scopes('read:orders') unguarded(@Auth() a: BearerAuth) { return seen(a) }
  @Get('own-handler/me') @UseGuards(BearerGuard) @UseFilters(MineFilter) own(@Auth() a: BearerAuth) { return seen(a) }
}

const CONFIG = Symbol('config')
@Injectable()
class ConfigService {
  get = (fx: AdapterFixture) => downOptions(fx)
}
@Module({ providers: [{ provide: CONFIG, useClass: ConfigService }], exports: [CONFIG] })
class ConfigModule {}

@Controller()
class GlobalController {
  @Get('down/me') me(@Auth() a: BearerAuth) { return seen(a) }
  @Get('health') @Public() health(@Auth() a: BearerAuth | undefined) { return { ok: true, auth: a ?? null } }
  @Get('public-but-scoped') @Public() @Scopes('read:orders') scoped(@Auth() a: BearerAuth) { return seen(a) }
  @Options('verify/me') @HttpCode(204) preflight() {}
}

@Controller('optional')
class OptionalController {
  @Get('me') me(@Auth() a: BearerAuth | undefined) { return seen(a) }
  @Get('orders') @Scopes('read:orders') orders(@Auth() a: BearerAuth) { return seen(a) }
}

// forRoot builds the verifier when the module is declared: the modules are declared once the fixture exists.
function appModules(f: AdapterFixture) {
  @Module({ imports: [TokengateModule.forRoot(appOptions(f))], controllers: [ApiController, OtherController] })
  class PerControllerApp {}

  // forRootAsync with an injected configuration service; BearerGuard global (APP_GUARD).
  @Module({
    imports: [TokengateModule.forRootAsync({ imports: [ConfigModule], inject: [CONFIG], useFactory: async (config: ConfigService) => ({ ...config.get(f), preflight: 'verify' as const }) })],
    controllers: [GlobalController],
    providers: [{ provide: APP_GUARD, useExisting: BearerGuard }],
  })
  class GlobalGuardApp {}

  @Module({
    imports: [TokengateModule.forRootAsync({ useFactory: () => ({ ...appOptions(f), credentialsRequired: false }) })],
    controllers: [OptionalController],
    providers: [{ provide: APP_GUARD, useExisting: BearerGuard }],
  })
  class OptionalApp {}
  return { PerControllerApp, GlobalGuardApp, OptionalApp }
}

async function start(module: unknown): Promise<{ app: INestApplication; url: string }> {
  const app = await NestFactory.create(module as never, { logger: false })
  await app.listen(0, '127.0.0.1')
  return { app, url: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}` }
}

const version = ((await import('@nestjs/core/package.json', { with: { type: 'json' } })) as { default: { version: string } }).default.version

describe(`tokengate/nestjs on Nest ${version} (platform-express)`, () => {
  let f: AdapterFixture
  const apps: INestApplication[] = []
  let url: string
  let globalUrl: string
  let optionalUrl: string
  const urlFor = (path: string) => (path.startsWith('/down/') ? globalUrl : url)

  beforeAll(async () => {
    // The app and the adapter load the same copy of Nest.
    expect(version.split('.')[0]).toBe(process.env.NEST_MAJOR ?? '11')
    expect(new BearerException(new BearerError('token_missing'))).toBeInstanceOf(HttpException)
    f = await adapterFixture()
    const { PerControllerApp, GlobalGuardApp, OptionalApp } = appModules(f)
    for (const [module, set] of [
      [PerControllerApp, (u: string) => (url = u)],
      [GlobalGuardApp, (u: string) => (globalUrl = u)],
      [OptionalApp, (u: string) => (optionalUrl = u)],
    ] as const) {
      const started = await start(module)
      apps.push(started.app)
      set(started.url)
    }
  }, 30_000)
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()))
    await f?.close()
  })

  it('passes a valid token through; @Auth() injects what the handler saw', async () => {
    const res = await expectAnswer(`${url}/api/me`, auth(f.valid), { status: 200 })
    expect(await res.json()).toEqual(SEEN)
    await expectAnswer(`${url}/api/orders`, auth(f.valid), { status: 200 })
    await expectAnswer(`${url}/api/any`, auth(f.valid), { status: 200 })
  })

  it.each(failureCases({} as AdapterFixture).map(([name]) => name))('answers %s', async (name) => {
    const [, path, init, expected] = failureCases(f).find(([n]) => n === name)!
    const res = await expectAnswer(`${urlFor(path)}${path}`, init, expected)
    expect(res.headers.get('cache-control')).toBe('no-store')
  })

  it("never sends Nest's generic 401/403 body: the problem+json body is the BearerError's", async () => {
    const res = await expectAnswer(`${url}/api/orders`, auth(f.noScope), { status: 403 })
    expect(await res.json()).toEqual({
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
      detail: 'The token lacks a required scope',
      reason: 'insufficient_scope',
      error: 'insufficient_scope',
      scope: 'read:orders',
    })
  })

  it('rejects repeated Authorization fields with 400 header_malformed', async () => {
    const res = await requestWithTwoAuthorizations(`${url}/api/me`, `Bearer ${f.valid}`, `Bearer ${f.valid}`)
    expect(res).toEqual({ status: 400, wwwAuthenticate: CHALLENGE.repeated })
  })

  it('enforces @Scopes() on a route without @UseGuards (the requirement applies BearerGuard)', async () => {
    await expectAnswer(`${url}/unguarded`, {}, { status: 401, wwwAuthenticate: CHALLENGE.missing, reason: 'token_missing' })
    await expectAnswer(`${url}/unguarded`, auth(f.noScope), { status: 403, wwwAuthenticate: CHALLENGE.scope, reason: 'insufficient_scope' })
    expect(await (await expectAnswer(`${url}/unguarded`, auth(f.valid), { status: 200 })).json()).toEqual(SEEN)
  })

  it("hands a BearerException to the app's own filter, with WWW-Authenticate already set", async () => {
    const res = await expectAnswer(`${url}/own-handler/me`, auth(f.forged), { status: 401, wwwAuthenticate: CHALLENGE.forged })
    expect(await res.json()).toEqual({ mine: 'signature_invalid' })
  })

  it('global BearerGuard (APP_GUARD) with forRootAsync: @Public() exempts a route, unless it has requirements', async () => {
    expect(await (await expectAnswer(`${globalUrl}/health`, {}, { status: 200 })).json()).toEqual({ ok: true, auth: null })
    await expectAnswer(`${globalUrl}/public-but-scoped`, {}, { status: 401, wwwAuthenticate: CHALLENGE.missing, reason: 'token_missing' })
  })

  it('with credentialsRequired: false, passes a request without credentials with no auth; requirements still answer 401', async () => {
    expect(await (await expectAnswer(`${optionalUrl}/optional/me`, {}, { status: 200 })).json()).toEqual({})
    expect(await (await expectAnswer(`${optionalUrl}/optional/me`, auth(f.valid), { status: 200 })).json()).toEqual(SEEN)
    await expectAnswer(`${optionalUrl}/optional/me`, auth(f.expired), { status: 401, wwwAuthenticate: CHALLENGE.expired, reason: 'token_expired' })
    await expectAnswer(`${optionalUrl}/optional/orders`, {}, { status: 401, wwwAuthenticate: CHALLENGE.missing, reason: 'token_missing' })
  })

  it('passes every guarded route for a token that meets its guard, twice (the second from the verified-token cache)', async () => {
    for (const path of GUARDED_ROUTES) {
      for (let i = 0; i < 2; i++) expect(await (await expectAnswer(`${url}${path}`, auth(f.staff), { status: 200 })).json()).toMatchObject({ sub: 'user-1', tenant: 'globex' })
      await expectAnswer(`${url}${path}`, auth(f.valid), { status: 403 })
    }
  })

  it('answers a CORS preflight itself with 204 (the @Options handler never runs without auth); preflight: verify checks it', async () => {
    reached.length = 0
    const res = await expectAnswer(`${url}/api/me`, PREFLIGHT, { status: 204, wwwAuthenticate: null })
    expect(await res.text()).toBe('')
    expect(reached).toEqual([])
    await expectAnswer(`${url}/api/me`, { method: 'OPTIONS', ...auth(f.valid) }, { status: 204 })
    expect(reached).toEqual(['OPTIONS /api/me auth=yes'])
    await expectAnswer(`${globalUrl}/verify/me`, PREFLIGHT, { status: 401, wwwAuthenticate: CHALLENGE.missing, reason: 'token_missing' })
  })
})

describe('tokengate/nestjs setup', () => {
  it('rejects bad options with a ConfigError naming the option', async () => {
    const fx = await adapterFixture()
    await fx.close()
    expect(() => TokengateModule.forRoot({ ...fx.options, scopes: ['read orders'] })).toThrow(/^tokengate: invalid nestjs option scopes\.0: /)
    expect(() => TokengateModule.forRootAsync({} as never)).toThrow('tokengate: invalid nestjs option useFactory: expected a function')
    expect(() => Scopes()).toThrow('tokengate: invalid guard option requireScopes(): name at least one scope')
  })

  it('fails at boot when forRootAsync gives bad options', async () => {
    @Module({ imports: [TokengateModule.forRootAsync({ useFactory: () => ({ issuer: 'https://idp.example/' }) as never })] })
    class Broken {}
    await expect(NestFactory.create(Broken, { logger: false, abortOnError: false })).rejects.toThrow('tokengate: invalid verifier option options: one key source is required')
  })
})
