import { createParamDecorator, Logger, type ExecutionContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';

/**
 * Per-request data a service may want (for logs, tracing) that must not be
 * part of a cache key: it differs on every request, and its `log` function
 * could not be encoded in a key anyway. Cached methods that take it first use
 * `skipArgs: 1`.
 */
export interface RequestContext {
  readonly requestId: string;
  log(message: string): void;
}

const logger = new Logger('Request');

/** Injects the {@link RequestContext} of the current HTTP request (from `x-request-id`, or a new id). */
export const Ctx = createParamDecorator((_data: unknown, context: ExecutionContext): RequestContext => {
  const request = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>();
  const header = request.headers['x-request-id'];
  const requestId = typeof header === 'string' && header !== '' ? header : randomUUID();
  return { requestId, log: (message) => logger.debug(`[${requestId}] ${message}`) };
});
