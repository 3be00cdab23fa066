/**
 * Lua fragments the scripts are built from. Each is plain Lua in a template
 * literal; a script module puts the ones it needs in front of its own body.
 *
 * Namespace scripts get KEYS[1] = the namespace's generation key `<prefix>:{/<ns>}:g`. Entry keys are
 * `<prefix>:{/<ns>}:<generation>:<key>`: they are built inside the script (the generation is only
 * known there) and share KEYS[1]'s hash tag, so they live in the same Cluster slot, as does the
 * namespace's delete log `<prefix>:{/<ns>}:d` (generations are never `d` or `g`).
 * On a single node, KEYS[2] is the store's tag record `<prefix>:{#<prefix>}:tags`, so tagged entries
 * are checked in the same script; on a Cluster it lives in another slot and is absent (the caller
 * checks tagged entries with TAG_CHECK, a second round trip for tagged entries only).
 */
import { MAGIC } from '../keyspace.js';

// checks tagged entries with TAG_CHECK, a second round trip for tagged entries only).
/**
 * Every script starts with this. Any key may hold what another program wrote, including a Redis type
 * the store never writes, so no command that reads a key may abort the script with WRONGTYPE: reads go
 * through `redis.pcall`. `fixed` collects what the call found broken and repaired: `g` generation key,
 * `d` delete log, `t` tag record, `l` lease key (auxiliary keys), `e` an entry key of another Redis
 * type (deleted). Scripts return it with their reply: `reply(result)` is `result`, or `{ result, fixed }`.
 * `entry(k, limit)` reads an entry: its text, or false; a key of another type or a text over `limit`
 * bytes is deleted and described by a marker: `!t<type>` or `!s<bytes>` (never a row, which starts with
 * a digit or `-`). A generation is what `newGeneration()` makes (at most 64 of `[A-Za-z0-9_-]`).
 */
export const SAFE = `
local fixed = ''
local function reply(result)
  if fixed == '' then return result end
  return { result, fixed }
end
local function zscore(k, member, what)
  local s = redis.pcall('ZSCORE', k, member)
  if type(s) == 'table' then
    redis.call('DEL', k)
    fixed = fixed .. what
    return false
  end
  return s
end
local function current_generation()
  local g = redis.pcall('GET', KEYS[1])
  if type(g) == 'table' or (g and (#g > 64 or not string.find(g, '^[%w_%-]+$'))) then
    redis.call('DEL', KEYS[1])
    fixed = fixed .. 'g'
    return false
  end
  return g
end
local function entry(k, limit)
  local v = redis.pcall('GET', k)
  if type(v) == 'table' then
    local t = redis.call('TYPE', k)
    redis.call('DEL', k)
    return false, '!t' .. tostring(t.ok or t)
  end
  if v and limit and #v > limit then
    redis.call('DEL', k)
    return false, '!s' .. #v
  end
  return v, false
end
`;
/** SAFE, then `g`: the namespace's current generation (false: none, or a broken key repaired). */
export const GENERATION = `${SAFE}
local g = current_generation()
`;
/** SAFE, then `g`: the namespace's current generation, created from ARGV[1] if missing. */
export const GENERATION_OR_NEW = `${SAFE}
local g = current_generation()
if not g then
  g = ARGV[1]
  redis.call('SET', KEYS[1], g)
end
`;
/** `base`: what entry keys of generation `g` start with (`<prefix>:{/<ns>}:<g>:`). */
export const BASE = `
local base = string.sub(KEYS[1], 1, -2) .. g .. ':'
`;
/** Server time in microseconds (exact in a Lua double), and integers formatted without exponents. */
export const CLOCK = `
local function now_us()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local function num(x)
  return string.format('%.0f', x)
end
`;
/** Freshness of an entry written with a stale window: the header records it, PTTL says how much is left. */
export const STALE = `
local function stale(k, v)
  local s = string.match(v, '^${MAGIC}|[^|]*|(%d+)')
  return s ~= nil and redis.call('PTTL', k) <= tonumber(s)
end
-- The row a read returns: "<ms of freshness left>;<stored text>", "n;<stored text>" when the key never expires.
-- Freshness left is negative for an entry in its stale window: minus the ms since it expired.
local function row(k, v)
  local ttl = redis.call('PTTL', k)
  if ttl < 0 then return 'n;' .. v end
  local s = string.match(v, '^${MAGIC}|[^|]*|(%d+)')
  if s ~= nil then ttl = ttl - tonumber(s) end
  return string.format('%d', ttl) .. ';' .. v
end
`;
/**
 * The tag record is a sorted set: member `t<tag>` scored with the clock of its last invalidation,
 * `~c` the clock, `~f` the floor (records below it were trimmed; entries stamped before it are invalid).
 * A missing record (never created, or lost) is created with floor = now: entries stamped earlier are invalid.
 * A record of another Redis type, or with only one of `~c` and `~f`, is recreated the same way.
 */
export const TAGS = `${CLOCK}
local function tag_clock(tk, n)
  local c, f = zscore(tk, '~c', 't'), zscore(tk, '~f', 't')
  if not c or not f then
    if c or f then fixed = fixed .. 't' end
    n = math.max(n, tonumber(c or '0'))
    redis.call('ZADD', tk, num(n), '~c', num(n), '~f')
    return n
  end
  c = tonumber(c)
  if c > n then return c end
  return n
end
local function tags_valid(tk, stamp, json)
  local f = zscore(tk, '~f', 't')
  stamp = tonumber(stamp)
  if not f or not stamp or stamp < tonumber(f) then return false end
  local ok, tags = pcall(cjson.decode, json)
  if not ok or type(tags) ~= 'table' then return false end
  for _, tag in ipairs(tags) do
    local at = redis.call('ZSCORE', tk, 't' .. tostring(tag))
    if at and tonumber(at) > stamp then return false end
  end
  return true
end
-- true: live (untagged, or tags valid); false: invalidated by a tag; nil: tagged, not checkable here.
local function live(tk, v)
  local _, e, stamp, n = string.find(v, '^${MAGIC}|[^|]*|%d*t(%d+),(%d+)|')
  if not e then return true end
  if not tk then return nil end
  return tags_valid(tk, stamp, string.sub(v, e + 1, e + tonumber(n)))
end
`;
/**
 * The namespace's delete log `<ns>:d` (see GUARD). `log_top()` returns its latest score ('0': none) and
 * whether it was of another Redis type (then deleted): the deletes it recorded are lost, and each
 * caller makes loads in flight store nothing by changing the namespace's generation.
 */
export const LOG = `
local dk = string.sub(KEYS[1], 1, -2) .. 'd'
local function log_top()
  local before = #fixed
  local s = zscore(dk, '\\0~c', 'd')
  return s or '0', #fixed > before
end
`;
/**
 * The write guard. The namespace's delete log `<ns>:d` is a sorted set: member = key suffix, score =
 * the clock of its last delete (server microseconds, kept strictly increasing), and member `\0~c`
 * (never a key suffix) the latest of them. A load token records the generation, that latest score and
 * the server time when the load started. A guarded write stores nothing if the generation changed
 * (clear) or the log lost its latest score (evicted), and skips each key deleted after the token.
 * Deletes older than the tombstone window are trimmed, so a write whose load took longer than the
 * window, while something in the namespace was deleted, stores nothing (conservative).
 * ARGV[3..6]: generation ('' = unguarded), latest score, time (us), window (ms). `guard(g)` returns
 * whether to write at all, and the score above which a key's delete skips it (false: no check).
 * A log of another Redis type stores nothing and starts a new generation (ARGV[1]).
 */
export const GUARD = `${LOG}
local function guard(g)
  if ARGV[3] == '' then return true, false end
  if g ~= ARGV[3] then return false, false end
  local top, broken = log_top()
  if broken then
    redis.call('SET', KEYS[1], ARGV[1])
    return false, false
  end
  local c, c0 = tonumber(top), tonumber(ARGV[4])
  if c == c0 then return true, false end
  if c < c0 then return false, false end
  if now_us() - tonumber(ARGV[5]) > tonumber(ARGV[6]) * 1000 then return false, false end
  return true, c0
end
local function deleted(since, suffix)
  if not since then return false end
  local s = redis.call('ZSCORE', dk, suffix)
  return s ~= false and s ~= nil and tonumber(s) > since
end
`;
/**
 * `g` for a write: an unguarded write (ARGV[3] '') creates a missing generation from ARGV[1]; a
 * guarded one without a generation stores nothing (its load started before a clear).
 */
export const GENERATION_GUARDED = `
local g = current_generation()
if ARGV[3] == '' and not g then
  g = ARGV[1]
  redis.call('SET', KEYS[1], g)
end
if not g then return reply(0) end
`;
