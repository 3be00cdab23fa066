import { afterEach, beforeEach, describe, it } from '@jest/globals';
import { NullStore } from '../../../lib/stores/null-store.js';
import { registerStoreContract } from '../../../lib/testing/index.js';

// Caches nothing, but checks values as the Redis store does; no tags, no synchronous operations.
registerStoreContract({
  name: 'null',
  runner: { describe, it, beforeEach, afterEach },
  create: () => ({ store: new NullStore() }),
  capabilities: ['names', 'namespaceTtl', 'failSafe', 'has', 'setIfNotExists', 'expireIn', 'stats'],
  retains: false,
  validatesValues: true,
});
