import { afterEach, beforeEach, describe, it } from '@jest/globals';
import { MemoryStore } from '../../../lib/stores/memory/memory-store.js';
import { registerStoreContract, STORE_CAPABILITIES } from '../../../lib/testing/index.js';
import { FakeClock } from '../../helpers/deferred.js';

// Every capability, the synchronous operations included; TTLs on an injected clock.
registerStoreContract({
  name: 'memory (injected clock)',
  runner: { describe, it, beforeEach, afterEach },
  create: () => {
    const clock = new FakeClock();
    return { store: new MemoryStore({ clock, max: 10_000 }), advance: (ms) => clock.advance(ms) };
  },
  capabilities: STORE_CAPABILITIES,
});
