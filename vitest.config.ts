import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['test/unit/setup/fastCheck.ts'],
    // two cores shared with the other test runners: keep the worker count low
    maxWorkers: 2,
    testTimeout: 20000,
  },
});
