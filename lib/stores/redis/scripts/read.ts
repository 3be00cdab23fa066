import { MAGIC } from '../keyspace.js';
import { BASE, SAFE, STALE, TAGS } from './fragments.js';
import { Script } from './loader.js';

/**
 * ARGV: mode ('f' fresh values, 's' values within their stale window too, 'h' fresh 1/0), the largest
 * entry in bytes, key suffixes... Returns one row per suffix, then `fixed`.
 * Entries invalidated by a tag are deleted and read as misses; tagged entries that cannot be checked
 * here (Cluster) are returned as they are, in every mode. Entries of another Redis type or over the
 * size limit are deleted and returned as their markers (see SAFE).
 */
export const READ = new Script(
  'read',
  `${SAFE}${STALE}${TAGS}
local g = current_generation()
local out = {}
local last = #ARGV - 1
if not g then
  for i = 3, #ARGV do out[i - 2] = false end
  out[last] = fixed
  return out
end
${BASE}
local mode, limit, tk = ARGV[1], tonumber(ARGV[2]), KEYS[2]
for i = 3, #ARGV do
  local k = base .. ARGV[i]
  local v, bad = entry(k, limit)
  if v and mode ~= 's' and stale(k, v) then v = false end
  local ok = v and live(tk, v)
  if v and ok == false then
    redis.call('DEL', k)
    v = false
  end
  if bad then
    out[i - 2] = bad
  elseif mode == 'h' and ok ~= nil then
    out[i - 2] = (v and string.sub(v, 1, ${MAGIC.length + 1}) == '${MAGIC}|') and 1 or 0
  elseif v and mode ~= 'h' then
    out[i - 2] = row(k, v)
  else
    out[i - 2] = v
  end
end
out[last] = fixed
return out
`,
);
