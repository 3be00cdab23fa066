/**
 * Evaluating the Redis store's modules (and the bus and the resilience
 * helpers they share) does no work: nothing is hashed, no random bytes are
 * drawn, no timer is armed. Script SHAs and the process's generation tag are
 * computed on first use, once.
 */
import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../helpers/transpile.js';

type Crypto = typeof import('node:crypto');
const real = jest.requireActual<Crypto>('node:crypto');
const createHash = jest.fn(real.createHash);
const randomBytes = jest.fn(real.randomBytes);
const randomUUID = jest.fn(real.randomUUID);
const randomFillSync = jest.fn(real.randomFillSync);
jest.unstable_mockModule('node:crypto', () => ({
  ...real,
  default: { ...real, createHash, randomBytes, randomUUID, randomFillSync },
  createHash,
  randomBytes,
  randomUUID,
  randomFillSync,
}));

const setTimeoutSpy = jest.spyOn(globalThis, 'setTimeout');
const setIntervalSpy = jest.spyOn(globalThis, 'setInterval');
const setImmediateSpy = jest.spyOn(globalThis, 'setImmediate');

afterAll(() => {
  setTimeoutSpy.mockRestore();
  setIntervalSpy.mockRestore();
  setImmediateSpy.mockRestore();
});

/** Every module of a lib/ folder, as an import specifier relative to this file. */
const modulesOf = (folder: string): string[] =>
  readdirSync(join(repoRoot, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => `../../../${folder}/${file.replace(/\.ts$/, '.js')}`);

describe('Redis store modules: nothing at import', () => {
  it('hash nothing, draw nothing and arm no timer when evaluated', async () => {
    const modules = [
      ...modulesOf('lib/stores/redis'),
      ...modulesOf('lib/stores/resilience'),
      '../../../lib/stores/tiered/bus.js',
    ];
    expect(modules).toContain('../../../lib/stores/redis/redis-store.js');
    expect(modules).toContain('../../../lib/stores/redis/scripts/read.js');
    for (const specifier of modules) await import(specifier);
    expect(createHash).not.toHaveBeenCalled();
    expect(randomBytes).not.toHaveBeenCalled();
    expect(randomUUID).not.toHaveBeenCalled();
    expect(randomFillSync).not.toHaveBeenCalled();
    expect(setTimeoutSpy).not.toHaveBeenCalled();
    expect(setIntervalSpy).not.toHaveBeenCalled();
    expect(setImmediateSpy).not.toHaveBeenCalled();
  });

  it('compute a script’s SHA on first use, once', async () => {
    const { READ } = await import('../../../lib/stores/redis/scripts/read.js');
    createHash.mockClear();
    const sha = READ.sha;
    expect(createHash).toHaveBeenCalledTimes(1);
    expect(sha).toBe(real.createHash('sha1').update(READ.lua).digest('hex'));
    expect(READ.sha).toBe(sha);
    expect(createHash).toHaveBeenCalledTimes(1);
  });

  it('draw the process’s generation tag on first use, once', async () => {
    const { newGeneration } = await import('../../../lib/stores/redis/keyspace.js');
    randomBytes.mockClear();
    const first = newGeneration();
    const second = newGeneration();
    expect(randomBytes).toHaveBeenCalledTimes(1);
    expect(first).not.toBe(second);
    expect(first.slice(0, 8)).toBe(second.slice(0, 8));
  });
});
