import { SAFE, TAGS } from './fragments.js';
import { Script } from './loader.js';

/**
 * KEYS[1]: tag record. ARGV: tag TTL (ms), tags... Advances the clock (strictly, and at least to the
 * server time), records it for each tag, and trims records older than the tag TTL, raising the floor.
 */
export const INVALIDATE_TAGS = new Script(
  'invalidate-tags',
  `${SAFE}${TAGS}
local tk = KEYS[1]
local n = now_us()
local c, f = zscore(tk, '~c', 't'), zscore(tk, '~f', 't')
if not c or not f then
  c, f = n, n
else
  c, f = tonumber(c), tonumber(f)
end
local seq = math.max(c + 1, n + 1)
local cutoff = n - tonumber(ARGV[1]) * 1000
if cutoff > f then
  redis.call('ZREMRANGEBYSCORE', tk, '-inf', '(' .. num(cutoff))
  f = cutoff
end
redis.call('ZADD', tk, num(seq), '~c', num(f), '~f')
for i = 2, #ARGV do
  redis.call('ZADD', tk, num(seq), 't' .. ARGV[i])
end
return reply(num(seq))
`,
);
