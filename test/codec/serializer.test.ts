import { describe, expect, it } from '@jest/globals';
import { defaultSerializer } from '../../lib/codec/index.js';
import { assertSerializer } from '../../lib/codec/serializer.js';
import { typeErrorOf } from '../helpers/errors.js';

describe('assertSerializer: what a store accepts as its serializer', () => {
  const json = { format: 'json+v1_a-b.c', serialize: JSON.stringify, deserialize: JSON.parse };

  it('accepts the default serializer and any object with a format name and both functions', () => {
    expect(() => assertSerializer(defaultSerializer, 'new RedisStore()')).not.toThrow();
    expect(() => assertSerializer(json, 'new RedisStore()')).not.toThrow();
    expect(() => assertSerializer({ ...json, format: 'x'.repeat(40) }, 'new RedisStore()')).not.toThrow();
  });

  it.each([
    ['null', null],
    ['a function', () => 1],
    ['no serialize', { format: 'json', deserialize: JSON.parse }],
    ['no deserialize', { format: 'json', serialize: JSON.stringify }],
    ['no format', { serialize: JSON.stringify, deserialize: JSON.parse }],
    ['an empty format', { ...json, format: '' }],
    ['a format with a space', { ...json, format: 'my json' }],
    ['a format with a colon', { ...json, format: 'json:1' }],
    ['a format over 40 characters', { ...json, format: 'x'.repeat(41) }],
  ])('rejects %s with a TypeError naming where and the option', (_what, candidate) => {
    const message = typeErrorOf(() => assertSerializer(candidate, 'new RedisStore()'));
    expect(message).toMatch(/^new RedisStore\(\): option "serializer" must be an object with serialize\(value\)/);
  });
});
