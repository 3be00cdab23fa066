import { BASE, CLOCK, GENERATION, LOG } from './fragments.js';
import { Script } from './loader.js';

/**
 * ARGV: suffix, tombstone window (ms). Records the delete in the namespace's delete log (even for a
 * key with no entry: a load of it may be in flight), trims deletes older than the window, then DEL.
 * A log of another Redis type is recreated, and the generation key deleted (loads in flight store nothing).
 */
export const DELETE = new Script(
  'delete',
  `${GENERATION}${CLOCK}${LOG}
local n, window = now_us(), tonumber(ARGV[2])
local c, broken = log_top()
local seq = n
if tonumber(c) >= seq then seq = tonumber(c) + 1 end
redis.call('ZREMRANGEBYSCORE', dk, '-inf', '(' .. num(n - window * 1000))
redis.call('ZADD', dk, num(seq), ARGV[1], num(seq), '\\0~c')
redis.call('PEXPIRE', dk, window * 2)
if not g then return reply(0) end
${BASE}
local removed = redis.call('DEL', base .. ARGV[1])
if broken then redis.call('DEL', KEYS[1]) end
return reply(removed)
`,
);
