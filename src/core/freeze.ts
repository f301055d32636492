/**
 * @module
 * Deep freezing of parsed JSON, so a verified result can be handed to many requests (the
 * verified-token cache) without one request's code changing what the next one sees.
 */

/** Freezes plain objects and arrays, recursively; other objects (Dates, class instances) are left as they are. */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value
  if (Array.isArray(value)) {
    Object.freeze(value)
    for (const item of value) deepFreeze(item)
    return value
  }
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return value
  Object.freeze(value)
  for (const key in value) deepFreeze((value as Record<string, unknown>)[key])
  return value
}
