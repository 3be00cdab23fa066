import { BASE, GENERATION_GUARDED, GUARD, SAFE, STALE, TAGS } from './fragments.js';
import { Script } from './loader.js';

/**
 * ARGV: new generation, PX, guard (4 args), suffix, entry. SET NX PX; an entry past its fresh time,
 * invalidated by a tag, or of another Redis type, is replaced too.
 */
export const WRITE_IF_ABSENT = new Script(
  'write-if-absent',
  `${SAFE}${TAGS}${GUARD}${GENERATION_GUARDED}${STALE}
local ok, since = guard(g)
if not ok or deleted(since, ARGV[7]) then return reply(0) end
${BASE}
local px, k, v = ARGV[2], base .. ARGV[7], ARGV[8]
local function put(nx)
  if px == '' then
    if nx then return redis.call('SET', k, v, 'NX') end
    return redis.call('SET', k, v)
  end
  if nx then return redis.call('SET', k, v, 'NX', 'PX', px) end
  return redis.call('SET', k, v, 'PX', px)
end
if put(true) then return reply(1) end
local old, bad = entry(k, false)
if bad then fixed = fixed .. 'e' end
if bad or (old and (stale(k, old) or live(KEYS[2], old) == false)) then
  put(false)
  return reply(1)
end
return reply(0)
`,
);
