/**
 * @module
 * The option-schema parts every `createX` shares (non-empty strings, functions, http(s) URLs,
 * durations, ...), defined once, and the one function that turns a schema failure into a
 * `ConfigError`. Built on valibot: modular, so a bundle (and `import('tokengate')`) carries
 * only the few validators used here, where zod cost ~100 ms of import and most of the edge
 * bundle.
 */
import {
  array,
  boolean,
  check,
  custom,
  lazy,
  literal,
  looseObject,
  maxValue,
  minLength,
  minValue,
  nullable,
  number,
  object,
  optional,
  picklist,
  pipe,
  record,
  safeInteger,
  safeParse,
  strictObject,
  string,
  union,
  type GenericSchema,
  type InferOutput,
  type ObjectEntries,
} from 'valibot'
import { ConfigError, optionPath } from '../errors/config-error.js'
import { DURATION_PATTERN, toSeconds, type Duration } from './duration.js'

/**
 * The valibot validators the option schemas use, by name: named imports (not a namespace)
 * let bundlers keep only these.
 */
export const v = { array, boolean, check, custom, lazy, literal, looseObject, maxValue, minLength, minValue, nullable, number, object, optional, picklist, pipe, record, safeInteger, string, union }

export type { InferOutput }

/** Any option schema. */
export type OptionSchema = GenericSchema

/** An object schema that refuses unknown keys, naming them ("unknown option; did you mean …"). */
export function options<const E extends ObjectEntries>(entries: E, what = 'an options object') {
  const known = Object.keys(entries)
  return strictObject(entries, (issue) => {
    if (issue.expected !== 'never') return `expected ${what}`
    const key = String(issue.input)
    const near = known.find((k) => k.toLowerCase() === key.toLowerCase() || editDistance(k, key) <= 2)
    return `not an option here${near ? `; did you mean ${near}?` : ` (known: ${known.join(', ')})`}`
  })
}

/** Levenshtein distance, for "did you mean" on misspelt option names (short strings only). */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3
  let row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const next = [i]
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    row = next
  }
  return row[b.length]!
}

export const nonEmptyString = (what = 'a non-empty string') => v.pipe(v.string(`expected ${what}`), v.minLength(1, `expected ${what}, got ""`))

/** A non-empty string or a non-empty list of them. */
export const stringOrList = (what: string) =>
  v.union([nonEmptyString(), v.pipe(v.array(nonEmptyString(), `expected ${what}`), v.minLength(1, `expected ${what}, got []`))], `expected ${what}`)

export const fn = <T extends (...args: never[]) => unknown = (...args: never[]) => unknown>(what = 'a function') =>
  v.custom<T>((x) => typeof x === 'function', `expected ${what}`)

export const bool = () => v.boolean('expected true or false')

export const positiveInt = (what = 'a positive integer') => v.pipe(v.number(`expected ${what}`), v.safeInteger(`expected ${what}`), v.minValue(1, `expected ${what}`))

export const bytes = () => v.custom<Uint8Array>((x) => x instanceof Uint8Array, 'expected a Uint8Array')

const isHttp = (protocol: string) => protocol === 'https:' || protocol === 'http:'

/** An http(s) URL, as a string or a `URL`. */
export const httpUrl = () =>
  v.custom<string | URL>(
    (x) => (typeof x === 'string' ? URL.canParse(x) && isHttp(new URL(x).protocol) : x instanceof URL && isHttp(x.protocol)),
    (issue) => `expected an http(s) URL such as 'https://idp.example.com/.well-known/jwks.json', got ${describe(issue.input)}`,
  )

/** Seconds (a non-negative number) or a string such as `'30s'`, `'10m'`, `'7d'`. */
export const duration = (min = 0) =>
  v.custom<Duration>(
    (x) => (typeof x === 'number' ? Number.isFinite(x) && x >= min : typeof x === 'string' && DURATION_PATTERN.test(x.trim()) && toSeconds(x) >= min),
    (issue) => `expected seconds (a number${min > 0 ? ` of at least ${min}` : ''}) or a duration such as "30s", "10m", "7d", got ${describe(issue.input)}`,
  )

/** A short, secret-free description of a wrong value for a message: its type, or a short literal. */
export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  // Quoted only when it cannot be a secret put in the wrong option: short, or not made of
  // base64 / hex characters (URLs and durations have ':', '/', '.', spaces).
  if (typeof value === 'string') return value.length <= 40 && (value.length < 8 || /[^A-Za-z0-9+/=_-]/.test(value)) ? JSON.stringify(value) : `a string of ${value.length} characters`
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined) return String(value)
  return `a ${typeof value}`
}

/**
 * Validates `input` against `schema` once, at construction. A failure is a `ConfigError` for
 * the first issue, named by its dotted path under `prefix`.
 */
export function parseOptions<S extends OptionSchema>(component: string, schema: S, input: unknown, prefix: readonly PropertyKey[] = []): InferOutput<S> {
  const result = safeParse(schema, input, { abortEarly: true })
  if (result.success) return result.output
  const issue = result.issues[0]
  const path = [...prefix, ...(issue.path ?? []).map((p) => p.key as PropertyKey)]
  throw new ConfigError(component, optionPath(path), issue.message)
}
