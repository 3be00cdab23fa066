import { BASE, GENERATION } from './fragments.js';
import { Script } from './loader.js';

/** ARGV: suffix, entry. Deletes the entry if it is still exactly `entry` (a tagged entry found invalid elsewhere). */
export const DELETE_IF = new Script(
  'delete-if',
  `${GENERATION}
if not g then return reply(0) end
${BASE}
local k = base .. ARGV[1]
local v, bad = entry(k, false)
if bad then fixed = fixed .. 'e' end
if v == ARGV[2] then return reply(redis.call('DEL', k)) end
return reply(0)
`,
);
