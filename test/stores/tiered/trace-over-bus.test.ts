import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { trace, type SpanContext } from '@opentelemetry/api';
import { Cache } from '../../../lib/index.js';
import type { TieredStore } from '../../../lib/tiered.js';
import { eventually } from '../../setup/redis-env.js';
import { closeOpened, openTiered, raw } from '../../setup/shared-stores.js';
import { otelTestSdk } from '../../nest/otel-sdk.js';

/**
 * With the real OpenTelemetry SDK (in-memory exporter): an invalidation made
 * in one process inside a span carries that span's trace context over the
 * tiered bus (a private Redis); the process that hears it records a
 * `memokit.invalidated` span linked to the mutation's span, and its
 * explain() names the mutation's trace.
 */
const sdk = otelTestSdk();
beforeAll(() => sdk.start());
afterAll(async () => {
  await closeOpened();
  await sdk.stop();
});

describe('trace context over the tiered bus', () => {
  it("a peer's invalidated span links to the mutation's span; explain names the mutation's trace", async () => {
    const a = await openTiered('trace-bus');
    const b = await openTiered('trace-bus-peer', a.prefix);
    const cacheA = new Cache({ store: a.store, prefix: 'profiles', ttl: '1m' });
    const cacheB = new Cache({ store: b.store, prefix: 'profiles', ttl: '1m' });
    expect(await cacheB.getOrSet('p:7', async () => 'v1')).toBe('v1');
    expect(await cacheA.get('p:7')).toBe('v1'); // the same entry, through Redis

    let mutation: SpanContext | undefined;
    await trace.getTracer('test').startActiveSpan('PUT /profiles/7', async (span) => {
      mutation = span.spanContext();
      await cacheA.delete('p:7');
      span.end();
    });
    const isInvalidated = (name: string): boolean => name.startsWith('memokit.invalidated ');
    await eventually(() => sdk.spans.getFinishedSpans().some((s) => isInvalidated(s.name)));
    const invalidated = sdk.spans.getFinishedSpans().filter((s) => isInvalidated(s.name));
    expect(invalidated).toHaveLength(1); // heard by the peer only: this process's own is an event on its span
    expect(invalidated[0]?.links.map((l) => [l.context.traceId, l.context.spanId])).toEqual([
      [mutation?.traceId, mutation?.spanId],
    ]);
    expect(invalidated[0]?.spanContext().traceId).not.toBe(mutation?.traceId); // its own trace, linked
    expect(invalidated[0]?.attributes['memokit.from']).toEqual(expect.stringMatching(/#[0-9a-f]{8}$/));

    const put = sdk.spans.getFinishedSpans().find((s) => s.name === 'PUT /profiles/7');
    expect(put?.events.map((e) => e.name)).toEqual(['memokit.invalidate']);
    expect((await cacheA.explain('p:7')).lastInvalidation?.traceId).toBe(mutation?.traceId);
    const seenByB = await cacheB.explain('p:7');
    expect(seenByB.lastInvalidation).toMatchObject({ kind: 'key', traceId: mutation?.traceId });
    expect(seenByB.lastInvalidation?.from).toBe(invalidated[0]?.attributes['memokit.from']);
  });

  it('reports each tiered cache as available, and the gaps its bus saw in a peer’s messages', async () => {
    const { store, prefix } = await openTiered('bus-gaps');
    const cache = new Cache({ store, prefix: 'gaps', ttl: '1m' });
    const value = async (name: string): Promise<unknown> =>
      (await sdk.points(name)).find((p) => p.attributes['memokit.method'] === cache.name)?.value;
    expect(await value('memokit.store.available')).toBe(1);
    expect(await value('memokit.bus.gaps')).toBe(0);
    const publisher = raw();
    const message = { v: 1, from: 'ghost', op: 'clear', ns: '["other"]' };
    await publisher.publish(`${prefix}:memokit:bus`, JSON.stringify({ ...message, seq: 1 }));
    await publisher.publish(`${prefix}:memokit:bus`, JSON.stringify({ ...message, seq: 4 })); // 2 and 3 lost
    await eventually(async () => (await value('memokit.bus.gaps')) === 1);
    expect((store as TieredStore).busStats().gaps).toBe(1);
  });
});
