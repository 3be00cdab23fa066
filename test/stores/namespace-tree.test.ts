import { describe, expect, it } from '@jest/globals';
import type { NamespaceOptions } from '../../lib/stores/contract.js';
import {
  NamespaceTree,
  type NamespaceLimits,
  type NamespaceNode,
  type NamespaceTreeOptions,
} from '../../lib/stores/namespace-tree.js';
import { NullStore } from '../../lib/stores/null-store.js';
import { typeErrorOf } from '../helpers/errors.js';

/** A namespace that records what its tree told it. */
class Bucket {
  readonly resizes: NamespaceLimits[] = [];
  constructor(
    readonly tree: NamespaceTree<Bucket>,
    readonly node: NamespaceNode,
  ) {}
  namespace(name: string, options?: NamespaceOptions): Bucket {
    return this.tree.child(this.node, name, options);
  }
}

function treeOf(overrides: Partial<NamespaceTreeOptions<Bucket>> = {}) {
  const created: string[] = [];
  const tree: NamespaceTree<Bucket> = new NamespaceTree<Bucket>({
    where: (_parent, name) => `Test.namespace(${JSON.stringify(name)})`,
    create: ({ node }) => {
      created.push(node.id);
      return new Bucket(tree, node);
    },
    reuse: (bucket, { limits }) => bucket.resizes.push(limits),
    root: { maxSize: 1000, ttl: undefined },
    ...overrides,
  });
  const root = new Bucket(tree, tree.root);
  tree.plantRoot(root);
  return { tree, root, created };
}

describe('NamespaceTree: names', () => {
  it('gives the same namespace for the same name, and creates it once', () => {
    const { root, created } = treeOf();
    const users = root.namespace('users');
    expect(root.namespace('users')).toBe(users);
    expect(created).toEqual(['["users"]']);
    expect(users.node).toMatchObject({ path: ['users'], id: '["users"]', name: 'users' });
  });

  it('keeps nested namespaces apart from root ones with a slash in their name', () => {
    const { root, tree } = treeOf();
    const nested = root.namespace('a').namespace('b');
    const slashed = root.namespace('a/b');
    expect(nested).not.toBe(slashed);
    expect(nested.node.name).toBe('a/b');
    expect(slashed.node.name).toBe('a/b');
    expect(nested.node.id).toBe('["a","b"]');
    expect(tree.get('["a","b"]')).toBe(nested);
    expect(tree.get('["a/b"]')).toBe(slashed);
    expect(tree.has('["a"]')).toBe(true);
    expect(tree.has('["b"]')).toBe(false);
  });

  it('lists the root first, then namespaces in creation order', () => {
    const { root, tree } = treeOf();
    const b = root.namespace('b');
    const a = root.namespace('a');
    expect([...tree.values()]).toEqual([root, b, a]);
    expect([...tree.entries()].map(([id]) => id)).toEqual(['[]', '["b"]', '["a"]']);
  });

  it('starts paths at a named root', () => {
    const { root } = treeOf({ root: { path: ['jobs'] } });
    expect(root.node.name).toBe('jobs');
    expect(root.namespace('daily').node).toMatchObject({ name: 'jobs/daily', id: '["jobs","daily"]' });
  });

  it('rejects an empty or non-string name, naming the call and the option', () => {
    const { root } = treeOf();
    expect(typeErrorOf(() => root.namespace(''))).toBe(
      'Test.namespace(""): option "name" must be a non-empty string; got "".',
    );
    expect(typeErrorOf(() => root.namespace(42 as unknown as string))).toContain('"name"');
  });
});

describe('NamespaceTree: limits', () => {
  it('a new namespace takes its stated limits, else its defaults, else its parent’s', () => {
    const { root } = treeOf({ root: { maxSize: 1000, ttl: 5000 } });
    expect(root.namespace('stated', { maxSize: 10, ttl: 100, defaults: { maxSize: 20, ttl: 200 } }).node).toMatchObject(
      { maxSize: 10, ttl: 100 },
    );
    expect(root.namespace('defaulted', { defaults: { maxSize: 20, ttl: 200 } }).node).toMatchObject({
      maxSize: 20,
      ttl: 200,
    });
    const inherited = root.namespace('inherited');
    expect(inherited.node).toMatchObject({ maxSize: 1000, ttl: 5000 });
    expect(inherited.namespace('child', { maxSize: 3 }).namespace('grandchild').node).toMatchObject({
      maxSize: 3,
      ttl: 5000,
    });
  });

  it('accepts durations for ttl', () => {
    const { root } = treeOf();
    expect(root.namespace('a', { ttl: '2s' as unknown as number }).node.ttl).toBe(2000);
    expect(root.namespace('b', { defaults: { ttl: '1m' as unknown as number } }).node.ttl).toBe(60_000);
  });

  it('rejects bad limits and defaults, naming the option', () => {
    const { root, created } = treeOf();
    expect(typeErrorOf(() => root.namespace('x', { maxSize: 0 }))).toContain('"maxSize"');
    expect(typeErrorOf(() => root.namespace('x', { maxSize: 1.5 }))).toContain('"maxSize"');
    expect(typeErrorOf(() => root.namespace('x', { ttl: -1 }))).toContain('"ttl"');
    expect(typeErrorOf(() => root.namespace('x', { defaults: { maxSize: -2 } }))).toContain('"defaults.maxSize"');
    expect(typeErrorOf(() => root.namespace('x', { defaults: { ttl: 0 } }))).toContain('"defaults.ttl"');
    expect(created).toEqual([]);
  });

  it('the first limit stated on an existing namespace applies, and the store is told before it is recorded', () => {
    const { root } = treeOf();
    const plain = root.namespace('users');
    expect(plain.node.maxSize).toBe(1000);
    expect(root.namespace('users', { maxSize: 2, user: 'Users.find' })).toBe(plain);
    expect(plain.resizes).toEqual([{ maxSize: 2, ttl: undefined }]);
    expect(plain.node.maxSize).toBe(2);
    // The same stated value again is no conflict.
    root.namespace('users', { maxSize: 2, user: 'Users.count' });
    expect(typeErrorOf(() => root.namespace('users', { maxSize: 3, user: 'Cache.scope' }))).toBe(
      'Cache.scope asks for maxSize 3 on the shared namespace "users", but Users.find already set maxSize 2 there. ' +
        'A namespace has one maxSize: give both the same "maxSize" option, or state it on one of them only.',
    );
    expect(plain.node.maxSize).toBe(2);
  });

  it('stated limits of a new namespace bind it; defaults never conflict and give way to a stated limit', () => {
    const { root } = treeOf();
    const ns = root.namespace('s', { ttl: 1000, defaults: { maxSize: 3 } });
    root.namespace('s', { defaults: { maxSize: 10, ttl: 5 } });
    expect(ns.node).toMatchObject({ maxSize: 3, ttl: 1000 });
    root.namespace('s', { maxSize: 7 });
    expect(ns.node).toMatchObject({ maxSize: 7, ttl: 1000 });
    expect(typeErrorOf(() => root.namespace('s', { ttl: 2000 }))).toContain(
      'Test.namespace("s") asks for ttl 2000 on the shared namespace "s", but Test.namespace("s") already set ttl 1000',
    );
  });

  it('a request the store refuses records nothing', () => {
    let refuse = true;
    const { root } = treeOf({
      reuse: () => {
        if (refuse) throw new TypeError('refused');
      },
    });
    const ns = root.namespace('orders');
    expect(typeErrorOf(() => root.namespace('orders', { ttl: 60_000, user: 'A' }))).toBe('refused');
    expect(ns.node.ttl).toBeUndefined();
    refuse = false;
    root.namespace('orders', { ttl: 30_000, user: 'B' }); // not a conflict with A's refused request
    expect(ns.node.ttl).toBe(30_000);
  });

  it('a namespace the store fails to create is not registered', () => {
    let fail = true;
    const { root, tree } = treeOf({
      create: ({ node }) => {
        if (fail) throw new TypeError('cannot');
        return new Bucket(tree, node);
      },
    });
    expect(typeErrorOf(() => root.namespace('x', { maxSize: 5 }))).toBe('cannot');
    expect(tree.has('["x"]')).toBe(false);
    fail = false;
    expect(root.namespace('x', { maxSize: 6 }).node.maxSize).toBe(6);
  });
});

describe('NullStore: namespaces from the tree', () => {
  it('gives the same namespace for the same name, under a named root too', () => {
    const store = new NullStore();
    expect(store.namespace('users')).toBe(store.namespace('users'));
    expect(store.namespace('a').namespace('b').name).toBe('a/b');
    expect(store.namespace('a').namespace('b')).not.toBe(store.namespace('a/b'));
    expect(new NullStore('jobs').namespace('daily').name).toBe('jobs/daily');
  });

  it('checks limits as a real store does, though it stores nothing', () => {
    const store = new NullStore();
    expect(typeErrorOf(() => store.namespace(''))).toContain('NullStore.namespace("")');
    expect(typeErrorOf(() => store.namespace('x', { maxSize: 0 }))).toContain('"maxSize"');
    store.namespace('users', { maxSize: 2, user: 'Users.find' });
    expect(typeErrorOf(() => store.namespace('users', { maxSize: 3, user: 'Users.count' }))).toContain(
      'Users.count asks for maxSize 3 on the shared namespace "users", but Users.find already set maxSize 2',
    );
  });
});
