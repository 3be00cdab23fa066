import { subscribe as subscribeChannel, unsubscribe } from 'node:diagnostics_channel';
import { storeKeyToString, type StoreKey } from '../keys/keys.js';
import type { InvalidateEvent } from '../util/events.js';
import type { LoadMessage } from '../util/diagnostics.js';
import { sumStats, type MethodCache, type MethodStats } from '../engine/index.js';
import type { CacheStore } from '../stores/contract.js';
import { parseTraceparent, setTraceReader } from '../util/trace-context.js';

/*
 * OpenTelemetry, through `@opentelemetry/api` (an optional peer dependency):
 * loaded once, in the background, when memokit is imported; when it is not
 * installed nothing more happens. Nothing is reported while no SDK is
 * registered: each binding of a cached method checks again (a cheap
 * comparison), so an SDK registered at startup, before the application
 * binds its methods, is found without any call from the application.
 *
 * Metrics are observable instruments read from the counters memokit keeps
 * (the hit path pays nothing); loads are timed and traced from the
 * `memokit:load:*` diagnostics channels (one span per load, never per hit).
 *
 * The API is typed structurally here, for the parts used: no OpenTelemetry
 * type reaches memokit's declarations.
 */

type Attributes = Record<string, string | number | boolean>;

interface ObservableResult {
  observe(instrument: unknown, value: number, attributes?: Attributes): void;
}

interface Meter {
  createObservableCounter(name: string, options?: { description?: string; unit?: string }): unknown;
  createObservableGauge(name: string, options?: { description?: string; unit?: string }): unknown;
  createCounter(
    name: string,
    options?: { description?: string },
  ): { add(value: number, attributes?: Attributes): void };
  createHistogram(
    name: string,
    options?: { description?: string; unit?: string },
  ): { record(value: number, attributes?: Attributes): void };
  addBatchObservableCallback(callback: (result: ObservableResult) => void, observables: unknown[]): void;
}

interface SpanContext {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
  readonly isRemote?: boolean;
}

interface Span {
  spanContext(): SpanContext;
  setAttribute(key: string, value: string | number | boolean): void;
  setStatus(status: { code: number; message?: string }): void;
  recordException(exception: unknown): void;
  addEvent(name: string, attributes?: Attributes): void;
  end(): void;
}

interface Tracer {
  startSpan(
    name: string,
    options: { attributes?: Attributes; links?: { context: SpanContext }[]; root?: boolean },
    context?: unknown,
  ): Span;
}

interface OtelApi {
  metrics: { getMeterProvider(): { getMeter(name: string): Meter } };
  trace: {
    getTracerProvider(): { getDelegate?(): unknown };
    getTracer(name: string): Tracer;
    getActiveSpan(): Span | undefined;
  };
  context: { active(): unknown };
  ProxyTracerProvider: new () => { getDelegate(): unknown };
  createNoopMeter(): object;
  SpanStatusCode: { ERROR: number };
}

let api: OtelApi | undefined;
let loading: Promise<void> | undefined;
/** The meter the instruments were created on (re-created if another SDK is registered). */
let meterInUse: Meter | undefined;
let tracing = false;
/** Every binding of a cached method in this process, with its method's id (the metrics read their figures). */
const bindings = new Map<MethodCache, string>();
/** What the metrics read of a `Cache` (typed here: cache.ts imports this module). */
interface ReportedCache {
  readonly name: string;
  readonly store: CacheStore;
  stats(): MethodStats;
}
/** Every `Cache` (and scope) created in this process, held weakly: one dropped by the application is forgotten. */
const caches = new Set<WeakRef<ReportedCache>>();
/** `telemetry: false` (decorators, `Cache`, the NestJS module): sources never reported. */
const disabled = new Set<string>();
let disabledEverywhere = false;
/** The channel subscriptions made here (channels are process-wide: {@link stopTelemetry} removes them). */
const subscriptions: [string, (message: unknown, name: string | symbol) => void][] = [];

function subscribe(name: string, listener: (message: unknown, name: string | symbol) => void): void {
  subscribeChannel(name, listener);
  subscriptions.push([name, listener]);
}

/**
 * Whether memokit reports to OpenTelemetry now: metric instruments created,
 * load spans subscribed.
 *
 * @internal
 */
export function telemetryActive(): { readonly metrics: boolean; readonly tracing: boolean } {
  return { metrics: meterInUse !== undefined, tracing };
}

/**
 * Stops reporting: unsubscribes from the channels (process-wide, unlike the
 * SDK's registration) and forgets the meter. The next binding checks for an
 * SDK again. For tests.
 *
 * @internal
 */
export function stopTelemetry(): void {
  for (const [name, listener] of subscriptions.splice(0)) unsubscribe(name, listener);
  meterInUse = undefined;
  tracing = false;
  setTraceReader(undefined);
}

/** A short, stable hash of a key (FNV-1a, 32 bits): spans carry it, never the arguments. */
function keyHash(key: StoreKey): string {
  const text = storeKeyToString(key);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/**
 * Starts loading `@opentelemetry/api` (once); resolves when it is loaded or
 * known absent.
 *
 * @internal
 */
export function loadTelemetry(): Promise<void> {
  loading ??= import('@opentelemetry/api').then(
    (module: unknown) => {
      api = ((module as { default?: OtelApi }).default ?? module) as OtelApi;
      refreshTelemetry();
    },
    () => undefined, // not installed: nothing to report to
  );
  return loading;
}

/**
 * Reports to an SDK registered since the last check: creates the metric
 * instruments on its meter, subscribes the load spans. Called at each
 * binding of a cached method; a comparison when nothing changed.
 *
 * @internal
 */
export function refreshTelemetry(): void {
  const otel = api;
  if (otel === undefined || disabledEverywhere) return;
  const meter = otel.metrics.getMeterProvider().getMeter('memokit');
  if (meter !== meterInUse && meter.constructor !== otel.createNoopMeter().constructor) {
    meterInUse = meter;
    instrument(meter);
  }
  if (!tracing) {
    const delegate = otel.trace.getTracerProvider().getDelegate?.();
    if (delegate !== undefined && delegate !== new otel.ProxyTracerProvider().getDelegate()) {
      tracing = true;
      traceLoads(otel);
    }
  }
}

/**
 * Turns telemetry off for `source` (a method id or a cache name), or, with
 * `undefined`, everywhere in this process.
 *
 * @internal
 */
export function disableTelemetry(source: string | undefined): void {
  if (source === undefined) disabledEverywhere = true;
  else disabled.add(source);
}

const reported = (source: string): boolean => !disabledEverywhere && !disabled.has(source);

/**
 * Reports the figures of `engine`, a binding of method `id`, until
 * {@link untrackBinding}.
 *
 * @internal
 */
export function trackBinding(engine: MethodCache, id: string): void {
  bindings.set(engine, id);
}

/**
 * Reports the figures of `cache` (a `Cache` or scope) under its name while
 * the application holds it.
 *
 * @internal
 */
export function trackCache(cache: ReportedCache): void {
  caches.add(new WeakRef(cache));
}

/** Stops reporting a binding (its application shut down). @internal */
export function untrackBinding(engine: MethodCache): void {
  bindings.delete(engine);
}

/** The instruments on `meter`, read from the figures of every binding of every cached method. */
function instrument(meter: Meter): void {
  const calls = meter.createObservableCounter('memokit.calls', { description: 'Calls of cached methods' });
  const loads = meter.createObservableCounter('memokit.loads', { description: 'Loads (calls of the method)' });
  const entries = meter.createObservableGauge('memokit.entries', { description: 'Entries in the store' });
  const evictions = meter.createObservableCounter('memokit.evictions', { description: 'Entries evicted for room' });
  const storeErrors = meter.createObservableCounter('memokit.store.errors', {
    description: 'Store operations that failed (the call went on without the cache)',
  });
  const available = meter.createObservableGauge('memokit.store.available', {
    description: '1 while the Redis store serves calls, else 0',
  });
  const busGaps = meter.createObservableCounter('memokit.bus.gaps', {
    description: "Gaps in a peer's invalidation messages a tiered store saw (each dropped its L1)",
  });
  const duration = meter.createHistogram('memokit.load.duration', { description: 'Load duration', unit: 'ms' });
  const invalidations = meter.createCounter('memokit.invalidations', { description: 'Invalidations' });

  meter.addBatchObservableCallback(
    (result) => {
      // One series per method (or cache) and store name: the bindings of several applications of the process
      // (each its own engine) are summed, a store is available only if every one of theirs is.
      const groups = new Map<string, { id: string; storeName: string; stats: MethodStats[]; stores: CacheStore[] }>();
      const add = (id: string, storeName: string, store: CacheStore, stats: MethodStats): void => {
        const group = `${id}\0${storeName}`;
        let found = groups.get(group);
        if (found === undefined) groups.set(group, (found = { id, storeName, stats: [], stores: [] }));
        found.stats.push(stats);
        found.stores.push(store);
      };
      for (const [engine, id] of bindings) {
        if (reported(id)) add(id, engine.storeName, engine.store, engine.stats());
      }
      for (const ref of caches) {
        const cache = ref.deref();
        if (cache === undefined) caches.delete(ref);
        else if (reported(cache.name)) add(cache.name, cache.store.kind, cache.store, cache.stats());
      }
      for (const { id, storeName, stats, stores } of groups.values()) {
        const s = sumStats(stats);
        const base: Attributes = { 'memokit.method': id, 'memokit.store': storeName };
        result.observe(calls, s.hits, { ...base, result: 'hit' });
        result.observe(calls, s.misses, { ...base, result: 'miss' });
        result.observe(calls, s.failSafeServed + s.staleWhileRevalidateServed + s.timeoutServed, {
          ...base,
          result: 'stale',
        });
        result.observe(calls, s.bypassed, { ...base, result: 'bypass' });
        result.observe(calls, s.inflightJoins, { ...base, result: 'join' });
        result.observe(loads, s.loads - s.loadErrors, { ...base, outcome: 'ok' });
        result.observe(loads, s.loadErrors, { ...base, outcome: 'error' });
        result.observe(loads, s.timeouts, { ...base, outcome: 'timeout' });
        result.observe(entries, s.size, base);
        result.observe(evictions, s.evictions, base);
        result.observe(storeErrors, s.storeErrors, base);
        // A store shared by several bindings counts once.
        const health = [...new Set(stores)].map((store) => store.health?.()).filter((h) => h !== undefined);
        if (health.length > 0) result.observe(available, health.every((h) => h.available) ? 1 : 0, base);
        const gaps = health.map((h) => h.busGaps).filter((n) => n !== undefined);
        if (gaps.length > 0)
          result.observe(
            busGaps,
            gaps.reduce((sum, n) => sum + n, 0),
            base,
          );
      }
    },
    [calls, loads, entries, evictions, storeErrors, available, busGaps],
  );

  const onEnd = (message: unknown): void => {
    const { source, store, durationMs, error } = message as LoadMessage;
    if (durationMs === undefined || !reported(source)) return;
    const outcome = error === undefined ? 'ok' : 'error';
    duration.record(durationMs, { 'memokit.method': source, 'memokit.store': store, outcome });
  };
  subscribe('memokit:load:end', onEnd);
  subscribe('memokit:load:error', onEnd);
  subscribe('memokit:invalidate', (message) => {
    const { source, from } = message as InvalidateEvent;
    // Counted where it was made: another process's, heard over the bus, is that process's figure.
    if (from === undefined && reported(source)) invalidations.add(1, { 'memokit.method': source });
  });
}

/**
 * A span per load, `memokit.load Class.method`, child of the span active
 * where the load started (the caller's), with the key's hash, the store and
 * the outcome; an invalidation adds an event to the active span (the
 * mutation's).
 */
function traceLoads(otel: OtelApi): void {
  const tracer = otel.trace.getTracer('memokit');
  const spans = new WeakMap<object, Span>();
  subscribe('memokit:load:start', (message) => {
    const { source, key, store, refresh } = message as LoadMessage;
    if (!reported(source)) return;
    const attributes: Attributes = {
      'memokit.method': source,
      'memokit.store': store,
      'memokit.key_hash': keyHash(key),
      'memokit.refresh': refresh,
    };
    spans.set(message as object, tracer.startSpan(`memokit.load ${source}`, { attributes }, otel.context.active()));
  });
  const end = (message: unknown): void => {
    const span = spans.get(message as object);
    if (span === undefined) return;
    spans.delete(message as object);
    const { error } = message as LoadMessage;
    span.setAttribute('memokit.outcome', error === undefined ? 'ok' : 'error');
    if (error !== undefined) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: otel.SpanStatusCode.ERROR, message: error instanceof Error ? error.message : undefined });
    }
    span.end();
  };
  subscribe('memokit:load:end', end);
  subscribe('memokit:load:error', end);
  subscribe('memokit:invalidate', (message) => {
    const { source, key, tags, all, from, traceparent } = message as InvalidateEvent;
    if (!reported(source)) return;
    const attributes: Attributes = { 'memokit.method': source, 'memokit.all': all };
    if (key !== undefined) attributes['memokit.key_hash'] = keyHash(key);
    if (tags !== undefined) attributes['memokit.tags'] = tags.join(',');
    if (from === undefined) {
      otel.trace.getActiveSpan()?.addEvent('memokit.invalidate', attributes);
      return;
    }
    // Another process's invalidation, heard over the bus: a span of its own here, linked to the mutation's.
    attributes['memokit.from'] = from;
    const parent = parseTraceparent(traceparent);
    const links =
      parent === undefined
        ? []
        : [{ context: { traceId: parent.traceId, spanId: parent.spanId, traceFlags: parent.flags, isRemote: true } }];
    tracer.startSpan(`memokit.invalidated ${source}`, { attributes, links, root: true }).end();
  });
  // Stores read the active span to record an invalidation's trace and carry it over the tiered bus.
  setTraceReader(() => {
    const context = otel.trace.getActiveSpan()?.spanContext();
    if (context === undefined || !/^[0-9a-f]{32}$/.test(context.traceId) || !/^[0-9a-f]{16}$/.test(context.spanId)) {
      return undefined;
    }
    const flags = (context.traceFlags & 0xff).toString(16).padStart(2, '0');
    return `00-${context.traceId}-${context.spanId}-${flags}`;
  });
}
