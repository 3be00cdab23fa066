import { afterAll, describe, expect, it } from '@jest/globals';
import { AsyncTTL, TTLInvalidator } from '../../../lib/index.js';
import { callOutcome, recordingStore } from '../../../lib/testing/index.js';
import { closeOpened, SHARED_STORES } from '../../setup/shared-stores.js';

/**
 * memokit/testing's recordingStore around a Redis store and a tiered store
 * (a private Redis): the store keeps working as before, and each operation
 * the engine makes is recorded with its outcome.
 */
afterAll(closeOpened);

describe.each(SHARED_STORES)('recordingStore around the %s store', (name, open) => {
  it('records the reads, writes and deletes of a cached method, and changes nothing', async () => {
    const store = recordingStore((await open('recording')).store);
    let loads = 0;
    class Profiles {
      @AsyncTTL({ ttl: '1m', store })
      async get(id: number): Promise<{ id: number }> {
        loads++;
        return { id };
      }

      @TTLInvalidator(() => Profiles.prototype.get)
      async rename(_id: number): Promise<void> {}
    }
    const profiles = new Profiles();
    expect((await callOutcome(profiles.get, () => profiles.get(7))).outcome).toBe('load');
    expect((await callOutcome(profiles.get, () => profiles.get(7))).outcome).toBe('hit');
    await profiles.rename(7);
    expect((await callOutcome(profiles.get, () => profiles.get(7))).outcome).toBe('load');
    expect(loads).toBe(2);

    const ops = store.operations().filter((o) => o.key === 7);
    // A miss reads Redis (the tiered store first misses its L1), then writes; a hit is served without a write.
    const reads = ops.filter((o) => o.op === 'getForLoad' || o.op === 'get');
    expect(reads[0]?.outcome).toBe('miss');
    expect(ops.filter((o) => o.op === 'set')).toHaveLength(2);
    expect(ops.filter((o) => o.op === 'delete')).toHaveLength(2); // the invalidator: before and after
    if (name === 'tiered') expect(ops.some((o) => o.op === 'sync.get' && o.outcome === 'hit')).toBe(true);
    expect(ops.every((o) => o.outcome !== 'error')).toBe(true);
  });
});
