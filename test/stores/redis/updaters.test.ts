import { afterAll, describe, expect, it } from '@jest/globals';
import { AsyncLRU, LRUUpdater, type CacheStore } from '../../../lib/index.js';
import { registry } from '../../../lib/internal.js';
import { deferred, type Deferred } from '../../helpers/deferred.js';
import { eventually, uniquePrefix } from '../../setup/redis-env.js';
import { closeOpened, SHARED_STORES } from '../../setup/shared-stores.js';

/**
 * Write-through on a real Redis (a private server) and on tiered stores
 * over it: the mutation's result is the entry every process reads next; a
 * process's L1 copy of the old value is dropped.
 */
afterAll(closeOpened);

interface Account {
  id: number;
  name: string;
}

function accounts(store: CacheStore) {
  const state = { loads: 0, gate: undefined as Deferred<void> | undefined, name: 'ada' };
  class Accounts {
    @AsyncLRU({ store })
    async get(id: number): Promise<Account> {
      state.loads++;
      const name = state.name;
      if (state.gate !== undefined) await state.gate.promise;
      return { id, name };
    }

    @LRUUpdater(() => Accounts.prototype.get)
    async rename(id: number, name: string): Promise<Account> {
      state.name = name;
      return { id, name };
    }
  }
  const svc = new Accounts();
  // Each call defines a new class: the registry gives its method a unique id (Accounts.get#2...), its namespace.
  return { svc, state, namespace: registry.of(svc.get)?.namespaceName ?? '' };
}

describe.each(SHARED_STORES)('write-through on the %s store', (_name, open) => {
  it('another process reads the stored result; its copy of the old value is dropped', async () => {
    const prefix = uniquePrefix('updaters');
    const here = accounts((await open('updaters', prefix)).store);
    const peer = (await open('updaters', prefix)).store.namespace(here.namespace);
    expect(await here.svc.get(1)).toEqual({ id: 1, name: 'ada' });
    expect((await peer.get(1))?.value).toEqual({ id: 1, name: 'ada' }); // the peer has a copy (in L1 when tiered)
    await here.svc.rename(1, 'grace');
    expect(await here.svc.get(1)).toEqual({ id: 1, name: 'grace' }); // a hit: the stored result
    expect(here.state.loads).toBe(1);
    await eventually(async () => ((await peer.get(1))?.value as Account | undefined)?.name === 'grace');
  });

  it('a load in flight during the mutation does not overwrite the stored result', async () => {
    const prefix = uniquePrefix('updaters-race');
    const here = accounts((await open('updaters', prefix)).store);
    const peer = (await open('updaters', prefix)).store.namespace(here.namespace);
    here.state.gate = deferred<void>();
    const slow = here.svc.get(2); // reads 'ada', then waits
    await eventually(() => here.state.loads === 1);
    await here.svc.rename(2, 'grace');
    here.state.gate.resolve();
    here.state.gate = undefined;
    expect(await slow).toEqual({ id: 2, name: 'ada' }); // its caller gets what it read
    expect(await here.svc.get(2)).toEqual({ id: 2, name: 'grace' });
    expect(((await peer.get(2))?.value as Account | undefined)?.name).toBe('grace');
    expect(here.state.loads).toBe(1);
  });
});
