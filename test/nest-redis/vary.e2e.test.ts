/**
 * `vary` with nestjs-cls in real Nest applications over real sockets: the
 * tenant comes from a request header through nestjs-cls's middleware. Two
 * replicas share one Redis (a private server): the same arguments give each
 * tenant its own entry, an invalidation in tenant A (on either replica)
 * leaves tenant B's entry, and a request without a tenant is refused, never
 * served a shared entry. Here, not in test/nest: the NestJS 11 compatibility
 * run copies test/nest alone, without the Redis test setup.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Injectable, Module, Param, Post, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ClsModule, ClsServiceManager } from 'nestjs-cls';
import request from 'supertest';
import { AsyncTTL, TTLInvalidator } from '../../lib/index.js';
import { CacheModule } from '../../nest-module/index.js';
import { testRedisUrl, uniquePrefix } from '../setup/redis-env.js';
import { closeAll, track } from '../nest/helpers.js';

/** The tenant of the current request, as nestjs-cls holds it; `undefined` outside a request or without the header. */
function tenantParts(): readonly string[] | undefined {
  const tenant = ClsServiceManager.getClsService().get<string | undefined>('tenant');
  return tenant === undefined ? undefined : [tenant];
}

/** Loads per replica, by the tenant and name they loaded. */
const loads = new Map<string, string[]>();

@Injectable()
class SettingsService {
  @AsyncTTL({ ttl: '5m', store: 'shared', vary: tenantParts })
  async get(name: string): Promise<{ tenant: string; name: string; version: number }> {
    const replica = ClsServiceManager.getClsService().get<string>('replica');
    const list = loads.get(replica) ?? [];
    loads.set(replica, list);
    list.push(`${tenantParts()?.[0]}:${name}`);
    return { tenant: tenantParts()?.[0] ?? '?', name, version: [...loads.values()].flat().length };
  }

  @TTLInvalidator(() => SettingsService.prototype.get)
  async set(_name: string): Promise<void> {}
}

@Controller('settings')
class SettingsController {
  constructor(private readonly settings: SettingsService) {}

  @Get(':name')
  get(@Param('name') name: string) {
    return this.settings.get(name);
  }

  @Post(':name')
  async set(@Param('name') name: string) {
    await this.settings.set(name);
    return { ok: true };
  }
}

@Module({ controllers: [SettingsController], providers: [SettingsService] })
class SettingsModule {}

async function replica(name: string, redisUrl: string): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      ClsModule.forRoot({
        global: true,
        middleware: {
          mount: true,
          setup: (cls, req: { headers: Record<string, string | string[] | undefined> }) => {
            const tenant = req.headers['x-tenant'];
            if (typeof tenant === 'string') cls.set('tenant', tenant);
            cls.set('replica', name);
          },
        },
      }),
      CacheModule.forRoot({ stores: { shared: redisUrl }, logger: false }),
      SettingsModule,
    ],
  }).compile();
  const app = track(moduleRef.createNestApplication({ logger: false }));
  await app.listen(0, '127.0.0.1');
  return app;
}

describe('vary with nestjs-cls, two replicas on one Redis', () => {
  let one: INestApplication;
  let two: INestApplication;

  beforeAll(async () => {
    const url = `${testRedisUrl()}/0?prefix=${uniquePrefix('nest-vary')}`;
    one = await replica('one', url);
    two = await replica('two', url);
  });

  afterAll(closeAll);

  const read = (app: INestApplication, tenant: string, name: string) =>
    request(app.getHttpServer()).get(`/settings/${name}`).set('x-tenant', tenant).expect(200);

  it('gives each tenant its own entry for the same arguments, shared by the replicas', async () => {
    const a = await read(one, 'acme', 'theme');
    const b = await read(one, 'globex', 'theme');
    expect(a.body).toEqual({ tenant: 'acme', name: 'theme', version: 1 });
    expect(b.body).toEqual({ tenant: 'globex', name: 'theme', version: 2 });
    expect((await read(two, 'acme', 'theme')).body).toEqual(a.body);
    expect((await read(two, 'globex', 'theme')).body).toEqual(b.body);
    expect(loads.get('two')).toBeUndefined();
  });

  it("an invalidation in tenant A on one replica leaves tenant B's entry on both", async () => {
    await request(two.getHttpServer()).post('/settings/theme').set('x-tenant', 'acme').expect(201);
    expect((await read(one, 'globex', 'theme')).body).toMatchObject({ tenant: 'globex', version: 2 });
    expect((await read(two, 'globex', 'theme')).body).toMatchObject({ tenant: 'globex', version: 2 });
    expect((await read(one, 'acme', 'theme')).body).toMatchObject({ tenant: 'acme', version: 3 });
  });

  it('a request without a tenant is refused (500), and nothing is loaded or shared', async () => {
    const before = [...loads.values()].flat().length;
    await request(one.getHttpServer()).get('/settings/theme').expect(500);
    await request(two.getHttpServer()).post('/settings/theme').expect(500);
    expect([...loads.values()].flat().length).toBe(before);
    expect((await read(one, 'globex', 'theme')).body).toMatchObject({ tenant: 'globex', version: 2 });
  });
});
