/**
 * The sizing advisor of decorated methods that share a scope: they share
 * one LRU, so one sampler records all their calls. The scope is sampled
 * when any of its methods (or the module, for methods that state nothing)
 * turns the advisor on; methods bound before that join it then. Methods
 * that state settings the scope's sampler disagrees with are an error,
 * never silently left out.
 */
import { createSampler, type AdvisorSettings, type MethodCache, type ReuseSampler } from '../engine/index.js';
import { messages } from '../util/messages.js';
import type { CacheStore } from '../stores/contract.js';

/** One scope's sampling: its sampler (once on), the engines of its methods, and who stated what. */
interface ScopeSampling {
  sampler: ReuseSampler | undefined;
  /** The settings the sampler was created with, and the method whose they are. */
  on: { readonly where: string; readonly settings: AdvisorSettings } | undefined;
  /** A method of the scope that states `advisor: false`. */
  off: string | undefined;
  readonly engines: Set<MethodCache>;
}

/** By the object that identifies the bucket (the store for a named scope, a `Cache` scope's namespace), then by name. */
const scopes = new WeakMap<object, Map<string, ScopeSampling>>();
/** The scope each engine joined, to leave it when unbound. */
const joined = new WeakMap<MethodCache, ScopeSampling>();

const same = (a: AdvisorSettings, b: AdvisorSettings): boolean =>
  a.rate === b.rate && a.maxKeys === b.maxKeys && a.seed === b.seed;

/**
 * What a method of a scope contributes before its engine exists: its own
 * `advisor` (`stated`) or the module's (`inherited`). Returns the scope's
 * sampler for the new engine (created now if this method turns it on),
 * or throws when the method's own setting disagrees with the scope's.
 *
 * @internal
 */
export function scopeSampler(
  owner: object,
  name: string,
  where: string,
  stated: AdvisorSettings | false | undefined,
  inherited: AdvisorSettings | false | undefined,
  namespace: CacheStore,
  ttl: number | undefined,
): { readonly sampler: ReuseSampler | undefined; join(engine: MethodCache): void } {
  let byName = scopes.get(owner);
  if (byName === undefined) scopes.set(owner, (byName = new Map()));
  let scope = byName.get(name);
  if (scope === undefined)
    byName.set(name, (scope = { sampler: undefined, on: undefined, off: undefined, engines: new Set() }));
  const entry = scope;
  if (stated === false) {
    if (entry.on !== undefined) throw new TypeError(messages.SCOPE_ADVISOR_CONFLICT(where, entry.on.where, name));
    entry.off ??= where;
  } else if (stated !== undefined && entry.on !== undefined && !same(stated, entry.on.settings)) {
    throw new TypeError(messages.SCOPE_ADVISOR_CONFLICT(where, entry.on.where, name));
  }
  const wanted = stated ?? (entry.off === undefined ? inherited : undefined);
  if (wanted && entry.sampler === undefined) {
    if (entry.off !== undefined) throw new TypeError(messages.SCOPE_ADVISOR_CONFLICT(where, entry.off, name));
    entry.sampler = createSampler(wanted, namespace, ttl);
    entry.on = { where, settings: wanted };
    for (const engine of entry.engines) engine.attachSampler(entry.sampler);
  }
  return {
    sampler: entry.sampler,
    join(engine) {
      entry.engines.add(engine);
      joined.set(engine, entry);
    },
  };
}

/** An engine of a scope's method was unbound: the scope forgets it. @internal */
export function leaveScope(engine: MethodCache): void {
  joined.get(engine)?.engines.delete(engine);
  joined.delete(engine);
}
