/**
 * @module
 * The CLI's exit codes: public, documented in `tokengate --help` and docs/cli.md.
 */

export const EXIT = Object.freeze({
  /** Success; `verify`: the token was accepted; `verify --fixtures`: every case matched. */
  ok: 0,
  /** `verify`: the token was rejected; `inspect`: it cannot be decoded; `verify --fixtures`: a case did not match; `apikey revoke`: no such key. */
  rejected: 1,
  /** Bad flags or input: unknown option, missing value, unreadable file, invalid JSON. */
  usage: 2,
  /** `verify`: the keys could not be fetched (503 `jwks_unavailable`); the printed cause says whether a retry can help. `apikey`: the store cannot be reached. */
  unavailable: 3,
  /** A bug in tokengate: please report it. */
  internal: 70,
} as const)

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

export const EXIT_CODES_HELP = `Exit codes:
  0   success (verify: token accepted)
  1   verify: token rejected; inspect: not decodable; verify --fixtures: a case did not match;
      apikey revoke: no key with that id
  2   usage error (unknown flag, missing value, unreadable file, invalid JSON)
  3   verify: keys unavailable (503 jwks_unavailable): the token was not judged; the cause
      says why (a 4xx or a wrong URL: fix it; a 5xx, timeout or network error: retry later)
      apikey: the store cannot be reached
  70  internal error (a bug: please report it)`

/** A mistake in how the command was called: exit 2 with the message and a pointer to --help. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}
