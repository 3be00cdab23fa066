import { afterEach, beforeEach, describe, it } from '@jest/globals';
import { registerStoreContract } from '../../../lib/testing/index.js';
import { connectedStore } from '../../setup/redis-env.js';

// Real server, real time: short TTLs and bounded polling. Every capability but the synchronous operations.
registerStoreContract({
  name: 'redis',
  runner: { describe, it, beforeEach, afterEach },
  create: async () => ({ store: await connectedStore({ label: 'contract' }) }),
  capabilities: ['names', 'namespaceTtl', 'failSafe', 'has', 'setIfNotExists', 'expireIn', 'stats', 'tags'],
  validatesValues: true,
  ttl: 500,
});
