import { registerStoreContract } from '../contract/store-contract.js';
import { testRedisUrl, uniquePrefix } from '../../setup/redis-env.js';
import { TieredStore } from '../../../lib/tiered.js';

// Memory L1 over the real Redis, with the pub/sub bus running; real time.
registerStoreContract(
  'tiered',
  async () => {
    const store = new TieredStore({ redis: { url: testRedisUrl(), prefix: uniquePrefix('tiered-contract') } });
    if (!(await store.ready(5000))) throw new Error('tiered store did not connect');
    return { store };
  },
  { validatesValues: true, ttl: 500 },
);
