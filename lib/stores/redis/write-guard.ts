/**
 * The write guard: a load's token, and the arguments that make a write given
 * that token store nothing if, in any process, the namespace was cleared or
 * the key deleted since the load started (checked inside the write's script,
 * see GUARD in scripts/fragments.ts).
 */
import { messages } from '../../util/messages.js';
import type { NamespaceScope } from './scope.js';

/**
 * What `RedisNamespace.getForLoad` and `RedisNamespace.loadToken` return: a
 * snapshot of the namespace taken when a load starts (its generation, the
 * latest delete, the server time, and the tag clock). Pass it as `loadToken`
 * with the loaded value; opaque otherwise.
 */
export class RedisLoadToken {
  constructor(
    /** The generation key of the namespace it was taken in. */
    readonly scope: string,
    readonly generation: string,
    /** Highest score of the namespace's delete log ('0': none). */
    readonly deletes: string,
    /** Server time in microseconds. */
    readonly time: string,
    /** The tag clock (server microseconds), when it was read. */
    readonly stamp: string | undefined,
  ) {}
}

/** The token of a load whose start could not be recorded (Redis unavailable): its write stores nothing. */
export const UNGUARDABLE = new RedisLoadToken('', '', '', '', undefined);

/** Guard arguments of an unguarded write. */
const UNGUARDED = ['', '0', '0', '0'] as const;

/**
 * Script arguments of the write guard for `token` (none given: an unguarded
 * write); `undefined` when the write must store nothing. A TypeError for a
 * token that is not one of this namespace's.
 */
export function guardArgs(scope: NamespaceScope, token: unknown, op: string): readonly string[] | undefined {
  if (token === undefined) return UNGUARDED;
  if (token === UNGUARDABLE) return undefined;
  if (!(token instanceof RedisLoadToken) || token.scope !== scope.generationKey) {
    throw new TypeError(messages.REDIS_BAD_LOAD_TOKEN(`${scope.where}.${op}()`, token));
  }
  return [token.generation, token.deletes, token.time, String(scope.context.tombstoneTtl)];
}
