import { describe, expect, it } from '@jest/globals';
import { MemokitError, MemokitTypeError, NotAPromiseError, type MemokitErrorCode } from '../../lib/util/errors.js';

describe('MemokitError: the root of the hierarchy, with a code and the standard cause', () => {
  const cause = new Error('underlying');

  it('carries its code, name, message and cause', () => {
    const error = new MemokitError('E_MISSING_PEER', 'no ioredis', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('E_MISSING_PEER');
    expect(error.name).toBe('MemokitError');
    expect(error.message).toBe('no ioredis');
    expect(error.cause).toBe(cause);
  });

  it('NotAPromiseError is a MemokitError with a static code and the method', () => {
    const error = new NotAPromiseError('Svc.get', 'not a promise');
    expect(error).toBeInstanceOf(MemokitError);
    expect(error.code).toBe('E_NOT_A_PROMISE');
    expect(NotAPromiseError.code).toBe('E_NOT_A_PROMISE');
    expect(error.name).toBe('NotAPromiseError');
    expect(error.method).toBe('Svc.get');
  });

  it('MemokitTypeError is a TypeError and, through the root, a MemokitError', () => {
    const error = new MemokitTypeError('E_UNSERIALIZABLE', 'a function', { cause });
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toBeInstanceOf(MemokitError);
    expect(error.code).toBe('E_UNSERIALIZABLE');
    expect(error.name).toBe('MemokitTypeError');
    expect(error.cause).toBe(cause);
  });

  it('keeps instanceof exact below the root', () => {
    expect(new MemokitTypeError('E_UNSERIALIZABLE', 'x')).not.toBeInstanceOf(NotAPromiseError);
    expect(new MemokitError('E_NOT_A_PROMISE', 'x')).not.toBeInstanceOf(NotAPromiseError);
    expect(new MemokitError('E_CORRUPT_ENTRY', 'x')).not.toBeInstanceOf(MemokitTypeError);
    expect(new NotAPromiseError('Svc.get', 'x')).not.toBeInstanceOf(TypeError);
  });

  it('is not fooled by errors that only look like memokit errors', () => {
    const lookalike = Object.assign(new TypeError('x'), { code: 'E_UNSERIALIZABLE' satisfies MemokitErrorCode });
    expect(lookalike).not.toBeInstanceOf(MemokitError);
    expect(new Error('x')).not.toBeInstanceOf(MemokitError);
    expect(null).not.toBeInstanceOf(MemokitError);
    expect('E_CORRUPT_ENTRY').not.toBeInstanceOf(MemokitError);
  });
});
