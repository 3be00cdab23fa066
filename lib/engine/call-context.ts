import type { CallOptions } from './method.js';

/**
 * Options handed by `withCacheOptions` to the next decorated call made
 * synchronously inside its callback. The wrapper takes them (and clears them)
 * before running the method, so nested calls never see them.
 *
 * @internal
 */
export const callContext: { pending: CallOptions | undefined } = { pending: undefined };
