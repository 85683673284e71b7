/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // ts-jest in transpile-only mode: fast; types are checked once by `tsc` (npm run build / lint).
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }],
  },
  globalSetup: '<rootDir>/test/support/globalSetup.ts',
  globalTeardown: '<rootDir>/test/support/globalTeardown.ts',
  setupFiles: ['<rootDir>/test/support/setupEnv.ts'],
  // The worker's registration API, as the Functions host provides it (no "test mode" warnings).
  moduleNameMapper: { '^@azure/functions-core$': '<rootDir>/test/support/functionsCoreApi.ts' },
  // Two cores here: two workers, so the per-worker CA trust from globalSetup applies.
  maxWorkers: 2,
  testTimeout: 30000,
};
