/**
 * The custom store that docs/stores.md ("Writing your own store") shows
 * passes the published contract suite, registered as the page shows it:
 * map-store.ts is the page's store block verbatim, and the registration
 * below is the page's registration (both checked here).
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerStoreContract } from '../../lib/testing/index.js';
import { repoRoot } from '../helpers/transpile.js';
import { MapStore } from './map-store.js';

registerStoreContract({
  name: 'MapStore',
  runner: { describe, it, beforeEach, afterEach },
  create: () => {
    let now = 0;
    return { store: new MapStore(() => now), advance: (ms) => (now += ms) };
  },
});

describe('docs/stores.md: Writing your own store', () => {
  const page = readFileSync(join(repoRoot, 'docs/stores.md'), 'utf8');

  it('shows test/testing/map-store.ts verbatim, as a ```ts block that the docs test runs', () => {
    const store = readFileSync(join(repoRoot, 'test/testing/map-store.ts'), 'utf8');
    expect(page).toContain(`\`\`\`ts\n${store}\`\`\`\n`);
  });

  it('shows the registration this file runs', () => {
    const self = readFileSync(join(repoRoot, 'test/testing/custom-store.contract.test.ts'), 'utf8');
    const registration = /^registerStoreContract\(\{\n[\s\S]*?^\}\);\n/m.exec(self)?.[0];
    expect(registration).toBeDefined();
    expect(page).toContain(registration);
  });
});
