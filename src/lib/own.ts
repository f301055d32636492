/**
 * @module
 * Reading a token's members by name, own properties only. A parsed payload is a plain object:
 * `payload.constructor` is `Object`, `payload.toString` a function, and a polluted
 * `Object.prototype` would lend every token its members. A claim is present only when the
 * token itself carries it.
 */

const hasOwn = Object.prototype.hasOwnProperty

/** The member `name` of `record` when it is its own property, else `undefined`. */
export function own(record: object, name: string): unknown {
  return hasOwn.call(record, name) ? (record as Record<string, unknown>)[name] : undefined
}

/** True when `record` carries `name` itself (whatever its value). */
export function hasOwnMember(record: object, name: string): boolean {
  return hasOwn.call(record, name)
}
