import { describe, expect, it } from '@jest/globals';
import { CONFIGURATIONS, configurationEnv, needsRedis } from '../../bench/e2e/configurations.js';

const byId = (id: string) => CONFIGURATIONS.find((c) => c.id === id)!;
const REDIS = 'redis://127.0.0.1:40000';

describe('the e2e configurations and their environment (bench/e2e contract)', () => {
  it('measures every configuration issue 15 asks for, with memokit Redis and tiered also on 3 instances', () => {
    expect(CONFIGURATIONS.map((c) => `${c.id}:${c.instances}`)).toEqual([
      'none:1',
      'memokit-memory:1',
      'nest-memory:1',
      'memokit-redis:1',
      'nest-redis:1',
      'memokit-tiered:1',
      'memokit-redis-x3:3',
      'memokit-tiered-x3:3',
      'nest-memory-x3:3',
      'nest-redis-x3:3',
    ]);
  });

  it('sets CACHE_MODE, and REDIS_URL and CACHE_TIER only where the store needs them', () => {
    expect(configurationEnv(byId('none'), REDIS)).toEqual({ CACHE_MODE: 'none' });
    expect(configurationEnv(byId('memokit-memory'), REDIS)).toEqual({ CACHE_MODE: 'memokit' });
    expect(configurationEnv(byId('memokit-redis-x3'), REDIS)).toEqual({
      CACHE_MODE: 'memokit',
      REDIS_URL: REDIS,
      CACHE_TIER: 'redis',
    });
    expect(configurationEnv(byId('memokit-tiered'), REDIS)).toEqual({
      CACHE_MODE: 'memokit',
      REDIS_URL: REDIS,
      CACHE_TIER: 'tiered',
    });
    expect(configurationEnv(byId('nest-memory'), REDIS)).toEqual({ CACHE_MODE: 'nest-cache-manager' });
    expect(configurationEnv(byId('nest-redis'), REDIS)).toEqual({ CACHE_MODE: 'nest-cache-manager', REDIS_URL: REDIS });
    expect(() => configurationEnv(byId('nest-redis'), undefined)).toThrow(/nest-redis needs Redis/);
    expect(CONFIGURATIONS.filter(needsRedis).map((c) => c.id)).toEqual([
      'memokit-redis',
      'nest-redis',
      'memokit-tiered',
      'memokit-redis-x3',
      'memokit-tiered-x3',
      'nest-redis-x3',
    ]);
  });
});
