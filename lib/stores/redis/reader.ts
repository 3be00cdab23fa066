/**
 * Reading entries: one READ script call for a batch of keys, and the rows it
 * returns decoded into entries (after the Cluster tag check). Undecodable
 * entries are reported, deleted and read as misses.
 */
import type { StoreKey } from '../../keys/keys.js';
import type { StoreEntry } from '../contract.js';
import { isOne, MAGIC, parseRecord, suffixOf, type StoredRecord } from './keyspace.js';
import { BATCH, type NamespaceScope } from './scope.js';
import { READ } from './scripts/read.js';
import { checkTags } from './tags.js';

/** The entry of `key` (mode `f`: fresh; `s`: in its stale window too); a miss when Redis is unavailable. */
export async function readOne(
  scope: NamespaceScope,
  key: StoreKey,
  mode: 'f' | 's',
  op: string,
): Promise<StoreEntry | undefined> {
  if (!scope.connection.available()) {
    scope.connection.skip();
    return undefined;
  }
  const rows = await readRows(scope, op, mode, [key]);
  const row = rows?.[0];
  if (typeof row !== 'string') return undefined;
  return (await entriesOf(scope, op, [key], [row]))[0];
}

/** The fresh entries of `keys`, in order (one READ call per {@link BATCH} keys); misses when Redis is unavailable. */
export async function readMany(scope: NamespaceScope, keys: readonly StoreKey[]): Promise<(StoreEntry | undefined)[]> {
  const out = new Array<StoreEntry | undefined>(keys.length).fill(undefined);
  if (keys.length === 0) return out;
  if (!scope.connection.available()) {
    scope.connection.skip();
    return out;
  }
  const batches: Promise<void>[] = [];
  for (let start = 0; start < keys.length; start += BATCH) {
    const slice = keys.slice(start, start + BATCH);
    batches.push(
      readRows(scope, 'getMany', 'f', slice).then(async (rows) => {
        if (rows === undefined) return;
        const entries = await entriesOf(scope, 'getMany', slice, rows);
        for (let i = 0; i < slice.length; i++) out[start + i] = entries[i];
      }),
    );
  }
  await Promise.all(batches);
  return out;
}

/** Whether `key` has a fresh entry; `false` when Redis is unavailable. */
export async function hasEntry(scope: NamespaceScope, key: StoreKey): Promise<boolean> {
  if (!scope.connection.available()) {
    scope.connection.skip();
    return false;
  }
  const rows = await readRows(scope, 'has', 'h', [key]);
  const row = rows?.[0];
  // A tagged entry the script could not check (Cluster); otherwise 1 or 0 (a string with stringNumbers).
  if (typeof row === 'string' && row.startsWith(`${MAGIC}|`)) {
    const record = parse(scope, key, row);
    return record !== undefined && (await checkTags(scope, 'has', [key], [record]))[0] === true;
  }
  return isOne(row);
}

/**
 * One READ script call: a row per key (entries the script deleted as foreign
 * or oversized are reported and read as misses); `undefined` when it failed
 * (already counted and reported). Modes: `f` fresh entries, `s` entries in
 * their stale window too, `h` fresh 1/0.
 */
export async function readRows(
  scope: NamespaceScope,
  op: string,
  mode: 'f' | 's' | 'h',
  keys: readonly StoreKey[],
): Promise<unknown[] | undefined> {
  const connection = scope.connection;
  let rows: unknown[];
  try {
    const reply = await connection.exec(scope.where, op, scope.name, () =>
      READ.run(connection.client, scope.keys, [mode, String(scope.context.maxValueSize), ...keys.map(suffixOf)]),
    );
    rows = Array.isArray(reply) ? (reply as unknown[]) : [];
  } catch {
    return undefined;
  }
  scope.fixed(op, rows[keys.length]);
  return keys.map((key, i) => (scope.marker(op, key, rows[i]) ? undefined : rows[i]));
}

/**
 * The entries of rows a script read: decoded, and on a Cluster, tagged ones
 * checked against the tag record first (one more call, for tagged entries only).
 */
export async function entriesOf(
  scope: NamespaceScope,
  op: string,
  keys: readonly StoreKey[],
  rows: readonly unknown[],
): Promise<(StoreEntry | undefined)[]> {
  // Read scripts return "<ms of freshness left>;<stored text>" ("n": no expiry; negative: stale, expired that long ago).
  const expiries: (number | undefined)[] = [];
  const records = keys.map((key, i) => {
    const row = rows[i];
    if (typeof row !== 'string') return undefined;
    const split = row.indexOf(';');
    expiries[i] = freshnessLeft(row.slice(0, split));
    return parse(scope, key, row.slice(split + 1));
  });
  const valid = await checkTags(scope, op, keys, records);
  return records.map((record, i) => {
    if (record === undefined || valid[i] !== true) return undefined;
    const entry = deserialize(scope, keys[i] as StoreKey, record);
    const expiresIn = expiries[i];
    return entry === undefined || expiresIn === undefined ? entry : { value: entry.value, expiresIn };
  });
}

/** A row's freshness field: an integer of at most 16 characters, else unknown (`n`: no expiry, or anything else). */
function freshnessLeft(field: string): number | undefined {
  if (field.length > 16 || !/^-?\d+$/.test(field)) return undefined;
  return Number(field);
}

/**
 * A stored entry split into header fields and serialized value. Entries of
 * another serializer are misses left alone; anything else unreadable is
 * reported as corrupt and deleted.
 */
export function parse(scope: NamespaceScope, key: StoreKey, text: string): StoredRecord | undefined {
  try {
    return parseRecord(scope.context.header, text);
  } catch (cause) {
    scope.corrupt(key, text, cause);
    return undefined;
  }
}

function deserialize(scope: NamespaceScope, key: StoreKey, record: StoredRecord): StoreEntry | undefined {
  try {
    return { value: scope.context.serializer.deserialize(record.payload) };
  } catch (cause) {
    scope.corrupt(key, record.text, cause);
    return undefined;
  }
}
