import { isDeepStrictEqual, types } from 'node:util';

/**
 * Deep strict equality for decoded cache values: `util.isDeepStrictEqual`,
 * except that two invalid Dates are equal (Node 20 compares their times with
 * `!==`, so `new Date(NaN)` never equals itself there; Node 22 fixed this).
 * Map and Set entries are compared in insertion order, which is stricter than
 * `isDeepStrictEqual` and what a serializer that keeps order must satisfy.
 */
export function sameData(a: unknown, b: unknown): boolean {
  if (!containsInvalidDate(a, new Set())) return isDeepStrictEqual(a, b);
  return walk(a, b, new Map());
}

function isInvalidDate(value: unknown): value is Date {
  return types.isDate(value) && Number.isNaN(value.getTime());
}

function containsInvalidDate(value: unknown, seen: Set<object>): boolean {
  if (isInvalidDate(value)) return true;
  if (typeof value !== 'object' || value === null || seen.has(value)) return false;
  seen.add(value);
  if (value instanceof Map) {
    for (const [k, v] of value) {
      if (containsInvalidDate(k, seen) || containsInvalidDate(v, seen)) return true;
    }
    return false;
  }
  if (value instanceof Set) {
    for (const item of value) if (containsInvalidDate(item, seen)) return true;
    return false;
  }
  return Reflect.ownKeys(value).some((key) => containsInvalidDate((value as Record<PropertyKey, unknown>)[key], seen));
}

function walk(a: unknown, b: unknown, pairs: Map<object, object>): boolean {
  if (isInvalidDate(a) || isInvalidDate(b)) {
    return isInvalidDate(a) && isInvalidDate(b) && Object.getPrototypeOf(a) === Object.getPrototypeOf(b);
  }
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) {
    return isDeepStrictEqual(a, b);
  }
  if (pairs.get(a) === b) return true;
  pairs.set(a, b);
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    const right = [...b];
    return [...a].every(([k, v], i) => walk(k, right[i]?.[0], pairs) && walk(v, right[i]?.[1], pairs));
  }
  if (a instanceof Set && b instanceof Set) {
    if (a.size !== b.size) return false;
    const right = [...b];
    return [...a].every((item, i) => walk(item, right[i], pairs));
  }
  if (types.isDate(a) || types.isTypedArray(a) || types.isRegExp(a)) return isDeepStrictEqual(a, b);
  const keys = Reflect.ownKeys(a);
  const other = Reflect.ownKeys(b);
  const otherKeys = new Set(other);
  if (keys.length !== other.length || keys.some((key) => !otherKeys.has(key))) return false;
  const left = a as Record<PropertyKey, unknown>;
  const right = b as Record<PropertyKey, unknown>;
  return keys.every((key) => walk(left[key], right[key], pairs));
}
