/**
 * The active trace, as the lower layers see it: stores record the trace of
 * an invalidation and carry it over the tiered bus without depending on
 * OpenTelemetry. memokit's telemetry installs the reader when it binds to an
 * SDK; until then there is no trace.
 */

/** W3C `traceparent` of a span: `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`. */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** Reads the active span's `traceparent`; `undefined`: none is active. */
let reader: (() => string | undefined) | undefined;

/**
 * Installs (or, with `undefined`, removes) the reader of the active trace.
 *
 * @internal
 * @example
 * ```ts
 * setTraceReader(() => '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
 * ```
 */
export function setTraceReader(read: (() => string | undefined) | undefined): void {
  reader = read;
}

/**
 * The active span's W3C `traceparent`, when tracing is on and a span is
 * active; `undefined` otherwise (at the cost of one check).
 *
 * @internal
 * @example
 * ```ts
 * const parent = activeTraceparent();
 * ```
 */
export function activeTraceparent(): string | undefined {
  return reader?.();
}

/**
 * The trace id of a W3C `traceparent`; `undefined` for anything that is not
 * a well-formed one (bytes from the bus are untrusted), or an all-zero id.
 *
 * @internal
 * @example
 * ```ts
 * traceIdOf('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'); // '0af7…319c'
 * ```
 */
export function traceIdOf(traceparent: unknown): string | undefined {
  if (typeof traceparent !== 'string' || traceparent.length !== 55) return undefined;
  const match = TRACEPARENT.exec(traceparent);
  const id = match?.[1];
  return id === undefined || /^0+$/.test(id) || /^0+$/.test(match?.[2] ?? '0') ? undefined : id;
}

/**
 * The span id and flags of a well-formed `traceparent` (see {@link traceIdOf}).
 *
 * @internal
 * @example
 * ```ts
 * parseTraceparent(parent)?.spanId;
 * ```
 */
export function parseTraceparent(
  traceparent: unknown,
): { readonly traceId: string; readonly spanId: string; readonly flags: number } | undefined {
  const traceId = traceIdOf(traceparent);
  if (traceId === undefined) return undefined;
  const text = traceparent as string;
  return { traceId, spanId: text.slice(36, 52), flags: Number.parseInt(text.slice(53), 16) };
}
