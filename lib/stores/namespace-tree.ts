import { parseDuration } from '../util/duration.js';
import { messages } from '../util/messages.js';
import { positiveInt } from '../util/options.js';
import type { NamespaceOptions } from './contract.js';

/**
 * The limits a namespace has: its entry bound and the default time to live of
 * writes that give none (ms). `undefined`: none (or, for `maxSize`, not
 * applied by the store).
 *
 * @example
 * ```ts
 * const limits: NamespaceLimits = { maxSize: 500, ttl: 30_000 };
 * ```
 */
export interface NamespaceLimits {
  /** Most entries the namespace keeps. @default undefined (the store's bound) */
  readonly maxSize: number | undefined;
  /** Default time to live in ms. @default undefined (no expiry) */
  readonly ttl: number | undefined;
}

/**
 * Where a namespace sits in its store, and the limits it has now (a limit
 * stated after the namespace was created may change them).
 *
 * @example
 * ```ts
 * const node = tree.root;
 * console.log(node.id, node.name, node.maxSize); // '[]' '' 1000
 * ```
 */
export interface NamespaceNode extends NamespaceLimits {
  /** Names from the store's root (empty for the root). */
  readonly path: readonly string[];
  /** The path as a JSON array: `a/b` and `a` → `b` differ. */
  readonly id: string;
  /** The path joined by `/` (`''` for the root): the namespace's `name`. */
  readonly name: string;
}

/**
 * One `namespace()` call a {@link NamespaceTree} passes to its store: a new
 * namespace to create, or an existing one asked for again.
 *
 * @example
 * ```ts
 * const create = (request: NamespaceRequest<MyNamespace>) => new MyNamespace(request.node, request.parent);
 * ```
 */
export interface NamespaceRequest<N> {
  /** The requested namespace's node (for an existing one: its limits before this request). */
  readonly node: NamespaceNode;
  /** The requested name (the last element of the node's path). */
  readonly name: string;
  /** The namespace `namespace()` was called on. */
  readonly parent: N;
  /** The request's options, as given. */
  readonly options: NamespaceOptions;
  /** The namespace's limits once this request is recorded. */
  readonly limits: NamespaceLimits;
}

/**
 * What a store tells its {@link NamespaceTree}.
 *
 * @example
 * ```ts
 * const tree = new NamespaceTree<MyNamespace>({
 *   where: (parent, name) => `MyStore.namespace(${JSON.stringify(name)})`,
 *   create: ({ node }) => new MyNamespace(node),
 * });
 * ```
 */
export interface NamespaceTreeOptions<N> {
  /**
   * Names a `namespace()` call in messages (e.g. `MemoryStore.namespace("users")`);
   * also the user a request without `user` is attributed to.
   */
  readonly where: (parent: NamespaceNode, name: string) => string;
  /** Creates the namespace of a new node (already carrying its limits). */
  readonly create: (request: NamespaceRequest<N>) => N;
  /**
   * An existing namespace is asked for again, after the tree found no
   * conflict and before it records the request: apply `request.limits` if
   * they differ from `request.node`'s. Throwing refuses the request (nothing
   * is recorded).
   *
   * @default nothing to do
   */
  readonly reuse?: ((namespace: N, request: NamespaceRequest<N>) => void) | undefined;
  /**
   * The root: its path (a store may be named, like `new NullStore('jobs')`)
   * and the limits namespaces inherit when they neither state nor default one.
   *
   * @default the empty path, no limits
   */
  readonly root?: { readonly path?: readonly string[]; readonly maxSize?: number; readonly ttl?: number } | undefined;
}

/** A node with what the tree alone records: who stated each limit (`undefined`: nobody, it may still change). */
class Node implements NamespaceNode {
  readonly id: string;
  readonly name: string;
  maxSizeBy: string | undefined = undefined;
  ttlBy: string | undefined = undefined;

  constructor(
    readonly path: readonly string[],
    public maxSize: number | undefined,
    public ttl: number | undefined,
  ) {
    this.id = JSON.stringify(path);
    this.name = path.join('/');
  }
}

/**
 * The namespaces of one store, written once for every store: child
 * namespaces by name (the same name gives the same namespace, `a/b` and `a` →
 * `b` are different ones), and their limits as {@link NamespaceOptions}
 * documents them. A stated `maxSize` or `ttl` counts: the first one stated
 * applies, even to a namespace created earlier without one, and a different
 * stated value is an error naming both users. `defaults` only size a
 * namespace the request creates; otherwise a namespace inherits its parent's
 * limits. Namespaces are resolved when they are asked for (at bind time), so
 * a store's read and write paths never go through the tree.
 *
 * @typeParam N - the store's namespace type
 * @example
 * ```ts
 * class MyNamespace {
 *   constructor(readonly tree: NamespaceTree<MyNamespace>, readonly node: NamespaceNode) {}
 *   namespace(name: string, options?: NamespaceOptions): MyNamespace {
 *     return this.tree.child(this.node, name, options);
 *   }
 * }
 * const tree: NamespaceTree<MyNamespace> = new NamespaceTree<MyNamespace>({
 *   where: (_parent, name) => `MyStore.namespace(${JSON.stringify(name)})`,
 *   create: ({ node }) => new MyNamespace(tree, node),
 *   root: { maxSize: 1000 },
 * });
 * const root = new MyNamespace(tree, tree.root);
 * tree.plantRoot(root);
 * root.namespace('users') === root.namespace('users'); // true
 * ```
 */
export class NamespaceTree<N> {
  /** The root's node (the store itself). */
  readonly root: NamespaceNode;
  readonly #options: NamespaceTreeOptions<N>;
  readonly #rootNode: Node;
  /** Namespaces by id, each with its node; the root's once {@link NamespaceTree.plantRoot} registered it. */
  readonly #members = new Map<string, { readonly node: Node; readonly namespace: N }>();

  constructor(options: NamespaceTreeOptions<N>) {
    this.#options = options;
    this.#rootNode = new Node(options.root?.path ?? [], options.root?.maxSize, options.root?.ttl);
    this.root = this.#rootNode;
  }

  /** Registers the root namespace: a store is its own root, created after its tree. */
  plantRoot(namespace: N): void {
    this.#members.set(this.#rootNode.id, { node: this.#rootNode, namespace });
  }

  /**
   * The child `name` of `parent`'s namespace: the existing one (recording
   * the limits this request states), or a new one.
   *
   * @throws TypeError for an empty name, a bad limit, or a stated limit that
   *   differs from the one another user stated
   */
  child(parent: NamespaceNode, name: string, options: NamespaceOptions = {}): N {
    const where = this.#options.where(parent, name);
    if (typeof name !== 'string' || name === '') throw new TypeError(messages.BAD_STRING_OPTION(where, 'name', name));
    const from = this.#members.get(parent.id);
    if (from === undefined) throw new Error(`${where}: the namespace it was called on is not in this tree`);
    const maxSize = positiveInt(where, 'maxSize', options.maxSize, undefined);
    const ttl = options.ttl === undefined ? undefined : parseDuration(options.ttl, where, 'ttl');
    const { defaults } = options;
    const defaultMaxSize = positiveInt(where, 'defaults.maxSize', defaults?.maxSize, undefined);
    const defaultTtl = defaults?.ttl === undefined ? undefined : parseDuration(defaults.ttl, where, 'defaults.ttl');
    const user = options.user ?? where;
    const path = [...from.node.path, name];
    const existing = this.#members.get(JSON.stringify(path));
    if (existing !== undefined) {
      const { node, namespace } = existing;
      const conflict = (option: string, by: string, current: unknown, requested: unknown) =>
        new TypeError(messages.NAMESPACE_LIMIT_CONFLICT(node.name, option, by, current, user, requested));
      if (maxSize !== undefined && node.maxSizeBy !== undefined && maxSize !== node.maxSize) {
        throw conflict('maxSize', node.maxSizeBy, node.maxSize, maxSize);
      }
      if (ttl !== undefined && node.ttlBy !== undefined && ttl !== node.ttl) {
        throw conflict('ttl', node.ttlBy, node.ttl, ttl);
      }
      const limits = { maxSize: maxSize ?? node.maxSize, ttl: ttl ?? node.ttl };
      this.#options.reuse?.(namespace, { node, name, parent: from.namespace, options, limits });
      if (maxSize !== undefined) node.maxSizeBy ??= user;
      if (ttl !== undefined) node.ttlBy ??= user;
      node.maxSize = limits.maxSize;
      node.ttl = limits.ttl;
      return namespace;
    }
    const node = new Node(path, maxSize ?? defaultMaxSize ?? from.node.maxSize, ttl ?? defaultTtl ?? from.node.ttl);
    if (maxSize !== undefined) node.maxSizeBy = user;
    if (ttl !== undefined) node.ttlBy = user;
    const limits = { maxSize: node.maxSize, ttl: node.ttl };
    const namespace = this.#options.create({ node, name, parent: from.namespace, options, limits });
    this.#members.set(node.id, { node, namespace });
    return namespace;
  }

  /** The namespace with this id (its path as a JSON array), if it was asked for. */
  get(id: string): N | undefined {
    return this.#members.get(id)?.namespace;
  }

  /** Whether the namespace with this id was asked for. */
  has(id: string): boolean {
    return this.#members.has(id);
  }

  /** Every namespace with its id: the root first, then in the order they were created. */
  *entries(): IterableIterator<[id: string, namespace: N]> {
    for (const [id, { namespace }] of this.#members) yield [id, namespace];
  }

  /** Every namespace: the root first, then in the order they were created. */
  *values(): IterableIterator<N> {
    for (const { namespace } of this.#members.values()) yield namespace;
  }
}
