/**
 * memokit `@AsyncLRU` in a process where the OpenTelemetry SDK is registered
 * (a meter provider with a reader, a tracer provider, the AsyncLocalStorage
 * context manager), as an application runs it: memokit reports to it with no
 * setup of its own. The reader is collected from once the case is measured,
 * to prove the SDK was reading memokit's figures all along.
 */
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider, MetricReader, type DataPoint } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { AsyncLRU } from 'memokit';
import type { Build } from './contract.js';
import { buildLru } from './memokit.js';

/** A reader collected on demand (an application's periodic reader does the same on a timer). */
class OnDemandReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

const reader = new OnDemandReader();
const spans = new InMemorySpanExporter();

/** Registers the SDK globally, once per process, before anything is cached. */
function registerSdk(): void {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
}

/**
 * The hit figure of `memokit.calls` for `method` the SDK collects now
 * (`undefined`: memokit reports nothing to it), and the spans ended so far.
 */
export async function collected(method: string): Promise<{ hits: number | undefined; spans: number }> {
  const { resourceMetrics } = await reader.collect();
  const point = resourceMetrics.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .filter((metric) => metric.descriptor.name === 'memokit.calls')
    .flatMap((metric) => metric.dataPoints as DataPoint<number>[])
    .find((p) => p.attributes['memokit.method'] === method && p.attributes.result === 'hit');
  return { hits: point?.value, spans: spans.getFinishedSpans().length };
}

/** `@AsyncLRU({ maxSize })`, with the SDK registered first. */
export const buildLruWithSdk: Build = (spec) => {
  registerSdk();
  return buildLru(spec);
};

/**
 * Spans the tracer recorded for one miss of a probe method (`Probe.get`),
 * made in this process apart from the measured one: 1 when memokit traces to
 * the SDK, so that the measured row's "no span from hits" means something.
 */
export async function probeLoadSpans(): Promise<number> {
  class Probe {
    @AsyncLRU({ maxSize: 1 })
    async get(id: number): Promise<number> {
      return id;
    }
  }
  await new Probe().get(1);
  return spans.getFinishedSpans().filter((span) => span.name === 'memokit.load Probe.get').length;
}
