import { connectedStore } from '../../setup/redis-env.js';
import { registerStoreContract } from './store-contract.js';

// Real server, real time: short TTLs and bounded polling (see store-contract.ts).
registerStoreContract('redis', async () => ({ store: await connectedStore({ label: 'contract' }) }), {
  validatesValues: true,
  ttl: 500,
});
