import { describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AsyncLRU, Cache, MemoryStore } from '../../../lib/index.js';
import { FakeClock } from '../../helpers/deferred.js';

const dir = () => mkdtempSync(join(tmpdir(), 'memokit-snapshot-'));

describe('memory store persistence (seed 002: survive process restarts)', () => {
  it('snapshots on close and restores on open: values round-trip losslessly, per namespace', async () => {
    const path = join(dir(), 'nested', 'snapshot.json');
    const first = await MemoryStore.open({ persist: { path } });
    const cache = new Cache({ store: first });
    const users = cache.scope('users');
    const value = { at: new Date(0), ids: new Set([1, 2]), big: 10n, map: new Map([['k', undefined]]) };
    await cache.set('complex', value);
    await users.set('u1', 'Ada');
    await cache.set(42, 'number key');
    await first.close();

    const second = await MemoryStore.open({ persist: { path } });
    const cache2 = new Cache({ store: second });
    expect(await cache2.get('complex')).toEqual(value);
    expect(await cache2.get(42)).toBe('number key');
    expect(await cache2.get('42')).toBeUndefined();
    expect(await cache2.scope('users').get('u1')).toBe('Ada');
    expect(await cache2.get('u1')).toBeUndefined(); // namespaces stay apart
  });

  it('decorated methods find their restored entries (no reload after a restart)', async () => {
    const path = join(dir(), 'snapshot.json');
    let loads = 0;
    const define = (store: MemoryStore) => {
      class Restarted {
        @AsyncLRU({ store })
        async get(id: number): Promise<string> {
          loads++;
          return `v${id}`;
        }
      }
      return new Restarted();
    };
    const before = await MemoryStore.open({ persist: { path } });
    await define(before).get(1);
    await before.close();
    // a "new process": a new class with the same name gets the same namespace id in a fresh registry only,
    // so read the entry through the same namespace the first class used
    const after = await MemoryStore.open({ persist: { path } });
    const saved = JSON.parse(readFileSync(path, 'utf8')) as { namespaces: Record<string, unknown[]> };
    const id = Object.keys(saved.namespaces)[0] ?? '';
    const name = (JSON.parse(id) as string[])[0] ?? '';
    expect(await after.namespace(name).get(1)).toEqual(expect.objectContaining({ value: 'v1' }));
    expect(loads).toBe(1);
  });

  it('drops entries that expired since the snapshot and keeps the remaining TTL of the others', async () => {
    const path = join(dir(), 'snapshot.json');
    const clock = new FakeClock();
    const store = new MemoryStore({ clock });
    const cache = new Cache({ store });
    await cache.set('short', 1, { ttl: '1s' });
    await cache.set('long', 2, { ttl: '1h' });
    await cache.set('forever', 3);
    clock.advance(500);
    await store.snapshot(path);
    const spy = jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 2_000); // two seconds "later"
    try {
      const clock2 = new FakeClock();
      const restored = new MemoryStore({ clock: clock2 });
      expect(await restored.restore(path)).toEqual({ restored: 2, dropped: 1 });
      const cache2 = new Cache({ store: restored });
      expect(await cache2.get('short')).toBeUndefined();
      expect(await cache2.get('long')).toBe(2);
      expect(await cache2.get('forever')).toBe(3);
      clock2.advance(3_600_000 - 500 - 2_000 + 1_000);
      expect(await cache2.get('long')).toBeUndefined();
      expect(await cache2.get('forever')).toBe(3);
    } finally {
      spy.mockRestore();
    }
  });

  it('restored entries keep their age (written before the snapshot, plus the time since); a version 1 file restores them with an unknown age', async () => {
    const path = join(dir(), 'snapshot.json');
    const clock = new FakeClock();
    const store = new MemoryStore({ clock });
    const cache = new Cache({ store, ttl: '1h' });
    await cache.set('a', 1);
    clock.advance(10_000);
    await store.namespace('cache').set('b', 2, { ttl: 3_600_000, failSafe: 3_600_000 }); // with a stale window
    clock.advance(500);
    await store.snapshot(path);
    const saved = JSON.parse(readFileSync(path, 'utf8')) as {
      version: number;
      savedAt: number;
      namespaces: Record<string, unknown[][]>;
    };
    expect(saved.version).toBe(2);
    const spy = jest.spyOn(Date, 'now').mockReturnValue(saved.savedAt + 2_000); // restored two seconds later
    try {
      const restored = new MemoryStore({ clock: new FakeClock() });
      await restored.restore(path);
      const cache2 = new Cache({ store: restored, ttl: '1h' });
      expect(await cache2.explain('a')).toMatchObject({ ageMs: 12_500, ttlLeftMs: 3_600_000 - 12_500 });
      expect(await cache2.explain('b')).toMatchObject({ ageMs: 2_500, ttlLeftMs: 3_600_000 - 2_500 });

      // The same snapshot as version 1 wrote it (no ages): entries come back, their age unknown until rewritten.
      const v1 = {
        ...saved,
        version: 1,
        namespaces: Object.fromEntries(
          Object.entries(saved.namespaces).map(([id, entries]) => [id, entries.map((e) => e.slice(0, 5))]),
        ),
      };
      writeFileSync(path, JSON.stringify(v1));
      const older = new MemoryStore({ clock: new FakeClock() });
      expect(await older.restore(path)).toEqual({ restored: 2, dropped: 0 });
      const cache3 = new Cache({ store: older, ttl: '1h' });
      expect(await cache3.explain('a')).toMatchObject({ ageMs: undefined, ttlLeftMs: 3_600_000 - 12_500 });
      await cache3.set('a', 'rewritten');
      expect(await cache3.explain('a')).toMatchObject({ ageMs: 0, ttlLeftMs: 3_600_000 });
      // A version 2 entry's age must be a number of ms (or null), like every other field.
      const bad = { ...saved, namespaces: { '["cache"]': [['k', '1', 1000, null, null, 'old']] } };
      writeFileSync(path, JSON.stringify(bad));
      const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
      try {
        expect((await new MemoryStore().restore(path)).error?.message).toMatch(/malformed entry/);
      } finally {
        warn.mockRestore();
      }
    } finally {
      spy.mockRestore();
    }
  });

  it('restored entries waiting for their namespace keep counting down: first used (or saved again) later, they expire on time', async () => {
    const path = join(dir(), 'snapshot.json');
    const store = new MemoryStore({ clock: new FakeClock() });
    await new Cache({ store, prefix: 'rates', ttl: '10s' }).set('EUR', 1);
    await store.snapshot(path);
    const savedAt = (JSON.parse(readFileSync(path, 'utf8')) as { savedAt: number }).savedAt;
    const at = jest.spyOn(Date, 'now');
    try {
      at.mockReturnValue(savedAt + 2_000);
      const restored = new MemoryStore({ clock: new FakeClock() });
      expect(await restored.restore(path)).toEqual({ restored: 1, dropped: 0 }); // nobody uses 'rates' yet
      at.mockReturnValue(savedAt + 9_000); // first used 7 s after the restore: 1 s left
      const rates = new Cache({ store: restored, prefix: 'rates', ttl: '10s' });
      expect(await rates.explain('EUR')).toMatchObject({ ttlLeftMs: 1_000, ageMs: 9_000 });

      const waiting = new MemoryStore({ clock: new FakeClock() });
      at.mockReturnValue(savedAt + 2_000);
      await waiting.restore(path);
      at.mockReturnValue(savedAt + 6_000);
      await waiting.snapshot(path); // saved again, still unclaimed: 4 s left
      at.mockReturnValue(savedAt + 11_000); // 5 s after that save: expired
      const later = new MemoryStore({ clock: new FakeClock() });
      expect(await later.restore(path)).toEqual({ restored: 0, dropped: 1 });
    } finally {
      at.mockRestore();
    }
  });

  it('a corrupt or foreign snapshot is reported and ignored; startup never fails', async () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      for (const content of [
        '{not json',
        '{"format":"other"}',
        JSON.stringify({
          format: 'memokit-memory-snapshot',
          version: 1,
          savedAt: 0,
          serializer: 'memokit.v1',
          namespaces: { '[]': [[1]] },
        }),
      ]) {
        const path = join(dir(), 'snapshot.json');
        writeFileSync(path, content);
        const store = await MemoryStore.open({ persist: { path } });
        const result = await store.restore(path);
        expect(result.restored).toBe(0);
        expect(result.error?.message).toMatch(/MemoryStore: the snapshot .* cannot be restored/);
        await new Cache({ store }).set('still works', true);
      }
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('cannot be restored'), {
        code: 'MEMOKIT_SNAPSHOT_CORRUPT',
      });
    } finally {
      warn.mockRestore();
    }
  });

  it('a missing file restores nothing, silently', async () => {
    const store = new MemoryStore();
    expect(await store.restore(join(dir(), 'absent.json'))).toEqual({ restored: 0, dropped: 0 });
  });

  it('values the envelope cannot encode are skipped and counted, not fatal', async () => {
    const path = join(dir(), 'snapshot.json');
    const store = new MemoryStore();
    const cache = new Cache({ store });
    await cache.set('fn', (() => 1) as unknown);
    await cache.set('ok', 1);
    expect(await store.snapshot(path)).toEqual({ saved: 1, skipped: 1 });
  });
});
