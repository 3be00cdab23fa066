import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, Inject, Module, Req, Res, type DynamicModule } from '@nestjs/common';
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

/**
 * Prometheus for the sample app: an OpenTelemetry meter provider whose
 * reader is the Prometheus exporter, registered globally at startup (before
 * the app binds its cached methods, so memokit reports to it with no setup
 * of its own), and `GET /metrics` on the app's own port (the exporter's
 * server is not started).
 */
export interface PrometheusMetrics {
  /** The reader `GET /metrics` serves. */
  readonly exporter: PrometheusExporter;
  /** Stops the meter provider (at shutdown). */
  shutdown(): Promise<void>;
}

/**
 * Registers the global meter provider with a Prometheus reader. Call it
 * first, before the app is created.
 *
 * @example
 * ```ts
 * const prometheus = startPrometheus();
 * const app = await createSampleApp({ database, metrics: prometheus.exporter });
 * ```
 */
export function startPrometheus(): PrometheusMetrics {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({ readers: [exporter] });
  metrics.setGlobalMeterProvider(provider);
  return { exporter, shutdown: () => provider.shutdown() };
}

/** Injection token of the exporter `GET /metrics` serves. */
export const PROMETHEUS_EXPORTER = Symbol('PROMETHEUS_EXPORTER');

/** `GET /metrics`: every OpenTelemetry metric of the process (memokit's `memokit_*`), in Prometheus's text format. */
@Controller()
export class MetricsController {
  constructor(@Inject(PROMETHEUS_EXPORTER) private readonly exporter: PrometheusExporter) {}

  @Get('metrics')
  metrics(@Req() request: IncomingMessage, @Res() response: ServerResponse): void {
    this.exporter.getMetricsRequestHandler(request, response);
  }
}

/** The `/metrics` route, serving `exporter`. */
@Module({})
export class MetricsModule {
  static forRoot(exporter: PrometheusExporter): DynamicModule {
    return {
      module: MetricsModule,
      controllers: [MetricsController],
      providers: [{ provide: PROMETHEUS_EXPORTER, useValue: exporter }],
    };
  }
}
