import 'reflect-metadata';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Inject, Injectable } from '@nestjs/common';
import { AsyncLRU, Cache } from '../../lib/index.js';
import { CacheModule, CacheService } from '../../nest-module/index.js';
import { bootstrap, closeAll } from './helpers.js';

afterEach(closeAll);

@Injectable()
class Users {
  loads = 0;
  @AsyncLRU({ scope: 'users' })
  async getUser(id: string): Promise<{ id: string }> {
    this.loads++;
    return { id };
  }
}

const shared = new Cache({ prefix: 'shared' });

@Injectable()
class Profiles {
  @AsyncLRU({ scope: shared.scope('profiles') })
  async getProfile(id: string): Promise<string> {
    return `profile ${id}`;
  }
}

describe('CacheService.cache (the manual API over a module store)', () => {
  it('gives a Cache over a named store; getOrSet is single-flight; the store stays open', async () => {
    const app = await bootstrap({ imports: [CacheModule.forRoot({ stores: { sessions: { max: 100 } } })] });
    const service = app.get(CacheService);
    const sessions = service.cache<{ user: number }>({ store: 'sessions', prefix: 'sessions', ttl: '15m' });
    let loads = 0;
    const load = async () => {
      loads++;
      return { user: 7 };
    };
    const [a, b] = await Promise.all([sessions.getOrSet('t1', load), sessions.getOrSet('t1', load)]);
    expect(a).toEqual({ user: 7 });
    expect(b).toBe(a);
    expect(loads).toBe(1);
    expect(service.getStore('sessions').namespace('sessions').stats?.().size).toBe(1);

    const close = jest.spyOn(service.getStore('sessions'), 'close');
    await sessions.close();
    expect(close).not.toHaveBeenCalled();
    expect(() => service.cache({ store: 'nope' })).toThrow('CacheService.getStore("nope"): no store of that name.');
  });

  it('shares a scope between decorated methods and the manual API, per application', async () => {
    const boot = () => bootstrap({ imports: [CacheModule.forRoot()], providers: [Users, Profiles] });
    const [a, b] = await Promise.all([boot(), boot()]);
    const users = a.get(Users);
    await users.getUser('u1');
    const scopeA = a.get(CacheService).cache().scope('users');
    const scopeB = b.get(CacheService).cache().scope('users');
    expect(scopeA.store.stats?.().size).toBe(1);
    expect(scopeB.store.stats?.().size).toBe(0);
    await scopeA.clear();
    await users.getUser('u1');
    expect(users.loads).toBe(2);

    // A `Cache` scope given in the decorator is the user's store: not one of the module's.
    expect(
      a
        .get(CacheService)
        .stats()
        .map((m) => [m.id, m.store]),
    ).toEqual([
      ['Users.getUser', 'default'],
      ['Profiles.getProfile', undefined],
    ]);
  });
});

@Injectable()
class Team {
  loads = 0;
  @AsyncLRU({ scope: 'team', maxSize: 2 })
  async member(id: string): Promise<string> {
    this.loads++;
    return `member ${id}`;
  }
}

/** Opens the 'team' scope without a limit while the application is being built, before its methods are bound. */
@Injectable()
class TeamNotes {
  readonly notes: Cache;
  constructor(@Inject(CacheService) service: CacheService) {
    this.notes = service.cache().scope('team');
  }
}

describe('CacheService scopes shared with decorated methods: the first stated limit counts', () => {
  it('manual first: a scope opened without maxSize takes the maxSize the decorated method states', async () => {
    // Before: bootstrap failed with "this namespace already exists with maxSize 1000".
    const app = await bootstrap({ imports: [CacheModule.forRoot()], providers: [TeamNotes, Team] });
    const { notes } = app.get(TeamNotes);
    const team = app.get(Team);
    for (const id of ['a', 'b', 'c']) await team.member(id);
    expect(notes.store.stats?.()).toMatchObject({ maxSize: 2, size: 2, evictions: 1 });
  });

  it("decorator first: a CacheService cache's inherited maxSize leaves the method's limit in place", async () => {
    const app = await bootstrap({ imports: [CacheModule.forRoot()], providers: [Team] });
    await app.get(Team).member('a');
    // Before: "this namespace already exists with maxSize 2, but 100 was requested".
    const notes = app.get(CacheService).cache({ maxSize: 100 }).scope('team');
    expect(notes.store.stats?.()).toMatchObject({ maxSize: 2, size: 1 });
    expect(() => app.get(CacheService).cache().scope('team', { maxSize: 3 })).toThrow(
      'Cache(cache).scope("team") asks for maxSize 3 on the shared namespace "scope:team", but Team.member already set maxSize 2 there.',
    );
  });
});
