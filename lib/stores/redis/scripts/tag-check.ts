import { SAFE, TAGS } from './fragments.js';
import { Script } from './loader.js';

/** KEYS[1]: tag record. ARGV: stamp/tags pairs. Returns 1 (valid) or 0 per pair, then `fixed`. */
export const TAG_CHECK = new Script(
  'tag-check',
  `${SAFE}${TAGS}
local out = {}
for i = 1, #ARGV, 2 do
  out[#out + 1] = tags_valid(KEYS[1], ARGV[i], ARGV[i + 1]) and 1 or 0
end
out[#out + 1] = fixed
return out
`,
);
