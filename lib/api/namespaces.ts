/**
 * Names of the store namespaces the api layer creates: a `Cache`'s, a
 * scope's, a decorated method's. One module so that two callers never spell
 * the same bucket differently.
 */

/**
 * The namespace of a scope (manual `cache.scope(name)` or decorated
 * `scope: 'name'`): both name the same bucket.
 */
export function scopeNamespaceName(name: string): string {
  return `scope:${name}`;
}

/** `base`, or `base@v<version>` when a version is given (bumping it leaves old entries unreachable). */
export function versionedName(base: string, version: string | number | undefined): string {
  return version === undefined ? base : `${base}@v${version}`;
}
