/**
 * @module
 * Durations in options: seconds as a number, or a string such as `'30s'`, `'10m'`, `'7d'`.
 */

/** Seconds (a number) or a string with a unit: `ms`, `s`, `m`, `h`, `d`. */
export type Duration = number | string

export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/

const UNIT_SECONDS: Readonly<Record<string, number>> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }

/** The duration in seconds. Assumes the value passed the options schema. */
export function toSeconds(value: Duration): number {
  if (typeof value === 'number') return value
  const match = DURATION_PATTERN.exec(value.trim())
  if (!match) throw new TypeError(`invalid duration ${JSON.stringify(value)}`)
  return Number(match[1]) * UNIT_SECONDS[match[2]!]!
}
