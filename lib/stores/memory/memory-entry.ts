import type { StoreEntry } from '../contract.js';

/** An entry the memory store keeps wrapped: tagged, with a fail-safe window, or read at least once. */
export class MemoryEntry implements StoreEntry {
  promise: Promise<unknown> | undefined = undefined;
  keyHash: number | undefined = undefined;
  constructor(
    readonly value: unknown,
    /** Clock reading after which the entry is stale (served to getFailSafe only); 0: never stale. */
    readonly freshUntil: number,
    /** Tags of the entry, checked against the store's tag index on every read. */
    readonly tags: readonly string[] | undefined = undefined,
    /** Tag clock when the entry's load started. */
    readonly stamp = 0,
  ) {}
}

/**
 * What the LRU holds for a key: most entries (no tags, no fail-safe window)
 * are kept as the bare value, which saves a wrapper object per entry; the
 * others, `undefined` values and values that are themselves a MemoryEntry
 * as a MemoryEntry. A bare value becomes a MemoryEntry on its first read (see
 * the namespace's `read`), so repeated hits find the settled promise the
 * engine keeps on it.
 */
export type Slot = MemoryEntry | NonNullable<unknown> | null;

/** Whether `value` may be kept bare (see {@link Slot}). */
export const keepsBare = (value: unknown, freshUntil: number, tags: readonly string[] | undefined): boolean =>
  freshUntil === 0 && tags === undefined && value !== undefined && !(value instanceof MemoryEntry);

/** The entry a slot stands for, without storing it (peeks, which must not touch the LRU order). */
export const entryOf = (slot: Slot | undefined): MemoryEntry | undefined =>
  slot === undefined || slot instanceof MemoryEntry ? slot : new MemoryEntry(slot, 0);
