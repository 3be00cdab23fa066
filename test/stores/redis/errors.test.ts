import { describe, expect, it } from '@jest/globals';
import { MissingPeerError, RedisStoreError, type RedisStoreErrorCode } from '../../../lib/stores/redis/errors.js';
import { MemokitError, MemokitTypeError, type MemokitErrorCode } from '../../../lib/util/errors.js';

describe('Redis store errors: part of the one MemokitError hierarchy', () => {
  const cause = new Error('ECONNRESET');

  it('RedisStoreError carries its code, the operation, the namespace and the cause', () => {
    const error = new RedisStoreError('E_REDIS_COMMAND', 'get failed', 'get', 'users', { cause });
    expect(error).toBeInstanceOf(MemokitError);
    expect(error).not.toBeInstanceOf(TypeError);
    expect(error.code).toBe('E_REDIS_COMMAND');
    expect(error.name).toBe('RedisStoreError');
    expect(error.message).toBe('get failed');
    expect(error.operation).toBe('get');
    expect(error.namespace).toBe('users');
    expect(error.cause).toBe(cause);
    expect(new RedisStoreError('E_REDIS_TIMEOUT', 'slow', 'set', '').cause).toBeUndefined();
  });

  it('RedisStoreErrorCode is a subset of MemokitErrorCode', () => {
    const codes: readonly RedisStoreErrorCode[] = ['E_REDIS_UNAVAILABLE', 'E_BROKEN_KEY', 'E_CORRUPT_ENTRY'];
    const asRoot: readonly MemokitErrorCode[] = codes;
    expect(asRoot).toHaveLength(3);
    // @ts-expect-error: not a code of the Redis store
    const foreign: RedisStoreErrorCode = 'E_NOT_A_PROMISE';
    expect(foreign).toBe('E_NOT_A_PROMISE');
  });

  it('MissingPeerError has the static code E_MISSING_PEER, names the peer and keeps the loader error as cause', () => {
    const error = new MissingPeerError('ioredis', 'install ioredis', { cause });
    expect(error).toBeInstanceOf(MemokitError);
    expect(error).not.toBeInstanceOf(MemokitTypeError);
    expect(error).not.toBeInstanceOf(RedisStoreError);
    expect(error.code).toBe('E_MISSING_PEER');
    expect(MissingPeerError.code).toBe('E_MISSING_PEER');
    expect(error.name).toBe('MissingPeerError');
    expect(error.peer).toBe('ioredis');
    expect(error.message).toBe('install ioredis');
    expect(error.cause).toBe(cause);
  });
});
