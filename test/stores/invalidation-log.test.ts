import { describe, expect, it } from '@jest/globals';
import {
  InvalidationLog,
  LOGGED_KEYS,
  PROCESS_LABEL,
  SAME_DELETE_SLACK_MS,
  knownOrLogged,
  type InvalidationRecord,
} from '../../lib/stores/invalidation-log.js';

const record = (at: number, from: string | undefined, traceId?: string): InvalidationRecord => ({
  kind: 'key',
  at,
  from,
  traceId,
});

describe('InvalidationLog', () => {
  it('remembers the last delete of a key and the last clear, whichever is newer', () => {
    const log = new InvalidationLog();
    expect(log.lastFor('a')).toBeUndefined();
    log.deleted('a', 'peer#1#0000abcd', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(log.lastFor('a')).toMatchObject({
      kind: 'key',
      from: 'peer#1#0000abcd',
      traceId: '0af7651916cd43dd8448eb211c80319c',
    });
    log.cleared();
    expect(log.lastFor('a')).toMatchObject({ kind: 'namespace', from: PROCESS_LABEL });
    expect(log.lastFor('b')).toMatchObject({ kind: 'namespace' });
  });

  it(`keeps the last ${LOGGED_KEYS} keys, forgetting the oldest delete first`, () => {
    const log = new InvalidationLog();
    for (let i = 0; i <= LOGGED_KEYS; i++) log.deleted(i);
    expect(log.lastFor(0)).toBeUndefined();
    expect(log.lastFor(1)).toMatchObject({ kind: 'key' });
    log.deleted(1); // deleted again: now the newest, so 2 goes next
    log.deleted('new');
    expect(log.lastFor(1)).toMatchObject({ kind: 'key' });
    expect(log.lastFor(2)).toBeUndefined();
  });
});

describe('knownOrLogged', () => {
  const known = record(1_000, 'peer#7#0000abcd', 'f5ef4a0403f0cc4cfca2d41574cea917');

  it('keeps the delete known here (its process and trace) when the logged one is the same delete, a little later', () => {
    // Redis logged it a fraction of a millisecond "after" the peer heard of it: clocks read to different precisions.
    expect(knownOrLogged(known, record(1_000.4, undefined))).toBe(known);
    expect(knownOrLogged(known, record(1_000 + SAME_DELETE_SLACK_MS, undefined))).toBe(known);
    expect(knownOrLogged(known, record(990, undefined))).toBe(known);
  });

  it('reports a later delete that only the shared store logged', () => {
    const later = record(1_001 + SAME_DELETE_SLACK_MS, undefined);
    expect(knownOrLogged(known, later)).toBe(later);
    expect(knownOrLogged(undefined, later)).toBe(later);
    expect(knownOrLogged(known, undefined)).toBe(known);
    expect(knownOrLogged(undefined, undefined)).toBeUndefined();
  });
});
