/**
 * @module
 * Human times for `inspect`: a NumericDate as ISO 8601 and relative to now.
 */

const UNITS: readonly [string, number][] = [
  ['d', 86400],
  ['h', 3600],
  ['m', 60],
  ['s', 1],
]

/** `3h 2m` style: the two largest non-zero units. */
export function formatDuration(seconds: number): string {
  let rest = Math.round(Math.abs(seconds))
  if (rest === 0) return '0s'
  const parts: string[] = []
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size)
    if (n > 0 && parts.length < 2) parts.push(`${n}${unit}`)
    if (n > 0) rest -= n * size
  }
  return parts.join(' ')
}

/** `in 59m 58s`, `3h 2m ago`, or `now`. */
export function relative(at: number, now: number): string {
  const delta = at - now
  if (Math.round(delta) === 0) return 'now'
  return delta > 0 ? `in ${formatDuration(delta)}` : `${formatDuration(delta)} ago`
}

/** A NumericDate (seconds) as ISO 8601, or undefined when it is not a usable number. */
export function isoDate(seconds: unknown): string | undefined {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || Math.abs(seconds) > 8.64e12) return undefined
  return new Date(seconds * 1000).toISOString()
}
