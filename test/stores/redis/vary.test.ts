import { afterAll, describe, expect, it } from '@jest/globals';
import { VaryError } from '../../../lib/index.js';
import { inTenant, tenantSettings } from '../../helpers/tenants.js';
import { entryKeys, uniquePrefix } from '../../setup/redis-env.js';
import { closeOpened, raw, SHARED_STORES } from '../../setup/shared-stores.js';

/**
 * `vary` on a real Redis (a private server) and on a tiered store over it:
 * each context has its own entry in Redis, and an invalidation in one
 * context deletes only that entry. (Two applications sharing one Redis:
 * test/nest-redis/vary.e2e.test.ts.)
 */
afterAll(closeOpened);

describe.each(SHARED_STORES)('vary on the %s store', (_name, open) => {
  it('one entry per context in Redis; an invalidation in one context deletes only its entry', async () => {
    const prefix = uniquePrefix('vary');
    const redis = raw();
    const { svc, loads } = tenantSettings((await open('vary', prefix)).store);
    expect(await inTenant('t1', () => svc.get('theme'))).toBe('t1:theme:1');
    expect(await inTenant('t2', () => svc.get('theme'))).toBe('t2:theme:2');
    expect(await entryKeys(redis, prefix)).toHaveLength(2);
    await inTenant('t1', () => svc.set('theme'));
    expect(await entryKeys(redis, prefix)).toHaveLength(1);
    expect(await inTenant('t2', () => svc.get('theme'))).toBe('t2:theme:2'); // kept
    expect(await inTenant('t1', () => svc.get('theme'))).toBe('t1:theme:3'); // reloaded
    expect(loads).toEqual(['t1:theme', 't2:theme', 't1:theme']);
    await expect(svc.get('theme')).rejects.toBeInstanceOf(VaryError);
    expect(loads).toHaveLength(3);
  });
});
