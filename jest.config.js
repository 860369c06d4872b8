/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true }],
  },
  // e2e tests spawn real processes and engines; keep them from starving each other on 2 cores.
  maxWorkers: 2,
  testTimeout: 30000,
};
