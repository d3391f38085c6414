import { defineConfig } from 'vitest/config';
import { soloTwinsVite } from './scripts/solo-twins.mjs';

export default defineConfig({
  // the engine's kernel functions get plain-function twins for the direct runner (src/engine/solo.ts)
  plugins: [soloTwinsVite()],
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['test/unit/setup/fastCheck.ts'],
    // two cores shared with the other test runners: keep the worker count low
    maxWorkers: 2,
    testTimeout: 20000,
  },
});
