import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The long chaos suite runs with `npm run test:chaos` (which overrides roots and ignores on the command line).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/chaos/'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // The sample app imports memokit by its package name; in-process tests of it load the sources.
    '^memokit$': '<rootDir>/lib/index.ts',
    '^memokit/nest$': '<rootDir>/nest-module/index.ts',
    '^memokit/(redis|tiered)$': '<rootDir>/lib/$1.ts',
    '^memokit/testing$': '<rootDir>/lib/testing/index.ts',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
  testTimeout: 30_000,
  globalSetup: '<rootDir>/test/setup/redis-server.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
};

export default config;
