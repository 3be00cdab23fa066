/**
 * Runs the store's Lua scripts. A script is text until its first run: its
 * SHA1 is computed then (never at import) and kept.
 */
import { createHash } from 'node:crypto';
import type { RedisClient } from '../types.js';

/**
 * A Lua script run with EVALSHA, loaded with EVAL when the server does not
 * know it (NOSCRIPT).
 *
 * @example
 * ```ts
 * const PING_TWICE = new Script('ping-twice', `return { redis.call('PING'), redis.call('PING') }`);
 * await PING_TWICE.run(client, [], []);
 * ```
 */
export class Script {
  /** Names the script in tests and messages. */
  readonly name: string;
  /** The Lua source. */
  readonly lua: string;
  #sha: string | undefined;

  constructor(name: string, lua: string) {
    this.name = name;
    this.lua = lua;
  }

  /** The SHA1 EVALSHA names the script by; computed on first use. */
  get sha(): string {
    return (this.#sha ??= createHash('sha1').update(this.lua).digest('hex'));
  }

  /** Runs with the declared `keys` (all in one Cluster slot) and `args`. */
  run(client: RedisClient, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    return client
      .evalsha(this.sha, keys.length, ...keys, ...args)
      .catch((error: unknown) =>
        error instanceof Error && error.message.startsWith('NOSCRIPT')
          ? client.eval(this.lua, keys.length, ...keys, ...args)
          : Promise.reject(error),
      );
  }
}
