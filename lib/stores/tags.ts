import { LRUCache } from 'lru-cache';
import { messages } from '../util/messages.js';

/**
 * A store that can drop every entry carrying a tag.
 *
 * @example
 * ```ts
 * const target: TagTarget = { invalidateTags: (tags) => store.invalidateTags(tags) };
 * ```
 */
export interface TagTarget {
  /** Makes every entry tagged with one of `tags` unreachable. */
  invalidateTags(tags: readonly string[]): Promise<void>;
}

/** How many invalidated tags an index remembers before it falls back to a conservative floor. */
const MAX_TAG_RECORDS = 100_000;

/**
 * Lazy tag invalidation for in-process stores, without scanning entries.
 *
 * A logical clock `seq` advances on every invalidation. A tagged entry
 * carries the clock reading taken when its load *started*; it is valid only
 * if none of its tags was invalidated after that. So a load that was in
 * flight during an invalidation can never make its (possibly stale) value
 * reachable. Memory stays bounded: at most {@link MAX_TAG_RECORDS} tags are
 * remembered; forgetting one raises a floor below which every tagged entry is
 * treated as invalid (conservative, never stale).
 *
 * @internal
 */
export class TagIndex implements TagTarget {
  #seq = 0;
  #floor = 0;
  readonly #invalidated = new LRUCache<string, number>({
    max: MAX_TAG_RECORDS,
    dispose: (seq, _tag, reason) => {
      if (reason === 'evict' && seq > this.#floor) this.#floor = seq;
    },
  });

  /** The clock reading a load takes when it starts. */
  stamp(): number {
    return this.#seq;
  }

  /** Whether an entry with these tags, loaded from `stamp` on, is still valid. */
  isValid(tags: readonly string[], stamp: number): boolean {
    if (stamp < this.#floor) return false;
    for (const tag of tags) {
      const at = this.#invalidated.get(tag);
      if (at !== undefined && at > stamp) return false;
    }
    return true;
  }

  invalidateTags(tags: readonly string[]): Promise<void> {
    assertTags('invalidateTags', tags);
    this.#seq++;
    for (const tag of tags) this.#invalidated.set(tag, this.#seq);
    return Promise.resolve();
  }
}

const targets = new Set<WeakRef<TagTarget>>();

/**
 * Registers a store whose tags {@link invalidateTags} must reach. Held
 * weakly: a store that is garbage-collected drops out.
 *
 * @internal
 */
export function registerTagTarget(target: TagTarget): void {
  targets.add(new WeakRef(target));
}

/** Validates a tag list (non-empty strings). @internal */
export function assertTags(where: string, tags: unknown): asserts tags is readonly string[] {
  if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string' && t !== '')) {
    throw new TypeError(messages.BAD_TAGS(where, tags));
  }
}

/**
 * Removes every cached entry carrying one of `tags`, in every store of this
 * process that holds tagged entries (and, for Redis-backed stores, in every
 * process sharing them). No key space is scanned.
 *
 * @example
 * ```ts
 * await invalidateTags([`user:${userId}`]);
 * ```
 */
export async function invalidateTags(tags: readonly string[]): Promise<void> {
  assertTags('invalidateTags', tags);
  const live: TagTarget[] = [];
  for (const ref of targets) {
    const target = ref.deref();
    if (target === undefined) targets.delete(ref);
    else live.push(target);
  }
  await Promise.all(live.map((target) => target.invalidateTags(tags)));
}
