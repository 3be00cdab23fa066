import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider, MetricReader, type DataPoint } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { loadTelemetry, stopTelemetry } from '../../lib/api/telemetry.js';

/** A metric reader the test collects from when it wants. */
class TestReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

/**
 * (In test/nest so that the NestJS 11 compatibility run, which copies this
 * folder alone, has it.)
 *
 * The real OpenTelemetry SDK with in-memory readers and exporters, registered
 * globally as an application does at startup. `start()` registers it and
 * waits until memokit has loaded the API; `stop()` unsubscribes memokit
 * (diagnostics channels are shared by every test file of a jest worker) and
 * shuts the SDK down.
 */
export function otelTestSdk() {
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const contextManager = new AsyncLocalStorageContextManager();
  return {
    spans,
    async start(): Promise<void> {
      context.setGlobalContextManager(contextManager.enable());
      trace.setGlobalTracerProvider(tracerProvider);
      metrics.setGlobalMeterProvider(meterProvider);
      await loadTelemetry();
    },
    async stop(): Promise<void> {
      stopTelemetry();
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
      contextManager.disable();
    },
    /** Every data point of metric `name`. */
    async points(name: string): Promise<DataPoint<unknown>[]> {
      const { resourceMetrics } = await reader.collect();
      return resourceMetrics.scopeMetrics
        .flatMap((scope) => scope.metrics)
        .filter((metric) => metric.descriptor.name === name)
        .flatMap((metric) => metric.dataPoints as DataPoint<unknown>[]);
    },
  };
}

/**
 * What HTTP instrumentation does, for the tests' Nest applications: a span
 * per request (`GET /path`), active while the request is handled.
 */
export function traceRequests(app: { use(middleware: unknown): unknown }): void {
  const tracer = trace.getTracer('http');
  app.use((req: { method: string; url: string }, res: { on(e: string, f: () => void): void }, next: () => void) => {
    tracer.startActiveSpan(`${req.method} ${req.url}`, (span) => {
      res.on('finish', () => span.end());
      next();
    });
  });
}
