import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { messages } from '../../lib/util/messages.js';

const root = join(import.meta.dirname, '..', '..');

/** The TypeScript sources under `dir`, recursively. */
function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => readFileSync(join(entry.parentPath, entry.name), 'utf8'));
}

describe('messages: every message is one some code throws or reports', () => {
  it('has no message that lib/ or nest-module/ never uses', () => {
    const code = [...sources('lib'), ...sources('nest-module')].join('\n');
    const unused = Object.keys(messages).filter((key) => !new RegExp(`[mM]essages\\.${key}\\b`).test(code));
    expect(unused).toEqual([]);
  });
});
