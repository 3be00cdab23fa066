import { describe, expect, it } from '@jest/globals';
import {
  assertKnownOptions,
  assertVersion,
  booleanOption,
  functionOption,
  nonEmptyString,
  nonNegativeInt,
  nonNegativeNumber,
  positiveInt,
} from '../../lib/util/options.js';
import { typeErrorOf } from '../helpers/errors.js';

const where = 'new Thing()';

describe('option validators: a TypeError naming where, the option, what it must be and the value', () => {
  it('assertKnownOptions refuses a non-object and names an unknown option with the known ones', () => {
    expect(() => assertKnownOptions(where, {}, ['a'])).not.toThrow();
    expect(() => assertKnownOptions(where, { a: 1 }, ['a', 'b'])).not.toThrow();
    expect(typeErrorOf(() => assertKnownOptions(where, null, ['a']))).toBe(
      'new Thing(): options must be an object or omitted; got null.',
    );
    expect(typeErrorOf(() => assertKnownOptions(where, 'x', ['a']))).toBe(
      'new Thing(): options must be an object or omitted; got "x".',
    );
    expect(typeErrorOf(() => assertKnownOptions(where, { a: 1, c: 2 }, ['a', 'b']))).toBe(
      'new Thing(): unknown option "c". Known options: a, b.',
    );
  });

  it('positiveInt', () => {
    expect(positiveInt(where, 'max', undefined, 10)).toBe(10);
    expect(positiveInt(where, 'max', undefined, undefined)).toBeUndefined();
    expect(positiveInt(where, 'max', 3, 10)).toBe(3);
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '3', null]) {
      expect(typeErrorOf(() => positiveInt(where, 'max', bad, 10))).toMatch(
        /^new Thing\(\): option "max" must be a positive integer; got /,
      );
    }
    expect(typeErrorOf(() => positiveInt(where, 'max', -0, 10))).toBe(
      'new Thing(): option "max" must be a positive integer; got -0.',
    );
  });

  it('nonNegativeInt', () => {
    expect(nonNegativeInt(where, 'skipArgs', undefined, 0)).toBe(0);
    expect(nonNegativeInt(where, 'skipArgs', 0, 5)).toBe(0);
    expect(nonNegativeInt(where, 'skipArgs', 2, 0)).toBe(2);
    for (const bad of [-1, 0.5, Number.NaN, '1', null]) {
      expect(typeErrorOf(() => nonNegativeInt(where, 'skipArgs', bad, 0))).toMatch(
        /^new Thing\(\): option "skipArgs" must be a non-negative integer; got /,
      );
    }
  });

  it('nonNegativeNumber', () => {
    expect(nonNegativeNumber(where, 'window', undefined, 5)).toBe(5);
    expect(nonNegativeNumber(where, 'window', 0, 5)).toBe(0);
    expect(nonNegativeNumber(where, 'window', 2.5, 5)).toBe(2.5);
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '1', null]) {
      expect(typeErrorOf(() => nonNegativeNumber(where, 'window', bad, 5))).toMatch(
        /^new Thing\(\): option "window" must be a finite number >= 0; got /,
      );
    }
  });

  it('booleanOption', () => {
    expect(booleanOption(where, 'clearAll', undefined, false)).toBe(false);
    expect(booleanOption(where, 'clearAll', true, false)).toBe(true);
    expect(typeErrorOf(() => booleanOption(where, 'clearAll', 1, false))).toBe(
      'new Thing(): option "clearAll" must be a boolean; got 1.',
    );
  });

  it('nonEmptyString: optional with a fallback, required without', () => {
    expect(nonEmptyString(where, 'prefix', undefined, undefined)).toBeUndefined();
    expect(nonEmptyString(where, 'prefix', undefined, 'app')).toBe('app');
    expect(nonEmptyString(where, 'name', 'users')).toBe('users');
    expect(typeErrorOf(() => nonEmptyString(where, 'name', undefined))).toBe(
      'new Thing(): option "name" must be a non-empty string; got undefined.',
    );
    expect(typeErrorOf(() => nonEmptyString(where, 'prefix', '', 'app'))).toBe(
      'new Thing(): option "prefix" must be a non-empty string; got "".',
    );
    expect(typeErrorOf(() => nonEmptyString(where, 'name', 42))).toMatch(
      /option "name" must be a non-empty string; got 42\./,
    );
  });

  it('functionOption: optional with a fallback, required without', () => {
    const fn = (): number => 1;
    expect(functionOption(where, 'keyFn', undefined, undefined)).toBeUndefined();
    expect(functionOption(where, 'keyFn', undefined, fn)).toBe(fn);
    expect(functionOption<() => number>(where, 'loader', fn)).toBe(fn);
    expect(typeErrorOf(() => functionOption(where, 'loader', undefined))).toBe(
      'new Thing(): option "loader" must be a function; got undefined.',
    );
    expect(typeErrorOf(() => functionOption(where, 'keyFn', 'id', undefined))).toBe(
      'new Thing(): option "keyFn" must be a function; got "id".',
    );
  });

  it('assertVersion', () => {
    for (const ok of [undefined, 'v2', 3, 0, -1.5]) expect(() => assertVersion(where, ok)).not.toThrow();
    for (const bad of ['', Number.NaN, Number.POSITIVE_INFINITY, null, true, {}]) {
      expect(typeErrorOf(() => assertVersion(where, bad))).toMatch(
        /^new Thing\(\): option "version" must be a non-empty string or a finite number; got /,
      );
    }
  });
});
