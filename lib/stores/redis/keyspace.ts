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
 * An expiring entry carries its write time (ms since the epoch, base 36) after its format:
 * `mk1|<format>;w<time>|…`. Formats never contain `;`, so a reader that predates it sees the entry of
 * another serializer (a miss, left alone), never a corrupt one; the Lua scripts skip the whole field.
 */
export const MAGIC = 'mk1';

/** `|`, the header's separator. */
export const BAR = '|'.charCodeAt(0);

/** First character of a script's marker for an entry it deleted (see SAFE in scripts/fragments.ts). */
export const BANG = '!'.charCodeAt(0);

/** `mk1|<format>|`: what every entry written with a serializer of that `format` starts with. */
export const headerOf = (format: string): string => `${MAGIC}|${format}|`;

/** What separates an entry's format from its write time: `mk1|<format>;w<time>|`. */
const WRITTEN = ';w';

/** Longest write time read back (base 36): 11 digits reach past the year 10,000; longer ones are corrupt. */
const MAX_WRITTEN_DIGITS = 11;

/** `mk1|<format>;w<time>|`: the header of an entry written at `now` (ms since the epoch). */
export const stampedHeaderOf = (header: string, now: number): string =>
  `${header.slice(0, -1)}${WRITTEN}${Math.max(0, Math.floor(now)).toString(36)}|`;

/** {@link headerLength}'s answer for an entry of another serializer, or not an entry. */
const OTHER = -1;
/** {@link headerLength}'s answer for an entry of this serializer whose write time is unreadable. */
const BAD_TIME = -2;

/** Whether `code` is a base-36 digit as `toString(36)` writes them (`0-9`, `a-z`). */
const isDigit36 = (code: number): boolean => (code >= 48 && code <= 57) || (code >= 97 && code <= 122);

/**
 * The length of `text`'s header if it is an entry of `header`'s serializer
 * (`mk1|<format>|`, or `mk1|<format>;w<time>|` with a time of 1 to 11
 * base-36 digits); else {@link OTHER} or {@link BAD_TIME}. Allocates nothing.
 */
function headerLength(header: string, text: string): number {
  if (text.startsWith(header)) return header.length;
  const format = header.length - 1;
  if (!text.startsWith(WRITTEN, format)) return OTHER;
  for (let i = 0; i < format; i++) if (text.charCodeAt(i) !== header.charCodeAt(i)) return OTHER;
  const from = format + WRITTEN.length;
  for (let i = from; i < text.length && i <= from + MAX_WRITTEN_DIGITS; i++) {
    const code = text.charCodeAt(i);
    if (code === BAR) return i > from ? i + 1 : BAD_TIME;
    if (!isDigit36(code)) return BAD_TIME;
  }
  return BAD_TIME;
}

/**
 * Where the stale field of `text` starts if it is an entry of `header`'s
 * serializer, and its write time if it has one; `undefined`: another
 * serializer's entry (or not an entry). Throws a {@link CorruptEntryError}
 * for a write time that is not a base-36 number of 1 to 11 digits.
 */
function headerEnd(header: string, text: string): { end: number; written: number | undefined } | undefined {
  const end = headerLength(header, text);
  if (end === OTHER) return undefined;
  if (end === BAD_TIME) throw new CorruptEntryError(messages.CORRUPT_ENTRY('bad write time'));
  const written = end === header.length ? undefined : parseInt(text.slice(header.length + 1, end - 1), 36);
  return { end, written };
}

/**
 * Where the payload of `text` starts when it is an entry of `header`'s
 * serializer with an empty stale field (no stale window, no tags), else -1
 * (read it with {@link parseRecord}): the fast read path's test.
 */
export function plainPayloadStart(header: string, text: string): number {
  const end = headerLength(header, text);
  return end > 0 && text.charCodeAt(end) === BAR ? end + 1 : -1;
}

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
  /** When it was written (ms since the epoch, the writer's clock); expiring entries only. */
  readonly written: number | undefined;
}

/**
 * Splits a stored entry into header fields and serialized value. `undefined`
 * for an entry of another serializer (a miss, to leave alone); throws a
 * {@link CorruptEntryError} for anything else unreadable.
 */
export function parseRecord(header: string, text: string): StoredRecord | undefined {
  const head = headerEnd(header, text);
  // Written by another serializer (e.g. during a rolling deploy that changes it): a miss, left alone.
  if (head === undefined && text.startsWith(`${MAGIC}|`)) return undefined;
  if (head === undefined) throw new CorruptEntryError(messages.CORRUPT_ENTRY('not a memokit entry'));
  const { end: start, written } = head;
  const bar = text.indexOf('|', start);
  if (bar < 0) throw new CorruptEntryError(messages.CORRUPT_ENTRY('truncated header'));
  const field = STALE_FIELD.exec(text.slice(start, bar));
  if (field === null) throw new CorruptEntryError(messages.CORRUPT_ENTRY('bad header'));
  const [, , stamp, length] = field;
  if (stamp === undefined || length === undefined) return { text, payload: text.slice(bar + 1), written };
  const end = bar + 1 + Number(length);
  if (end > text.length) throw new CorruptEntryError(messages.CORRUPT_ENTRY('truncated tags'));
  return { text, payload: text.slice(end), stamp, tags: text.slice(bar + 1, end), written };
}
