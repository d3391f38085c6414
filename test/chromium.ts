// The headless Chromium both browser-driven suites launch (test/webview in a page of its own,
// test/integration around code-server): one place for where it is and how it starts.
import * as fs from 'node:fs';

import { chromium, type Browser } from 'playwright-core';

/** where Chromium is (CHROMIUM overrides), or an error message naming the fix */
export function chromiumPath(): { path: string; missing?: string } {
  const p = process.env.CHROMIUM ?? '/usr/bin/chromium';
  return fs.existsSync(p)
    ? { path: p }
    : { path: p, missing: `Chromium not found at ${p}: run scripts/install-test-host.sh or set CHROMIUM` };
}

/** headless, no sandbox (containers), nothing that reaches the network on its own */
export function launchChromium(executablePath: string, env?: NodeJS.ProcessEnv): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    ...(env ? { env } : {}),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}
