import { LOG, SAFE } from './fragments.js';
import { Script } from './loader.js';

/**
 * ARGV: suffix. Returns the score of the key's last delete in the namespace's delete log (server
 * microseconds; false: none within the tombstone window) and the server time (`TIME`'s two fields).
 */
export const INSPECT_LOG = new Script(
  'inspect-log',
  `${SAFE}${LOG}
local s = zscore(dk, ARGV[1], 'd')
local t = redis.call('TIME')
return reply({ s or false, t[1], t[2] })
`,
);
