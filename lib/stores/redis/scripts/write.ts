import { BASE, CLOCK, GENERATION_GUARDED, GUARD, SAFE } from './fragments.js';
import { Script } from './loader.js';

/** ARGV: new generation, PX ('' = no expiry), guard (4 args), then suffix/entry pairs. One SET .. PX per entry. */
export const WRITE = new Script(
  'write',
  `${SAFE}${CLOCK}${GUARD}${GENERATION_GUARDED}
local ok, since = guard(g)
if not ok then return reply(0) end
${BASE}
local px, written = ARGV[2], 0
for i = 7, #ARGV, 2 do
  if not deleted(since, ARGV[i]) then
    if px == '' then
      redis.call('SET', base .. ARGV[i], ARGV[i + 1])
    else
      redis.call('SET', base .. ARGV[i], ARGV[i + 1], 'PX', px)
    end
    written = written + 1
  end
end
return reply(written)
`,
);
