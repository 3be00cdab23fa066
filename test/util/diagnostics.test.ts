import diagnostics from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  AsyncTTL,
  Cache,
  CHANNEL_NAMES,
  channels,
  invalidateCache,
  MemoryStore,
  type ChannelMessages,
} from '../../lib/index.js';
import { MapStore } from '../testing/map-store.js';

/**
 * memokit's diagnostics_channel channels: their names, and what a scripted
 * sequence of hits, misses, loads, a failing load, invalidations and a
 * failing store publishes on each.
 */

type Name = keyof ChannelMessages;
interface Published {
  readonly channel: Name;
  readonly message: ChannelMessages[Name];
}

let unsubscribe: (() => void)[] = [];
afterEach(() => {
  for (const off of unsubscribe) off();
  unsubscribe = [];
});

/** Subscribes to every memokit channel; returns what they publish, in order. */
function record(): Published[] {
  const seen: Published[] = [];
  for (const channel of CHANNEL_NAMES) {
    const listener = (message: unknown): void => {
      seen.push({ channel, message: message as ChannelMessages[Name] });
    };
    diagnostics.subscribe(channel, listener);
    unsubscribe.push(() => diagnostics.unsubscribe(channel, listener));
  }
  return seen;
}

describe('diagnostics_channel', () => {
  it('has exactly the documented plain channel names', () => {
    expect([...CHANNEL_NAMES]).toEqual([
      'memokit:hit',
      'memokit:miss',
      'memokit:load:start',
      'memokit:load:end',
      'memokit:load:error',
      'memokit:invalidate',
      'memokit:store:error',
      'memokit:store:state',
    ]);
    expect(channels.hit).toBe(diagnostics.channel('memokit:hit'));
    expect(channels.storeState).toBe(diagnostics.channel('memokit:store:state'));
  });

  it('publishes a miss, its load, hits, a failing load and an invalidation of a decorated method', async () => {
    const store = new MemoryStore();
    class Users {
      @AsyncTTL({ ttl: '1m', store })
      async find(id: number): Promise<string> {
        if (id < 0) throw new Error('no such user');
        return `user${id}`;
      }
    }
    const users = new Users();
    const seen = record();
    await users.find(1);
    await users.find(1);
    await expect(users.find(-1)).rejects.toThrow('no such user');
    await invalidateCache(users.find, 1);

    const source = 'Users.find';
    expect(seen.map((p) => p.channel)).toEqual([
      'memokit:miss',
      'memokit:load:start',
      'memokit:load:end',
      'memokit:hit',
      'memokit:miss',
      'memokit:load:start',
      'memokit:load:error',
      'memokit:invalidate',
    ]);
    expect(seen.every((p) => (p.message as { source: string }).source === source)).toBe(true);
    const [miss, start, end, hit, , , failed, invalidated] = seen.map((p) => p.message);
    expect(miss).toEqual({ source, key: hit && (hit as ChannelMessages['memokit:hit']).key });
    expect(start).toMatchObject({ source, store: 'memory', refresh: false });
    expect(end).toBe(start); // one object per load: subscribers pair start and end with it
    const ended = end as ChannelMessages['memokit:load:end'];
    expect(ended.refresh).toBe(false);
    expect(ended.durationMs).toBeGreaterThanOrEqual(0);
    const error = failed as ChannelMessages['memokit:load:error'];
    expect(String(error.error)).toMatch(/no such user/);
    expect(error.durationMs).toBeGreaterThanOrEqual(0);
    expect(invalidated).toMatchObject({ source, all: false });
    expect((invalidated as ChannelMessages['memokit:invalidate']).key).toBe(
      (hit as ChannelMessages['memokit:hit']).key,
    );
    await store.close();
  });

  it('publishes the hits, misses and tag invalidations of the manual Cache API', async () => {
    const cache = new Cache({ prefix: 'diag' });
    const seen = record();
    await cache.get('absent');
    await cache.set('k', 1, { tags: ['t'] });
    await cache.get('k');
    await cache.invalidateTags(['t']);
    expect(seen.map((p) => [p.channel, p.message])).toEqual([
      ['memokit:miss', { source: 'diag', key: expect.anything() }],
      ['memokit:hit', { source: 'diag', key: expect.anything() }],
      ['memokit:invalidate', { source: 'diag', tags: ['t'], all: false }],
    ]);
    await cache.close();
  });

  it('publishes a store failure the cache absorbed, naming the operation', async () => {
    /** A store whose reads fail. */
    class FailingReads extends MapStore {
      override namespace(name: string): MapStore {
        const ns = super.namespace(name);
        ns.get = () => Promise.reject(new Error('store down'));
        return ns;
      }
    }
    const failing = new FailingReads();
    class Prices {
      @AsyncTTL({ ttl: '1m', store: failing })
      async price(sku: string): Promise<number> {
        return sku.length;
      }
    }
    const seen = record();
    expect(await new Prices().price('abc')).toBe(3);
    const errors = seen.filter((p) => p.channel === 'memokit:store:error').map((p) => p.message);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ source: 'Prices.price', operation: 'get' });
    expect(String((errors[0] as ChannelMessages['memokit:store:error']).error)).toMatch(/store down/);
  });

  it('publishes a background reload as a load with refresh: true', async () => {
    let now = 0;
    const store = new MemoryStore({ clock: { now: () => now } });
    let version = 0;
    class Rates {
      @AsyncTTL({ ttl: '1s', staleWhileRevalidate: '1m', store })
      async rate(): Promise<number> {
        return ++version;
      }
    }
    const rates = new Rates();
    await rates.rate();
    now += 2_000;
    const seen = record();
    expect(await rates.rate()).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    const loads = seen.filter((p) => p.channel.startsWith('memokit:load'));
    expect(loads.map((p) => [p.channel, (p.message as ChannelMessages['memokit:load:start']).refresh])).toEqual([
      ['memokit:load:start', true],
      ['memokit:load:end', true],
    ]);
    await store.close();
  });
});
