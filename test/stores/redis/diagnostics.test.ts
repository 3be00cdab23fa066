/**
 * `memokit:store:state` on a real Redis this suite starts and stops (its own
 * server: the shared one must stay up), and on a tiered store.
 */
import diagnostics from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ChannelMessages, StoreStateMessage } from '../../../lib/index.js';
import { RedisStore } from '../../../lib/stores/redis/index.js';
import { TieredStore } from '../../../lib/tiered.js';
import { startRedisServer, type RedisServer } from '../../setup/redis-server.js';
import { eventually, uniquePrefix } from '../../setup/redis-env.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server.stop();
});

/** Records `memokit:store:state` until the returned `off` is called. */
function states(): { seen: StoreStateMessage[]; off: () => void } {
  const seen: StoreStateMessage[] = [];
  const listener = (message: unknown): void => {
    seen.push(message as ChannelMessages['memokit:store:state']);
  };
  diagnostics.subscribe('memokit:store:state', listener);
  return { seen, off: () => diagnostics.unsubscribe('memokit:store:state', listener) };
}

describe('memokit:store:state', () => {
  it('a Redis store publishes unavailable once when Redis stops, and available when it is back', async () => {
    const prefix = uniquePrefix('diag-state');
    const store = new RedisStore({ url: server.url, prefix, timeout: 100, retryInterval: 50 });
    const { seen, off } = states();
    try {
      expect(await store.ready(5000)).toBe(true);
      await server.stop();
      await eventually(() => seen.length > 0, 5000);
      await store.get('a'); // skipped while down: no second message
      expect(seen).toEqual([
        { store: `RedisStore(${JSON.stringify(prefix)})`, state: 'unavailable', reason: expect.any(String) },
      ]);
      await server.restart();
      await eventually(() => seen.length > 1, 10_000);
      expect(seen[1]).toEqual({ store: `RedisStore(${JSON.stringify(prefix)})`, state: 'available' });
    } finally {
      off();
      await store.close();
    }
  });

  it('a tiered store publishes reset, with the reason, when it drops its in-memory tier', async () => {
    const { seen, off } = states();
    const store = new TieredStore({ redis: { url: server.url, prefix: uniquePrefix('diag-reset') } });
    try {
      expect(await store.ready(5000)).toBe(true);
      // Subscribing to the bus resets L1 (messages before it cannot have been seen).
      await eventually(() => seen.some((m) => m.state === 'reset'), 5000);
      expect(seen.find((m) => m.state === 'reset')).toEqual({
        store: 'TieredStore',
        state: 'reset',
        reason: 'subscribed',
      });
    } finally {
      off();
      await store.close();
    }
  });
});
