import { SAFE } from './fragments.js';
import { Script } from './loader.js';

/** KEYS[1]: a lease key; ARGV[1]: the lease's id. Deletes the lease if it is still that one. */
export const RELEASE_LEASE = new Script(
  'release-lease',
  `${SAFE}
local v = redis.pcall('GET', KEYS[1])
if type(v) == 'table' then
  redis.call('DEL', KEYS[1])
  fixed = 'l'
  return reply(0)
end
if v == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`,
);
