import { describe, expect, it } from '@jest/globals';
import { BusMessageError } from '../../../lib/stores/tiered/bus-errors.js';
import { MemokitError } from '../../../lib/util/errors.js';

describe('BusMessageError', () => {
  it('is a MemokitError with the static code E_INVALID_BUS_MESSAGE and the cause given', () => {
    const cause = new Error('apply failed');
    const error = new BusMessageError('dropped', { cause });
    expect(error).toBeInstanceOf(MemokitError);
    expect(error).not.toBeInstanceOf(TypeError);
    expect(error.code).toBe('E_INVALID_BUS_MESSAGE');
    expect(BusMessageError.code).toBe('E_INVALID_BUS_MESSAGE');
    expect(error.name).toBe('BusMessageError');
    expect(error.message).toBe('dropped');
    expect(error.cause).toBe(cause);
    expect(new BusMessageError('not JSON').cause).toBeUndefined();
  });
});
