import { NullStore } from '../../../lib/stores/null-store.js';
import { registerStoreContract } from './store-contract.js';

registerStoreContract('null', () => ({ store: new NullStore() }), { retains: false, validatesValues: true });
