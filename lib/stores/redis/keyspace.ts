/**
 * The Redis key space of a store and the header of its entries. A namespace
 * `<path>` of prefix `<prefix>` owns, in one Cluster slot (the braces are a
 * hash tag):
 * - entries `<prefix>:{/<path>}:<generation>:<key suffix>`,
 * - its generation key `<prefix>:{/<path>}:g` (a clear writes a new one),
 * - its delete log `<prefix>:{/<path>}:d` (see the write guard),
 * - leases `<prefix>:{/<path>}:l:<generation>:<key suffix>`.
 *
 * The store's tag record `<prefix>:{#<prefix>}:tags` lives in a slot of its own.
 * Generations are never `d`, `g` or `l`, so none of these collide.
 */
import { randomBytes } from 'node:crypto';
import { storeKeyToString, type StoreKey } from '../../keys/keys.js';
import { CorruptEntryError } from '../../codec/errors.js';
import { messages } from '../../util/messages.js';

/**
 * Stored entries start with `mk1|<format>|<failSafe>|`; the Lua scripts parse the same header.
 * A tagged entry adds its tag clock reading and the byte length of its tags (an ASCII JSON array) to
 * the stale field, and the tags before the value: `mk1|<format>|<failSafe>t<stamp>,<length>|<tags><value>`.
 */
export const MAGIC = 'mk1';

/** `|`, the header's separator. */
export const BAR = '|'.charCodeAt(0);

/** First character of a script's marker for an entry it deleted (see SAFE in scripts/fragments.ts). */
export const BANG = '!'.charCodeAt(0);

/** `mk1|<format>|`: what every entry written with a serializer of that `format` starts with. */
export const headerOf = (format: string): string => `${MAGIC}|${format}|`;

/** Drawn on first use (never at import): what makes generations of this process unique. */
let processTag: string | undefined;
let generationCounter = 0;

/** A process-unique generation token: 8 random characters and a counter (no `:` or `|`). */
export const newGeneration = (): string =>
  `${(processTag ??= randomBytes(6).toString('base64url'))}${(generationCounter++).toString(36)}`;

/** Namespace names become one hash-tag segment: `%`, `/`, braces and surrogates are escaped as `%XXXX`. */
const escapeSegment = (name: string): string =>
  name.replace(/[%/{}\uD800-\uDFFF]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** The generation key `<prefix>:{/<path>}:g` of a namespace. */
export const generationKeyOf = (prefix: string, path: readonly string[]): string =>
  `${prefix}:{/${path.map(escapeSegment).join('/')}}:g`;

/** The store's tag record `<prefix>:{#<prefix>}:tags`. */
export const tagKeyOf = (prefix: string): string => `${prefix}:{#${prefix}}:tags`;

/**
 * The key suffix for `key`. Redis keys are bytes and ioredis sends UTF-8, which
 * turns lone surrogates into U+FFFD: such strings are JSON-escaped behind a
 * `\0~w` marker (canonical keys from keys.ts start with `\0` and a type letter,
 * never `~`; plain string keys never start with `\0`).
 */
export function suffixOf(key: StoreKey): string {
  const text = storeKeyToString(key);
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed() ? text : `\0~w${JSON.stringify(text)}`;
}

/** A script's integer reply 1 (a string when the client runs with `stringNumbers`). */
export const isOne = (reply: unknown): boolean => reply === 1 || reply === '1';

/** A JSON array of tags with every non-ASCII character escaped, so that its length is its byte length. */
export const tagsJson = (tags: readonly string[]): string =>
  JSON.stringify(tags).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** The stale field of a stored entry: `<failSafe>` or `<failSafe>t<stamp>,<tags length>`. */
const STALE_FIELD = /^(\d*)(?:t(\d+),(\d+))?$/;

/** A stored entry split into its parts; `tags` and `stamp` only for tagged entries. */
export interface StoredRecord {
  readonly text: string;
  readonly payload: string;
  readonly stamp?: string;
  readonly tags?: string;
}

/**
 * Splits a stored entry into header fields and serialized value. `undefined`
 * for an entry of another serializer (a miss, to leave alone); throws a
 * {@link CorruptEntryError} for anything else unreadable.
 */
export function parseRecord(header: string, text: string): StoredRecord | undefined {
  // Written by another serializer (e.g. during a rolling deploy that changes it): a miss, left alone.
  if (!text.startsWith(header) && text.startsWith(`${MAGIC}|`)) return undefined;
  if (!text.startsWith(header)) throw new CorruptEntryError(messages.CORRUPT_ENTRY('not a memokit entry'));
  const bar = text.indexOf('|', header.length);
  if (bar < 0) throw new CorruptEntryError(messages.CORRUPT_ENTRY('truncated header'));
  const field = STALE_FIELD.exec(text.slice(header.length, bar));
  if (field === null) throw new CorruptEntryError(messages.CORRUPT_ENTRY('bad header'));
  const [, , stamp, length] = field;
  if (stamp === undefined || length === undefined) return { text, payload: text.slice(bar + 1) };
  const end = bar + 1 + Number(length);
  if (end > text.length) throw new CorruptEntryError(messages.CORRUPT_ENTRY('truncated tags'));
  return { text, payload: text.slice(end), stamp, tags: text.slice(bar + 1, end) };
}
