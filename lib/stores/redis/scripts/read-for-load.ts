import { BASE, GENERATION_OR_NEW, LOG, STALE, TAGS } from './fragments.js';
import { Script } from './loader.js';

/**
 * Reads for a load. ARGV: new generation, '1' to read the key ('0': token only), suffix, the largest
 * entry in bytes, and for a lease its TTL in ms and id. Returns { entry } on a hit (on a Cluster a
 * tagged entry, unchecked), else the token's parts: { false or the entry's marker (see SAFE),
 * generation, latest delete score, time (us), tag clock or false (Cluster), 1 if another caller holds
 * the lease `<ns>:l:<generation>:<suffix>` (else 0: taken, or no lease asked), fixed }.
 * The generation is created if missing, so a later clear() always changes it. A lease key of another
 * type, or without expiry, was not written by a store: it is replaced.
 */
export const READ_FOR_LOAD = new Script(
  'read-for-load',
  `${GENERATION_OR_NEW}${STALE}${TAGS}${LOG}
${BASE}
local tk = KEYS[2]
local bad = false
if ARGV[2] == '1' then
  local k = base .. ARGV[3]
  local v
  v, bad = entry(k, tonumber(ARGV[4]))
  if v and stale(k, v) then v = false end
  if v then
    local ok = live(tk, v)
    if ok == false then redis.call('DEL', k) else return { row(k, v) } end
  end
end
local c, broken = log_top()
if broken then
  g = ARGV[1]
  redis.call('SET', KEYS[1], g)
end
local n = now_us()
local stamp = false
if tk then stamp = num(tag_clock(tk, n)) end
local held = 0
if ARGV[5] ~= nil and ARGV[5] ~= '' then
  local lk = string.sub(KEYS[1], 1, -2) .. 'l:' .. g .. ':' .. ARGV[3]
  if not redis.call('SET', lk, ARGV[6], 'NX', 'PX', ARGV[5]) then
    local t = redis.call('TYPE', lk)
    if tostring(t.ok or t) ~= 'string' or redis.call('PTTL', lk) < 0 then
      redis.call('SET', lk, ARGV[6], 'PX', ARGV[5])
      fixed = fixed .. 'l'
    else
      held = 1
    end
  end
end
return { bad, g, c, num(n), stamp, held, fixed }
`,
);
