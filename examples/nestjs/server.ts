/**
 * NestJS + tokengate. Run: PORT=3006 ISSUER=… AUDIENCE=… JWKS_URI=… npx tsx examples/nestjs/server.ts
 * In your app, import from 'tokengate' and 'tokengate/nestjs'. Needs `experimentalDecorators`
 * (Nest's decorators); nothing here relies on `emitDecoratorMetadata`.
 */
import { Controller, Get, Module, type DynamicModule, type INestApplication } from '@nestjs/common'
import { APP_GUARD, NestFactory } from '@nestjs/core'
import type { AddressInfo } from 'node:net'
import { pathToFileURL } from 'node:url'
import { Auth, BearerGuard, RequireClaim, Roles, Scopes, TokengateModule } from '../../src/adapters/nestjs/index.js'
import type { BearerAuth, VerifierOptions } from '../../src/index.js'

@Controller('api')
class ApiController {
  @Get('me')
  me(@Auth() auth: BearerAuth) {
    return { sub: auth.claims.sub, scopes: auth.scopes }
  }

  @Get('orders')
  @Scopes('read:orders')
  orders() {
    return { orders: [{ id: 1 }] }
  }

  // A role guard and a claim guard with its own description.
  @Get('staff')
  @Roles('admin')
  staff() {
    return { staff: true }
  }

  @Get('billing')
  @RequireClaim('plan', 'pro', { description: 'A paid plan is required' })
  billing() {
    return { invoices: [] }
  }
}

/** The app module: tokengate built once from `options`; BearerGuard on every route (APP_GUARD). */
export function createAppModule(options: VerifierOptions): DynamicModule {
  @Module({})
  class AppModule {}
  return {
    module: AppModule,
    imports: [TokengateModule.forRoot(options)],
    controllers: [ApiController],
    providers: [{ provide: APP_GUARD, useExisting: BearerGuard }],
  }
}

/** Starts the example on 127.0.0.1:`port` (0 = any free port). */
export async function start(port: number, options: VerifierOptions): Promise<{ url: string; close(): Promise<void> }> {
  const app: INestApplication = await NestFactory.create(createAppModule(options), { logger: false })
  await app.listen(port, '127.0.0.1')
  const url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`
  return { url, close: () => app.close() }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const env = process.env
  const { url } = await start(Number(env.PORT ?? 3006), { issuer: env.ISSUER!, audience: env.AUDIENCE!, jwksUri: env.JWKS_URI! })
  console.log(`nestjs example listening on ${url}`)
}
