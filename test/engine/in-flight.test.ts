import { describe, expect, it } from '@jest/globals';
import { InFlight } from '../../lib/engine/in-flight.js';

describe('InFlight', () => {
  it('finds each key’s load, whether it holds the solo slot or sits in the map', () => {
    const loads = new InFlight();
    expect(loads.count).toBe(0);
    const a = loads.begin('a');
    const b = loads.begin('b');
    const c = loads.begin(3);
    expect(loads.count).toBe(3);
    expect(loads.running('a')).toBe(a);
    expect(loads.running('b')).toBe(b);
    expect(loads.running(3)).toBe(c);
    expect(loads.running('d')).toBeUndefined();
    loads.release('a', a);
    expect(loads.running('a')).toBeUndefined();
    expect(loads.running('b')).toBe(b);
    loads.release('b', b);
    loads.release(3, c);
    expect(loads.count).toBe(0);
  });

  it('treats NaN keys as equal, as a Map does', () => {
    const loads = new InFlight();
    const first = loads.begin(NaN);
    expect(loads.running(NaN)).toBe(first);
    loads.begin('other');
    const second = loads.begin(NaN);
    expect(loads.running(NaN)).toBe(second);
  });

  it('replaces the load of a key; releasing the replaced one leaves the new one registered', () => {
    const loads = new InFlight();
    loads.begin('x'); // takes the solo slot
    const old = loads.begin('k');
    loads.release('x', loads.running('x')!);
    const fresh = loads.begin('k'); // the solo slot is free: the map's entry for k must go
    loads.release('k', old);
    expect(loads.running('k')).toBe(fresh);
    expect(loads.count).toBe(1);
  });

  it('abandons one key or all: the loads are stale and no longer found', () => {
    const loads = new InFlight();
    const a = loads.begin('a');
    const b = loads.begin('b');
    loads.abandon('a');
    expect(a.stale).toBe(true);
    expect(loads.running('a')).toBeUndefined();
    expect(loads.mayStore(b, 'b')).toBe(true);
    loads.abandonAll();
    expect(loads.count).toBe(0);
    expect(loads.running('b')).toBeUndefined();
    expect(b.stale).toBe(false);
    expect(loads.mayStore(b, 'b')).toBe(false); // started before the clear
    expect(loads.mayStore(loads.begin('b'), 'b')).toBe(true);
  });

  it('keeps values out while mutation windows are open, counting nested windows', () => {
    const loads = new InFlight();
    const load = loads.begin('k');
    const other = loads.begin('o');
    loads.beginMutation('k');
    loads.beginMutation('k');
    expect(loads.mayStore(load, 'k')).toBe(false);
    expect(loads.mayStore(other, 'o')).toBe(true);
    loads.endMutation('k');
    expect(loads.mayStore(load, 'k')).toBe(false);
    loads.endMutation('k');
    expect(loads.mayStore(load, 'k')).toBe(true);
    loads.beginClearAll();
    expect(loads.mayStore(other, 'o')).toBe(false);
    loads.endClearAll();
    loads.endClearAll(); // unbalanced: ignored
    expect(loads.mayStore(other, 'o')).toBe(true);
  });
});
