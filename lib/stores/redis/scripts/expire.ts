import { MAGIC } from '../keyspace.js';
import { BASE, GENERATION, TAGS } from './fragments.js';
import { Script } from './loader.js';

/**
 * ARGV: suffix, PX ('' = never expires). PEXPIRE/PERSIST; an entry with a stale
 * window is rewritten without it (a plain TTL from now on), as the memory store does.
 */
export const EXPIRE = new Script(
  'expire',
  `${GENERATION}${TAGS}
if not g then return reply(0) end
${BASE}
local k, px = base .. ARGV[1], ARGV[2]
local v, bad = entry(k, false)
if bad then fixed = fixed .. 'e' end
if not v then return reply(0) end
if live(KEYS[2], v) == false then
  redis.call('DEL', k)
  return reply(0)
end
local _, last, s = string.find(v, '^${MAGIC}|[^|]*|(%d+)')
if s then
  if redis.call('PTTL', k) <= tonumber(s) then return reply(0) end
  local plain = string.sub(v, 1, last - #s) .. string.sub(v, last + 1)
  if px == '' then redis.call('SET', k, plain) else redis.call('SET', k, plain, 'PX', px) end
  return reply(1)
end
if px == '' then redis.call('PERSIST', k) else redis.call('PEXPIRE', k, px) end
return reply(1)
`,
);
