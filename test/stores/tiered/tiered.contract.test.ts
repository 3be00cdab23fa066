import { CACHE_STORE_CAPABILITIES, registerStoreContract } from '../contract/store-contract.js';
import { testRedisUrl, uniquePrefix } from '../../setup/redis-env.js';
import { TieredStore } from '../../../lib/tiered.js';

// Memory L1 over the real Redis, with the pub/sub bus running; real time. Its synchronous operations are L1's
// (a partial tier: misses prove nothing, writes go through the async methods).
registerStoreContract(
  'tiered',
  async () => {
    const store = new TieredStore({ redis: { url: testRedisUrl(), prefix: uniquePrefix('tiered-contract') } });
    if (!(await store.ready(5000))) throw new Error('tiered store did not connect');
    return { store };
  },
  { validatesValues: true, ttl: 500, capabilities: [...CACHE_STORE_CAPABILITIES, 'sync'] },
);
