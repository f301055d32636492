/**
 * @module
 * What `tokengate/nestjs` keeps in Nest's metadata: each route's (and controller's)
 * requirements as `Guard`s from src/guards, and the `@Public()` mark. Any guard plugs in:
 * a decorator only records it (`requirement` in decorators.ts).
 */
import type { Guard } from '../../guards/guard.js'

/** The injection token of the module's `ResolvedAdapter`. */
export const ADAPTER = Symbol('tokengate.nestjs.adapter')
const GUARDS = 'tokengate:guards'
const PUBLIC = 'tokengate:public'

// Nest loads reflect-metadata before any decorator runs; typed here so no global types are needed.
const metadata = Reflect as unknown as {
  getOwnMetadata(key: string, target: object): unknown
  defineMetadata(key: string, value: unknown, target: object): void
}

/** A controller class or a handler method. */
export type Target = object

/** The requirements recorded on a controller or handler, in decoration order. */
export const guardsOf = (target: Target): readonly Guard[] => (metadata.getOwnMetadata(GUARDS, target) as Guard[] | undefined) ?? []
export const addGuard = (target: Target, guard: Guard): void => metadata.defineMetadata(GUARDS, [...guardsOf(target), guard], target)
export const isPublic = (target: Target): boolean => metadata.getOwnMetadata(PUBLIC, target) === true
export const markPublic = (target: Target): void => metadata.defineMetadata(PUBLIC, true, target)
