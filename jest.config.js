/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  // e2e tests spawn real processes and engines; keep them from starving each other on 2 cores.
  maxWorkers: 2,
  // A ceiling, not a target: a daemon start on a loaded 2-core machine can take tens of seconds.
  testTimeout: 60000,
  // One private Docker Engine per run, started only when a selected test needs it (see the file).
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
