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
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      if (typeof item === 'object' && item !== null) deepFreeze(item)
    }
    return value
  }
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return value
  Object.freeze(value)
  // Claims are mostly strings and numbers: test before calling, it runs on every verification.
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key]
    if (typeof item === 'object' && item !== null) deepFreeze(item)
  }
  return value
}
