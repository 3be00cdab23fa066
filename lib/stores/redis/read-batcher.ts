/**
 * The hit path of `getForLoad`: reads made in the same tick go out as one
 * `MGET` of the generation key and the entries under the generation seen
 * last, no script. What `MGET` cannot decide goes to the scripted read.
 */
import type { StoreKey } from '../../keys/keys.js';
import { oversize } from '../../codec/value-size.js';
import { plainPayloadStart } from './keyspace.js';
import { getForLoadScripted, type LoadRead } from './load-read.js';
import type { NamespaceScope } from './scope.js';
import { UNGUARDABLE } from './write-guard.js';

/** Most keys in one hit-path `MGET`. */
const MAX_BATCH = 512;

/** A hit-path read waiting for its namespace's next `MGET`. */
interface BatchedRead {
  readonly key: StoreKey;
  readonly suffix: string;
  readonly resolve: (read: LoadRead | Promise<LoadRead>) => void;
}

/** Batches one namespace's hit-path reads into `MGET`s. */
export class ReadBatcher {
  readonly #scope: NamespaceScope;
  /** Hit-path reads made since the last `MGET`; sent together once the current microtasks ran. */
  #batch: BatchedRead[] | undefined;

  constructor(scope: NamespaceScope) {
    this.#scope = scope;
  }

  /** Queues a read of `key` (its suffix `suffix`) for the next `MGET`. Redis must be available. */
  read(key: StoreKey, suffix: string): Promise<LoadRead> {
    return new Promise((resolve) => {
      let batch = this.#batch;
      if (batch === undefined) {
        batch = this.#batch = [];
        queueMicrotask(this.#flush);
      }
      batch.push({ key, suffix, resolve });
      if (batch.length >= MAX_BATCH) this.#flush();
    });
  }

  readonly #flush = (): void => {
    const batch = this.#batch;
    this.#batch = undefined;
    if (batch !== undefined) this.#mget(batch, 0);
  };

  /**
   * One `MGET` of the generation key and the entries under the generation
   * seen last (one Cluster slot) for every read of the batch. The reply is
   * atomic, so an entry is current exactly when the generation read with it
   * is the one its key was built with; after a `clear()` elsewhere the read
   * is repeated once with the new generation. Entries whose freshness or tags
   * only the server can check (written with a stale window or with tags),
   * undecodable ones, and every miss are read again with READ_FOR_LOAD, which
   * checks them and takes the load token. Redis unavailable or the call
   * failed (already reported): misses whose writes store nothing.
   */
  #mget(batch: readonly BatchedRead[], attempt: number): void {
    const scope = this.#scope;
    const connection = scope.connection;
    const generation = scope.generation;
    const keys = [scope.generationKey];
    for (const read of batch) keys.push(`${scope.base}${generation}:${read.suffix}`);
    connection
      .exec(scope.where, 'getForLoad', scope.name, () => connection.client.mget(...keys))
      .then(
        (reply) => {
          const current = reply[0];
          if (typeof current === 'string' && current !== generation) {
            scope.generation = current;
            if (attempt === 0) return this.#mget(batch, 1);
          }
          batch.forEach((read, i) =>
            read.resolve(
              current === generation
                ? this.#hitOf(read, reply[i + 1])
                : getForLoadScripted(scope, read.key, read.suffix),
            ),
          );
        },
        () => {
          for (const read of batch) read.resolve({ entry: undefined, token: UNGUARDABLE });
        },
      );
  }

  /** The entry an `MGET` read for `read`, or the scripted read when it cannot tell. */
  #hitOf(read: BatchedRead, text: string | null | undefined): LoadRead | Promise<LoadRead> {
    const { header, serializer, maxValueSize } = this.#scope.context;
    // `mk1|<format>[;w<time>]||<payload>`: an empty stale field, so neither a stale window nor tags. An
    // entry over maxValueSize is never decoded, nor an unreadable one: the script deletes and reports it.
    const start = typeof text === 'string' ? plainPayloadStart(header, text) : -1;
    if (typeof text === 'string' && start > 0 && oversize(text, maxValueSize) === undefined) {
      try {
        return { entry: { value: serializer.deserialize(text.slice(start)) }, token: undefined };
      } catch {
        // Read again by the script, which reports the entry as corrupt and deletes it.
      }
    }
    return getForLoadScripted(this.#scope, read.key, read.suffix);
  }
}
