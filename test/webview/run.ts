// Runs every test/webview/*.test.ts (compiled to out/test/webview/) with mocha (tdd ui) against the
// built dist/webview.js in headless Chromium. One server and one browser serve all files; each test
// opens its own page through harness.ts. Exit code 0 only when every test passed.
// env: CHROMIUM (default /usr/bin/chromium), MMX_TEST_GREP (mocha grep)
// Writes .test-output/webview.json ({passed, failed, pending}).
import * as fs from 'node:fs';
import * as path from 'node:path';

import Mocha from 'mocha';
import { type Browser } from 'playwright-core';

import { chromiumPath, launchChromium } from '../chromium';

import { setContext } from './harness';
import { startServer, type StaticServer } from './server';

// stack traces of failing tests point into the .ts sources (the bundles carry inline source maps)
process.setSourceMapsEnabled(true);

function findRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, 'esbuild.config.mjs'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`repository root not found above ${start}`);
    dir = up;
  }
  return dir;
}

async function main(): Promise<number> {
  const repo = findRoot(__dirname);
  const { path: executablePath, missing } = chromiumPath();
  if (missing) {
    console.error(`[webview] ${missing}`);
    return 2;
  }
  if (!fs.existsSync(path.join(repo, 'dist', 'webview.js'))) {
    console.error('[webview] dist/webview.js missing: run npm run build first');
    return 2;
  }
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort()
    .map((f) => path.join(__dirname, f));
  const outDir = path.join(repo, '.test-output');
  fs.mkdirSync(outDir, { recursive: true });

  let server: StaticServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await startServer(repo);
    browser = await launchChromium(executablePath);
    console.log(`[webview] Chromium ${browser.version()}, bundle served from ${server.url}, ${files.length} test file(s)`);
    setContext({ browser, baseUrl: server.url });

    const grep = process.env.MMX_TEST_GREP;
    const mocha = new Mocha({ ui: 'tdd', reporter: 'spec', color: false, timeout: 30000, ...(grep ? { grep } : {}) });
    for (const f of files) mocha.addFile(f);
    const stats = await new Promise<{ passes: number; failures: number; pending: number }>((resolve) => {
      const runner = mocha.run((failures) => resolve(runner.stats ?? { passes: 0, failures, pending: 0 }));
    });
    const result = { passed: stats.passes, failed: stats.failures, pending: stats.pending };
    fs.writeFileSync(path.join(outDir, 'webview.json'), JSON.stringify(result, null, 2) + '\n');
    if (files.length === 0) {
      console.error('[webview] no test files found');
      return 1;
    }
    return result.failed === 0 ? 0 : 1;
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.close();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`[webview] ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(2);
  },
);
