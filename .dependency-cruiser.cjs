// The layer check run by `npm run lint` (dependency-cruiser): lib/ and
// nest-module/ import one way only, and nothing imports itself in a loop.
//
//   util ← keys ← codec ← stores ← engine ← api ← entry points ← nest-module
//
// A file may import its own layer and the layers to its left, never one to
// its right. Entry points are the files directly in lib/ (lib/index.ts, the
// narrow lib/internal.ts nest-module uses) and lib/testing/ (memokit/testing).
// docs/architecture.md explains what lives in each layer.
//
// Each rule's name says what it protects; its comment says why, and is what
// `depcruise` prints when the rule fails. Paths are relative to the folder
// depcruise runs in (the repository root; test/lint/ runs it in a fixture).
//
// Run: npx depcruise lib nest-module --config .dependency-cruiser.cjs

/** The layers of lib/, bottom first: each may import only itself and those before it. */
const LAYERS = ['util', 'keys', 'codec', 'stores', 'engine', 'api'];

/** The comment of a layer's rule: what it may import, and why. */
const layerComment = (layer, below) =>
  below.length === 0
    ? `lib/${layer}/ is the bottom layer: it imports nothing else from lib/ (only node: built-ins and packages), ` +
      'so every other layer can use it without creating a loop.'
    : `lib/${layer}/ may import only ${below.map((l) => `lib/${l}/`).join(', ')} and its own folder. ` +
      'Importing a layer above it (or an entry point, or nest-module/) turns the one-way stack into a tangle: ' +
      'move the shared code down a layer, or pass what is needed in as a parameter.';

/** One rule per layer: nothing it imports from lib/ or nest-module/ lies outside it and the layers below. */
const layerRules = LAYERS.map((layer, index) => {
  const allowed = LAYERS.slice(0, index + 1);
  return {
    name: `${layer}-imports-only-lower-layers`,
    severity: 'error',
    comment: layerComment(layer, LAYERS.slice(0, index)),
    from: { path: `^lib/${layer}/` },
    to: { path: '^(lib|nest-module)/', pathNot: `^lib/(${allowed.join('|')})/` },
  };
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-import-cycles',
      severity: 'error',
      comment:
        'Modules that import each other (directly or through others, type-only imports included) cannot be ' +
        'read, tested or loaded one at a time, and which one is evaluated first depends on who imports them. ' +
        'Break the loop: move what both need into a lower module, or pass it in.',
      from: { path: '^(lib|nest-module)/' },
      to: { circular: true },
    },
    {
      name: 'lib-folders-are-known-layers',
      severity: 'error',
      comment:
        `Every folder directly in lib/ is a layer (${LAYERS.join(', ')}) or the testing entry point; ` +
        'a new folder has no place in the import direction yet. Put the code in a layer, or add the folder ' +
        'to LAYERS in .dependency-cruiser.cjs and to docs/architecture.md.',
      from: { path: '^lib/[^/]+/', pathNot: `^lib/(${LAYERS.join('|')}|testing)/` },
      to: {},
    },
    ...layerRules,
    {
      name: 'resilience-imports-only-store-contract',
      severity: 'error',
      comment:
        'lib/stores/resilience/ (deadlines, circuit breaker, replay queue) is shared by the Redis store and ' +
        'the tiered bus, so it may use util/, keys/, codec/ and the contract-level files directly in ' +
        'lib/stores/, never a store (memory/, redis/, tiered/, null-store.ts) or the URL factory that builds them.',
      from: { path: '^lib/stores/resilience/' },
      to: {
        path: ['^lib/stores/(?!resilience/)[^/]+/', '^lib/stores/(url|null-store)\\.ts$'],
      },
    },
    {
      name: 'redis-store-stands-alone',
      severity: 'error',
      comment:
        'lib/stores/redis/ must not import lib/stores/tiered/ or lib/stores/memory/: the tiered store is built ' +
        'on the Redis store, not the other way round, and the Redis store works without an in-process tier.',
      from: { path: '^lib/stores/redis/' },
      to: { path: '^lib/stores/(tiered|memory)/' },
    },
    {
      name: 'memory-store-stands-alone',
      severity: 'error',
      comment:
        'lib/stores/memory/ must not import lib/stores/redis/ or lib/stores/tiered/: the memory store is the ' +
        'default everywhere, and using it must not load the Redis code.',
      from: { path: '^lib/stores/memory/' },
      to: { path: '^lib/stores/(redis|tiered)/' },
    },
    {
      name: 'testing-stays-out-of-the-main-entry',
      severity: 'error',
      comment:
        'lib/testing/ (memokit/testing, the store contract suite) is an entry point of its own: the other entry ' +
        'points (lib/index.ts, lib/internal.ts) must not import it, so that importing memokit never loads the ' +
        'test suite or node:assert.',
      from: { path: '^lib/[^/]+$' },
      to: { path: '^lib/testing/' },
    },
    {
      name: 'lib-never-imports-nest-module',
      severity: 'error',
      comment:
        'nest-module/ is built on memokit, never the reverse: memokit must load without NestJS installed. ' +
        'Code both need belongs in lib/ (exported through lib/index.ts or lib/internal.ts).',
      from: { path: '^lib/' },
      to: { path: '^nest-module/' },
    },
    {
      name: 'nest-module-uses-entry-points-only',
      severity: 'error',
      comment:
        'nest-module/ reaches lib/ only through lib/index.ts (the public API), lib/redis.ts (loaded only when ' +
        'a redis:// URL is configured) and lib/internal.ts (the narrow internal entry made for it), never ' +
        'through a deep path: lib/ can then move files without breaking the NestJS module, and what the ' +
        'module relies on is listed in one place.',
      from: { path: '^nest-module/' },
      to: { path: '^lib/', pathNot: '^lib/(index|internal|redis)\\.ts$' },
    },
    {
      name: 'main-entry-loads-no-redis',
      severity: 'error',
      comment:
        "Importing 'memokit' (lib/index.ts, and lib/internal.ts beside it) must not load the Redis or tiered " +
        'store, directly or through any chain of imports: apps without Redis never evaluate its code. Redis ' +
        "lives behind 'memokit/redis' (lib/redis.ts) and 'memokit/tiered' (lib/tiered.ts).",
      from: { path: '^lib/(index|internal)\\.ts$' },
      to: { path: '^lib/stores/(redis|tiered)/', reachable: true },
    },
    {
      name: 'lib-never-imports-tests',
      severity: 'error',
      comment:
        'The published code (lib/, nest-module/) must not import test/, bench/ or sample-app/: those folders ' +
        'are not in the package, so such an import breaks for every user.',
      from: { path: '^(lib|nest-module)/' },
      to: { path: '^(test|bench|sample-app)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a cycle or an upward import through types is still one.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
