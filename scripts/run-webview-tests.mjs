// npm run test:webview: builds the bundles and the webview tests, makes sure Chromium is there, runs them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, env = {}) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;

let rc = run(process.execPath, ['esbuild.config.mjs', '--tests']);
if (rc !== 0) process.exit(rc);
if (!existsSync(process.env.CHROMIUM ?? '/usr/bin/chromium')) {
  console.log('[webview] Chromium missing; installing it');
  rc = run('bash', ['scripts/install-test-host.sh'], { MMX_HOST_PARTS: 'apt' });
  if (rc !== 0) process.exit(rc);
}
process.exit(run(process.execPath, ['out/test/webview/run.js']));
