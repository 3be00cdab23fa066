import { SAFE, TAGS } from './fragments.js';
import { Script } from './loader.js';

/** KEYS[1]: tag record. Returns the tag clock now (a load's stamp), creating the record if missing. */
export const TAG_STAMP = new Script(
  'tag-stamp',
  `${SAFE}${TAGS}
return reply(num(tag_clock(KEYS[1], now_us())))
`,
);
