import { AsyncLocalStorage } from 'node:async_hooks';
import { AsyncTTL, TTLInvalidator, type CacheStore } from '../../lib/index.js';

/** The tenant of the current "request": a plain AsyncLocalStorage, as an application keeps one. */
export const tenant = new AsyncLocalStorage<string>();

/** Runs `run` as a request of tenant `id`. */
export const inTenant = <T>(id: string, run: () => Promise<T>): Promise<T> => tenant.run(id, run);

/**
 * A settings service cached in `store` per tenant (`vary`), with an
 * invalidator; `loads` lists `tenant:name` for each load.
 */
export function tenantSettings(store: CacheStore) {
  const loads: string[] = [];
  class Settings {
    @AsyncTTL({ ttl: '5m', store, vary: () => (tenant.getStore() === undefined ? undefined : [tenant.getStore()!]) })
    async get(name: string): Promise<string> {
      loads.push(`${tenant.getStore()}:${name}`);
      return `${tenant.getStore()}:${name}:${loads.length}`;
    }

    @TTLInvalidator(() => Settings.prototype.get)
    async set(_name: string): Promise<void> {}
  }
  return { svc: new Settings(), loads };
}
