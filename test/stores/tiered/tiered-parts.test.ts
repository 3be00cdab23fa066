/**
 * The parts a tiered store is made of, without Redis: load tokens, the wire
 * form of keys, peers' invalidations applied in L2, and the L2 capabilities
 * the store uses when present (an in-process L2 and bus stand in for Redis).
 */
import { describe, expect, it } from '@jest/globals';
import type { StoreKey } from '../../../lib/keys/keys.js';
import { MemoryStore } from '../../../lib/stores/memory/memory-store.js';
import type { RedisStore } from '../../../lib/stores/redis/index.js';
import type { BusMessage, InvalidationBus } from '../../../lib/stores/tiered/bus-message.js';
import { LoadTokens } from '../../../lib/stores/tiered/load-tokens.js';
import { PeerInvalidations } from '../../../lib/stores/tiered/peer-invalidations.js';
import type { ReplayedInvalidation } from '../../../lib/stores/tiered/shared-tier.js';
import { TieredStore } from '../../../lib/stores/tiered/tiered-store.js';
import { fromWire, wireKey } from '../../../lib/stores/tiered/wire-key.js';

describe('LoadTokens', () => {
  it('a token stays valid until its namespace is invalidated', () => {
    const tokens = new LoadTokens();
    const users = tokens.take('["users"]', 'l2 token');
    const orders = tokens.take('["orders"]', undefined);
    expect(users.l2).toBe('l2 token');
    expect(tokens.valid(users, '["users"]')).toBe(true);
    tokens.bump('["users"]');
    expect(tokens.valid(users, '["users"]')).toBe(false);
    expect(tokens.valid(orders, '["orders"]')).toBe(true);
    expect(tokens.valid(tokens.take('["users"]', undefined), '["users"]')).toBe(true);
  });

  it('voidAll voids every token taken before, in every namespace', () => {
    const tokens = new LoadTokens();
    const before = tokens.take('["a"]', undefined);
    tokens.voidAll();
    expect(tokens.valid(before, '["a"]')).toBe(false);
    expect(tokens.valid(tokens.take('["a"]', undefined), '["a"]')).toBe(true);
  });
});

describe('wire keys', () => {
  it('keep numbers and strings apart', () => {
    expect(wireKey(1)).toEqual(['n', '1']);
    expect(wireKey('1')).toEqual(['s', '1']);
    for (const key of [0, -1.5, 'user:1', '']) expect(fromWire(wireKey(key))).toBe(key);
  });
});

/** A checked bus message a peer published without applying it in Redis. */
const notApplied = (message: Omit<BusMessage, 'v' | 'from' | 'seq' | 'applied'>): BusMessage => ({
  v: 1,
  from: 'peer',
  seq: 1,
  ...message,
  applied: false,
});

describe('PeerInvalidations', () => {
  it('applies a delete, a clear and tags in L2; reads wait until each is done', async () => {
    const l2 = new MemoryStore();
    const users = l2.namespace('users');
    await users.set('a', 1);
    await users.set('b', 2);
    await l2.set('t', 3, { tags: ['red'] });
    const peers = new PeerInvalidations(l2, () => true);
    expect(peers.waitFor('["users"]', 'a')).toBeUndefined();
    peers.apply(notApplied({ op: 'delete', ns: '["users"]', key: wireKey('a') }));
    expect(peers.count).toBe(1);
    const waiting = peers.waitFor('["users"]', 'a');
    expect(waiting).toBeInstanceOf(Promise);
    expect(peers.waitFor('["users"]', 'b')).toBeUndefined(); // another key does not wait
    expect(peers.waitFor('["users"]', undefined)).toBeInstanceOf(Promise); // the whole namespace does
    await waiting;
    await Promise.resolve();
    expect(peers.count).toBe(0);
    expect(await users.get('a')).toBeUndefined();
    expect((await users.get('b'))?.value).toBe(2);

    peers.apply(notApplied({ op: 'clear', ns: '["users"]' }));
    expect(peers.waitFor('["users"]', 'b')).toBeInstanceOf(Promise);
    await peers.waitFor('["users"]', 'b');
    expect(await users.get('b')).toBeUndefined();

    peers.apply(notApplied({ op: 'tags', tags: ['red'] }));
    expect(peers.waitFor('["anything"]', 'x')).toBeInstanceOf(Promise); // tags: every read waits
    await peers.waitFor('["anything"]', 'x');
    expect(await l2.get('t')).toBeUndefined();
  });

  it('ignores malformed namespaces, and opens a bounded number of namespaces this process has not', async () => {
    const l2 = new MemoryStore();
    const peers = new PeerInvalidations(l2, (ns) => ns === '["mine"]');
    for (const ns of ['not json', '{"a":1}', '[""]', '[1]', JSON.stringify(Array.from({ length: 33 }, () => 'a'))]) {
      peers.apply(notApplied({ op: 'clear', ns }));
    }
    expect(peers.count).toBe(0);
    for (let i = 0; i < 300; i++) peers.apply(notApplied({ op: 'clear', ns: JSON.stringify([`foreign${i}`]) }));
    expect(peers.count).toBe(256);
    peers.apply(notApplied({ op: 'clear', ns: '["mine"]' })); // namespaces this process opened are never bounded
    expect(peers.count).toBe(257);
  });
});

/** An in-process bus: what is published is recorded; `deliver` plays a peer's message. */
class LocalBus implements InvalidationBus {
  readonly instanceId = 'local';
  up = true;
  readonly published: Omit<BusMessage, 'v' | 'from' | 'seq'>[] = [];
  readonly #listeners = new Map<string, ((arg: never) => void)[]>();
  async publish(message: Omit<BusMessage, 'v' | 'from' | 'seq'>): Promise<void> {
    this.published.push(message);
  }
  on(event: 'message', listener: (message: BusMessage) => void): void;
  on(event: 'reset', listener: (reason: string) => void): void;
  on(event: string, listener: (arg: never) => void): void {
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), listener]);
  }
  deliver(message: BusMessage): void {
    for (const listener of this.#listeners.get('message') ?? []) (listener as (m: BusMessage) => void)(message);
  }
  async close(): Promise<void> {}
}

/** An L2 with the optional replay capability, in process. */
class ReplayingStore extends MemoryStore {
  listener: ((replays: readonly ReplayedInvalidation[]) => Promise<void>) | undefined;
  onReplay(listener: (replays: readonly ReplayedInvalidation[]) => Promise<void>): () => void {
    this.listener = listener;
    return () => (this.listener = undefined);
  }
}

describe('tiered store over any shared tier', () => {
  it('uses the L2 only through the store contract, tags and its optional capabilities', async () => {
    const l2 = new ReplayingStore();
    const bus = new LocalBus();
    const store = new TieredStore({ redis: l2 as unknown as RedisStore, bus });
    expect(await store.ready()).toBe(true); // no ready() and no connectTimeout on this L2: ready at once
    const users = store.namespace('users', { maxSize: 10 });
    await users.set('a', 1);
    expect(users.sync?.get('a')?.value).toBe(1);
    expect((await l2.namespace('users').get('a'))?.value).toBe(1);
    expect(bus.published).toEqual([{ op: 'delete', ns: '["users"]', key: ['s', 'a'] }]);

    // A peer's invalidation drops the L1 copy.
    bus.deliver({ v: 1, from: 'peer', seq: 1, op: 'delete', ns: '["users"]', key: ['s', 'a'] });
    expect(users.sync?.get('a')).toBeUndefined();

    // Invalidations the L2 replayed after an outage are republished.
    bus.published.length = 0;
    const replays: ReplayedInvalidation[] = [
      { op: 'delete', path: ['users'], key: 7 as StoreKey },
      { op: 'clear', path: [] },
      { op: 'invalidateTags', path: [], tags: ['red'] },
    ];
    await l2.listener?.(replays);
    expect(bus.published).toEqual([
      { op: 'delete', ns: '["users"]', key: ['n', '7'] },
      { op: 'clear', ns: '[]' },
      { op: 'tags', tags: ['red'] },
    ]);
    await store.close();
  });

  it('asks both tiers for every namespace request, and a tier refusing one records nothing', () => {
    const l2 = new MemoryStore();
    const store = new TieredStore({ redis: l2 as unknown as RedisStore, bus: new LocalBus() });
    const orders = store.namespace('orders');
    l2.namespace('orders', { ttl: 1000, user: 'L2 user' }); // the L2 states a ttl of its own
    expect(() => store.namespace('orders', { ttl: 2000, user: 'Orders.find' })).toThrow(/L2 user already set ttl 1000/);
    // Neither the tiered store nor L1 recorded the refused ttl: the L2's one can still be stated.
    store.namespace('orders', { ttl: 1000, user: 'Orders.count' });
    expect(() => store.l1.namespace('orders', { ttl: 2000 })).toThrow(/Orders.count already set ttl 1000/);
    store.namespace('orders', { maxSize: 5 });
    expect(orders.stats().maxSize).toBe(5); // L1 adopted the stated maxSize
    expect(l2.namespace('orders').stats().maxSize).toBe(5);
  });
});
