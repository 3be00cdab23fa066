import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { trace } from '@opentelemetry/api';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { AsyncLRU, Cache, invalidateCache, LRUInvalidator, MemoryStore } from '../../lib/index.js';
import { telemetryActive } from '../../lib/api/telemetry.js';
import { otelTestSdk } from '../nest/otel-sdk.js';

/**
 * OpenTelemetry with the real SDK (in-memory readers and exporters): the SDK
 * is registered before the methods are bound, as an application does at
 * startup, and memokit reports to it with no setup of its own.
 */

const sdk = otelTestSdk();
const { spans, points } = sdk;

beforeAll(async () => {
  await sdk.start(); // memokit loads @opentelemetry/api in the background; start() waits for it
  expect(telemetryActive()).toEqual({ metrics: true, tracing: true });
});

afterAll(() => sdk.stop());

/** The value of metric `name` at the data point with these attributes. */
async function value(name: string, attributes: Record<string, string>): Promise<unknown> {
  const found = (await points(name)).find((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v));
  return found?.value;
}

const store = new MemoryStore();

class Accounts {
  @AsyncLRU({ store })
  async get(id: number): Promise<string> {
    return `account ${id}`;
  }

  @AsyncLRU({ store })
  async failing(_id: number): Promise<string> {
    throw new Error('backend down');
  }

  @AsyncLRU({ store, telemetry: false })
  async quiet(id: number): Promise<number> {
    return id;
  }

  @LRUInvalidator(() => Accounts.prototype.get)
  async rename(_id: number): Promise<void> {}
}

describe('OpenTelemetry', () => {
  it('reports calls, loads, durations, entries and invalidations per method and store', async () => {
    const accounts = new Accounts();
    await accounts.get(1); // miss, load
    await accounts.get(1); // hit
    await accounts.get(2); // miss, load
    await expect(accounts.failing(1)).rejects.toThrow('backend down'); // miss, failed load
    await invalidateCache(accounts.get, 1);
    await accounts.quiet(1);

    const get = { 'memokit.method': 'Accounts.get', 'memokit.store': 'memory' };
    expect(await value('memokit.calls', { ...get, result: 'hit' })).toBe(1);
    expect(await value('memokit.calls', { ...get, result: 'miss' })).toBe(2);
    expect(await value('memokit.calls', { ...get, result: 'bypass' })).toBe(0);
    expect(await value('memokit.loads', { ...get, outcome: 'ok' })).toBe(2);
    expect(await value('memokit.loads', { 'memokit.method': 'Accounts.failing', outcome: 'error' })).toBe(1);
    expect(await value('memokit.entries', get)).toBe(1);
    expect(await value('memokit.invalidations', { 'memokit.method': 'Accounts.get' })).toBe(1);
    const durations = (await points('memokit.load.duration')).filter(
      (p) => p.attributes['memokit.method'] === 'Accounts.get',
    );
    expect(durations).toHaveLength(1);
    expect((durations[0]!.value as Histogram).count).toBe(2);
    // telemetry: false: nothing about it
    expect((await points('memokit.calls')).some((p) => p.attributes['memokit.method'] === 'Accounts.quiet')).toBe(
      false,
    );
  });

  it('reports a Cache under its name (a hit from get(), a miss and load from getOrSet); a memory store has no health', async () => {
    const sessions = new Cache({ store: new MemoryStore(), prefix: 'sessions', ttl: '1m' });
    expect(await sessions.getOrSet('s:1', async () => 'alice')).toBe('alice'); // miss, load
    expect(await sessions.get('s:1')).toBe('alice'); // hit
    const attributes = { 'memokit.method': sessions.name, 'memokit.store': 'memory' };
    expect(await value('memokit.calls', { ...attributes, result: 'hit' })).toBe(1);
    expect(await value('memokit.calls', { ...attributes, result: 'miss' })).toBe(1);
    expect(await value('memokit.loads', { ...attributes, outcome: 'ok' })).toBe(1);
    expect(await value('memokit.entries', attributes)).toBe(1);
    expect(await value('memokit.store.available', attributes)).toBeUndefined();
  });

  it("a load's span is the child of the caller's span, carries the key's hash and the outcome; hits make none", async () => {
    spans.reset();
    const accounts = new Accounts();
    const tracer = trace.getTracer('test');
    await tracer.startActiveSpan('GET /accounts/7', async (request) => {
      await accounts.get(7);
      await accounts.get(7); // a hit: no span
      await accounts.failing(7).catch(() => undefined);
      await accounts.quiet(7);
      request.end();
    });
    const finished = spans.getFinishedSpans();
    const request = finished.find((s) => s.name === 'GET /accounts/7')!;
    const loads = finished.filter((s) => s.name.startsWith('memokit.load'));
    expect(loads.map((s) => s.name)).toEqual(['memokit.load Accounts.get', 'memokit.load Accounts.failing']);
    for (const load of loads) {
      expect(load.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
      expect(load.attributes['memokit.key_hash']).toMatch(/^[0-9a-f]{8}$/);
      expect(Object.values(load.attributes)).not.toContain(7); // the key's hash, never the argument
      expect(Object.values(load.attributes)).not.toContain('7');
    }
    expect(loads[0]!.attributes).toMatchObject({ 'memokit.outcome': 'ok', 'memokit.store': 'memory' });
    expect(loads[1]!.attributes).toMatchObject({ 'memokit.outcome': 'error' });
    expect(loads[1]!.status.code).toBe(2); // ERROR
  });

  it("an invalidation from a mutation adds an event to the mutation's span", async () => {
    spans.reset();
    const accounts = new Accounts();
    await trace.getTracer('test').startActiveSpan('PUT /accounts/3', async (mutation) => {
      await accounts.rename(3);
      mutation.end();
    });
    const mutation = spans.getFinishedSpans().find((s) => s.name === 'PUT /accounts/3')!;
    expect(mutation.events.map((e) => e.name)).toEqual(['memokit.invalidate', 'memokit.invalidate']); // before and after
    expect(mutation.events[0]!.attributes).toMatchObject({ 'memokit.method': 'Accounts.get', 'memokit.all': false });
  });
});
