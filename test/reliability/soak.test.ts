/**
 * Soak: 1,000,000 distinct keys through decorated methods whose buckets hold
 * 10,000 entries. The heap must stay flat once the bucket is full, no load may
 * stay in flight, and nothing may leave timers or sockets behind.
 *
 * Heap figures are heapUsed after a full garbage collection. Jest's sandbox has
 * no `gc` even under --expose-gc, so when `globalThis.gc` is missing the test
 * enables it in-process (`v8.setFlagsFromString('--expose-gc')`, then reads
 * `gc` from a fresh vm context), which measures the code under test as
 * compiled by ts-jest, not a possibly stale dist/ build.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import v8 from 'node:v8';
import vm from 'node:vm';
import { AsyncLRU, AsyncTTL, cacheStats, MemoryStore } from '../../lib/index.js';
import type { MethodCache } from '../../lib/index.js';
import { registry } from '../../lib/api/registry.js';

const KEYS = 1_000_000;
const MAX_SIZE = 10_000;
/** Calls issued together: the in-flight map may never exceed this. */
const WAVE = 1_000;
const MB = 1024 * 1024;

function collector(): () => void {
  const own = (globalThis as { gc?: () => void }).gc;
  if (typeof own === 'function') return own;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}
const gc = collector();

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const engineOf = (method: Function): MethodCache => {
  const engine = registry.of(method)?.engines.peekDefault();
  if (engine === undefined) throw new Error('method has no engine yet');
  return engine;
};

/** Active handles and requests by type (timers, sockets, ...). */
function resources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

/** Resource types of which more are active now than in `before` (jest's own come and go, so fewer is fine). */
function leftOpen(before: Map<string, number>): Record<string, number> {
  const extra: Record<string, number> = {};
  for (const [type, n] of resources()) if (n > (before.get(type) ?? 0)) extra[type] = n - (before.get(type) ?? 0);
  return extra;
}

/**
 * {@link leftOpen} once short timers had time to fire: polled for up to 1 s, since on a loaded
 * machine a 1 ms timer may fire late (a timer of an entry's TTL, or one that repeats, stays).
 */
async function leftOpenOnceIdle(before: Map<string, number>): Promise<Record<string, number>> {
  for (let waited = 0; waited < 1_000 && Object.keys(leftOpen(before)).length > 0; waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return leftOpen(before);
}

const figures: string[] = [];
afterAll(() => console.log(`soak:\n  ${figures.join('\n  ')}`));

interface Row {
  readonly id: number;
  readonly payload: string;
}

describe('soak (1,000,000 distinct keys, maxSize 10,000)', () => {
  it('keeps the heap flat, the bucket at maxSize and the in-flight map empty', async () => {
    const store = new MemoryStore({ max: 50 });
    let loads = 0;
    class Rows {
      @AsyncLRU({ maxSize: MAX_SIZE, store })
      async row(id: number): Promise<Row> {
        loads++;
        // ~100 bytes per value, so a leak of even 10% of them would show
        return { id, payload: `row-${id}-`.padEnd(96, '.') };
      }
    }
    const rows = new Rows();
    const before = resources();
    const checkpoints = new Map<number, number>([[0, heapUsed()]]);
    const marks = new Set([MAX_SIZE, 250_000, 500_000, 750_000, KEYS]);
    let maxInflight = 0;
    const started = performance.now();
    for (let next = 0; next < KEYS; next += WAVE) {
      const wave: Promise<Row>[] = [];
      for (let id = next; id < next + WAVE; id++) wave.push(rows.row(id));
      maxInflight = Math.max(maxInflight, engineOf(Rows.prototype.row).inflightCount);
      const done = await Promise.all(wave);
      if (done[WAVE - 1]!.id !== next + WAVE - 1) throw new Error('wrong value');
      if (marks.has(next + WAVE)) checkpoints.set(next + WAVE, heapUsed());
    }
    const ms = Math.round(performance.now() - started);
    const engine = engineOf(Rows.prototype.row);
    const stats = cacheStats(Rows.prototype.row);

    const full = checkpoints.get(MAX_SIZE)!;
    const growth = Math.max(...[...checkpoints].filter(([n]) => n > MAX_SIZE).map(([, heap]) => heap)) - full;
    figures.push(
      `AsyncLRU, ${KEYS} keys in waves of ${WAVE}: ${ms} ms; heapUsed after gc: ` +
        [...checkpoints].map(([n, heap]) => `${n}: ${(heap / MB).toFixed(1)} MB`).join(', ') +
        `; growth after the bucket filled: ${(growth / MB).toFixed(2)} MB; max in flight ${maxInflight}; ` +
        `size ${stats.size}, evictions ${stats.evictions}`,
    );

    expect(loads).toBe(KEYS);
    expect(stats).toMatchObject({ size: MAX_SIZE, evictions: KEYS - MAX_SIZE, misses: KEYS, loads: KEYS });
    expect(engine.inflightCount).toBe(0);
    expect(maxInflight).toBeLessThanOrEqual(WAVE);
    // 990,000 evicted values of ~100+ bytes would be ~150 MB; a flat heap moves by a few MB at most.
    expect(growth).toBeLessThan(8 * MB);
    // the most recent keys are still cached, the oldest are gone
    const hitsBefore = stats.hits;
    await rows.row(KEYS - 1);
    expect(cacheStats(Rows.prototype.row).hits).toBe(hitsBefore + 1);
    await rows.row(0);
    expect(loads).toBe(KEYS + 1);

    // nothing left behind: no new timers, sockets or other handles
    expect(await leftOpenOnceIdle(before)).toEqual({});
  });

  it('TTL buckets on the real clock: composite keys, bounded heap, no timers left once idle', async () => {
    const keys = 200_000;
    const store = new MemoryStore();
    class Sessions {
      @AsyncTTL({ ttl: '5m', maxSize: MAX_SIZE, store })
      async session(tenant: string, id: number, filter: { page: number; tags: string[] }): Promise<string> {
        return `${tenant}:${id}:${filter.page}`;
      }
    }
    const sessions = new Sessions();
    const before = resources();
    const base = heapUsed();
    let full = 0;
    const started = performance.now();
    for (let next = 0; next < keys; next += WAVE) {
      const wave: Promise<string>[] = [];
      for (let id = next; id < next + WAVE; id++) {
        wave.push(sessions.session(`tenant-${id % 7}`, id, { page: id % 3, tags: ['a', `t${id}`] }));
      }
      await Promise.all(wave);
      if (next + WAVE === MAX_SIZE) full = heapUsed();
    }
    const end = heapUsed();
    const ms = Math.round(performance.now() - started);
    const stats = cacheStats(Sessions.prototype.session);
    figures.push(
      `AsyncTTL (real clock), ${keys} composite keys: ${ms} ms; heapUsed after gc: start ${(base / MB).toFixed(1)} MB, ` +
        `full ${(full / MB).toFixed(1)} MB, end ${(end / MB).toFixed(1)} MB; size ${stats.size}`,
    );
    expect(stats.size).toBe(MAX_SIZE);
    expect(engineOf(Sessions.prototype.session).inflightCount).toBe(0);
    expect(end - full).toBeLessThan(8 * MB);
    // lru-cache's TTL clock caches "now" behind a 1 ms unref'd timer; once idle, none remains
    expect(await leftOpenOnceIdle(before)).toEqual({});
  });
});
