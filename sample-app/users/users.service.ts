import { Injectable } from '@nestjs/common';
import { AsyncLRU, AsyncTTL, LRUInvalidator } from 'memokit';
import { CatalogDatabase, type Order, type Preferences, type User } from '../catalog/catalog.database.js';
import type { RequestContext } from '../request-context.js';

/**
 * The shared `users` scope: one bucket, one limit, for every method that
 * spreads these options (give the limit once, here, so each reports it).
 */
const USERS_SCOPE = { scope: 'users', maxSize: 1000 } as const;

/**
 * The app's shared scopes and the methods in each, for the dashboard: their
 * rows show the scope's bucket (entries, limit), not a figure of their own.
 */
export const SHARED_SCOPES: Readonly<Record<string, readonly string[]>> = {
  [USERS_SCOPE.scope]: ['UsersService.getUser', 'UsersService.getPreferences'],
};

/** Fields an update may change. */
export type UserPatch = Partial<Pick<User, 'name' | 'email'>>;

/**
 * User reads are cached.
 *
 * - `getUser` and `getPreferences` share the `users` scope: one bucket (one
 *   LRU limit) in the module's store, each method's keys kept apart.
 * - `getOrders` takes the request context first and leaves it out of the key
 *   with `skipArgs: 1`: every request has a new context, and its `log`
 *   function could not be part of a key anyway.
 * - `updateUser` evicts that user's `getUser` entry; the write is one
 *   database transaction.
 */
@Injectable()
export class UsersService {
  constructor(private readonly db: CatalogDatabase) {}

  @AsyncLRU({ ...USERS_SCOPE })
  async getUser(id: number): Promise<User | null> {
    return this.db.findUser(id);
  }

  @AsyncLRU({ ...USERS_SCOPE })
  async getPreferences(userId: number): Promise<Preferences | null> {
    return this.db.findPreferences(userId);
  }

  @AsyncTTL({ ttl: '1m', skipArgs: 1 })
  async getOrders(ctx: RequestContext, userId: number): Promise<Order[]> {
    ctx.log(`loading orders of user ${userId}`);
    return this.db.findOrders(userId);
  }

  @LRUInvalidator(() => UsersService.prototype.getUser)
  async updateUser(id: number, patch: UserPatch): Promise<User | null> {
    return this.db.updateUser(id, patch);
  }
}
