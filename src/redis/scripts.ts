/**
 * @module
 * Lua scripts: each runs atomically in Redis, which is what makes rotation safe across
 * processes. Keys (under the store's prefix):
 *   rt:<sha256>      hash: fam sub scope cid claims iat exp used — one refresh token
 *   fam:<id>         NumericDate the family's last token expires
 *   spent:<id>       sorted set of the family's spent rt keys, scored by how long each is kept
 *   rv:fam:<id>      revoked family: NumericDate the revocation ends
 *   rv:jti:<jti>     revoked access token: NumericDate the revocation ends
 *   rv:sub:<sub>     "<cutoff>:<end>": tokens of sub with iat below cutoff are revoked until end
 * Times are NumericDates on the issuer's clock (ARGV), compared in the scripts, so an
 * injected clock drives Redis too; TTLs are relative, so clock skew between the app and
 * Redis neither shortens nor stretches them.
 */

/** KEYS: rt, fam. ARGV: fam sub scope cid claims iat exp ttl famExp famTtl. */
export const CREATE_FAMILY = `
redis.call('HSET', KEYS[1], 'fam', ARGV[1], 'sub', ARGV[2], 'scope', ARGV[3], 'cid', ARGV[4], 'claims', ARGV[5], 'iat', ARGV[6], 'exp', ARGV[7], 'used', '0')
redis.call('EXPIRE', KEYS[1], ARGV[8])
redis.call('SET', KEYS[2], ARGV[9], 'EX', ARGV[10])
return 1
`

/**
 * KEYS: old rt, new rt. ARGV: prefix now newIat newExp famExp.
 * Returns {'rotated', fam, sub, scope, cid, claims, iat, exp} | {'reused'|'revoked'|'expired', fam, sub} | {'invalid'}.
 *
 * A spent token is kept for as long as its family lives, so its reuse is recognised whenever
 * the chain it started could still refresh: its key is given a TTL past the family's expiry
 * and listed in spent:<fam> (scored by that deadline); each rotation extends the keys the
 * family is about to outlive, each at most once per family lifetime step (amortised O(1)).
 */
export const ROTATE = `
local p, now = ARGV[1], tonumber(ARGV[2])
local r = redis.call('HMGET', KEYS[1], 'fam', 'sub', 'scope', 'cid', 'claims', 'iat', 'exp', 'used')
if not r[1] then return {'invalid'} end
local fam, sub = r[1], r[2]
local famKey, revKey, spentKey = p .. 'fam:' .. fam, p .. 'rv:fam:' .. fam, p .. 'spent:' .. fam
local famExp = tonumber(redis.call('GET', famKey) or '0')
local revoked = tonumber(redis.call('GET', revKey) or '0')
if r[8] == '1' then
  -- reuse, whether or not the spent token's own lifetime is over: revoke the family until its last token would have expired
  local till = math.max(famExp, tonumber(r[7]))
  if till <= now then return {'expired', fam, sub} end
  if till > revoked then redis.call('SET', revKey, string.format('%d', till), 'EX', till - now) end
  return {'reused', fam, sub}
end
if tonumber(r[7]) <= now then return {'expired', fam, sub} end
if revoked > now then return {'revoked', fam, sub} end
local cutoff, cend = string.match(redis.call('GET', p .. 'rv:sub:' .. sub) or '0:0', '^(%d+):(%d+)$')
if tonumber(cend) > now and tonumber(r[6]) < tonumber(cutoff) then return {'revoked', fam, sub} end
if famExp <= now then return {'invalid'} end
famExp = math.max(famExp, tonumber(ARGV[5]))
local keep = famExp + (tonumber(ARGV[5]) - now)
redis.call('HSET', KEYS[1], 'used', '1')
redis.call('EXPIRE', KEYS[1], keep - now)
redis.call('ZADD', spentKey, keep, KEYS[1])
for _, key in ipairs(redis.call('ZRANGEBYSCORE', spentKey, '-inf', famExp)) do
  if redis.call('EXPIRE', key, keep - now) == 1 then redis.call('ZADD', spentKey, keep, key) else redis.call('ZREM', spentKey, key) end
end
redis.call('EXPIRE', spentKey, keep - now)
redis.call('HSET', KEYS[2], 'fam', fam, 'sub', sub, 'scope', r[3], 'cid', r[4] or '', 'claims', r[5] or '', 'iat', ARGV[3], 'exp', ARGV[4], 'used', '0')
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[4]) - now)
redis.call('SET', famKey, string.format('%d', famExp), 'EX', famExp - now)
return {'rotated', fam, sub, r[3], r[4] or '', r[5] or '', r[6], r[7]}
`

/** KEYS: fam, rv:fam. ARGV: now. Returns 1 when revoked, 0 when the family is unknown or expired. */
export const REVOKE_FAMILY = `
local exp = redis.call('GET', KEYS[1])
if not exp then return 0 end
local now, till = tonumber(ARGV[1]), tonumber(exp)
if till <= now then return 0 end
if till > tonumber(redis.call('GET', KEYS[2]) or '0') then redis.call('SET', KEYS[2], exp, 'EX', till - now) end
return 1
`

/** KEYS: rv:sub. ARGV: now cutoff end. Keeps the later cutoff and the later end. */
export const REVOKE_SUBJECT = `
local now = tonumber(ARGV[1])
local c, e = string.match(redis.call('GET', KEYS[1]) or '0:0', '^(%d+):(%d+)$')
local cutoff, till = math.max(tonumber(c), tonumber(ARGV[2])), math.max(tonumber(e), tonumber(ARGV[3]))
if till <= now then return 0 end
redis.call('SET', KEYS[1], string.format('%d:%d', cutoff, till), 'EX', till - now)
return 1
`

/** KEYS: rv:jti, rv:fam, rv:sub (missing parts as ''). ARGV: now iat (or ''). Returns 1 when revoked. */
export const IS_REVOKED = `
local now = tonumber(ARGV[1])
if KEYS[1] ~= '' and tonumber(redis.call('GET', KEYS[1]) or '0') > now then return 1 end
if KEYS[2] ~= '' and tonumber(redis.call('GET', KEYS[2]) or '0') > now then return 1 end
if KEYS[3] == '' then return 0 end
local c, e = string.match(redis.call('GET', KEYS[3]) or '0:0', '^(%d+):(%d+)$')
if tonumber(e) <= now then return 0 end
if ARGV[2] == '' or tonumber(ARGV[2]) < tonumber(c) then return 1 end
return 0
`
