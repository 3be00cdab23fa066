import { describe, expect, it } from '@jest/globals';
import { CorruptEntryError, UnserializableValueError, ValueTooLargeError } from '../../lib/codec/index.js';
import { MemokitError, MemokitTypeError, type MemokitErrorCode } from '../../lib/util/errors.js';

describe('codec errors join the one hierarchy', () => {
  const cause = new Error('underlying');
  const errors: [string, Error & { readonly code: MemokitErrorCode }, MemokitErrorCode][] = [
    [
      'UnserializableValueError',
      new UnserializableValueError('fn', 'value.f', 'a function', { cause }),
      'E_UNSERIALIZABLE',
    ],
    ['ValueTooLargeError', new ValueTooLargeError('too large', 'k', 10, 5, { cause }), 'E_VALUE_TOO_LARGE'],
    ['CorruptEntryError', new CorruptEntryError('corrupt', { cause }), 'E_CORRUPT_ENTRY'],
  ];

  it.each(errors)('%s is a MemokitError with its code, name and cause', (name, error, code) => {
    expect(error).toBeInstanceOf(MemokitError);
    expect(error.code).toBe(code);
    expect(error.name).toBe(name);
    expect(error.cause).toBe(cause);
  });

  it('gives each class its code as a static, to compare with', () => {
    expect(UnserializableValueError.code).toBe('E_UNSERIALIZABLE');
    expect(ValueTooLargeError.code).toBe('E_VALUE_TOO_LARGE');
    expect(CorruptEntryError.code).toBe('E_CORRUPT_ENTRY');
  });

  it('keeps UnserializableValueError a TypeError, as the Serializer contract and the store docs promise', () => {
    const error = new UnserializableValueError('fn', 'value.f', 'a function');
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toBeInstanceOf(MemokitTypeError);
    expect(error.path).toBe('value.f');
    expect(error.what).toBe('a function');
  });

  it('keeps the fields of ValueTooLargeError', () => {
    const error = new ValueTooLargeError('too large', 'k', 10, 5);
    expect([error.key, error.size, error.limit]).toEqual(['k', 10, 5]);
  });

  it('matches each class to its own instances only', () => {
    expect(new CorruptEntryError('x')).not.toBeInstanceOf(ValueTooLargeError);
    expect(new CorruptEntryError('x')).not.toBeInstanceOf(TypeError);
    expect(new UnserializableValueError('x', 'value', 'a symbol')).not.toBeInstanceOf(CorruptEntryError);
    expect(new MemokitTypeError('E_UNSERIALIZABLE', 'x')).not.toBeInstanceOf(UnserializableValueError);
  });
});
