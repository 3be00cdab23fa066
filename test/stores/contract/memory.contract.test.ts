import { MemoryStore } from '../../../lib/stores/memory/memory-store.js';
import { FakeClock } from '../../helpers/deferred.js';
import { registerStoreContract } from './store-contract.js';

registerStoreContract('memory (injected clock)', () => {
  const clock = new FakeClock();
  return { store: new MemoryStore({ clock, max: 10_000 }), advance: (ms) => clock.advance(ms) };
});
