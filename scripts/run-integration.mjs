// npm run test:integration: builds the extension and the suites, then runs the suites inside a real
// VS Code. MMX_TEST_HOST selects the launcher:
//   code-server (default)  code-server 4.100.3 (VS Code 1.100.3) + headless Chromium, installed on demand
//                          into .vscode-test-host/ by scripts/install-test-host.sh (works offline from
//                          VS Code's download host; needs the npm registry and Debian apt)
//   electron               @vscode/test-electron (downloads VS Code; for machines that can reach it)
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status ?? 1;
const host = process.env.MMX_TEST_HOST ?? 'code-server';

let rc = run(process.execPath, ['esbuild.config.mjs', '--tests']);
if (rc !== 0) process.exit(rc);
if (host === 'electron') {
  process.exit(run(process.execPath, ['scripts/run-integration-electron.mjs']));
} else if (host === 'code-server') {
  rc = run('bash', ['scripts/install-test-host.sh']);
  if (rc !== 0) {
    console.error('[integration] the test host could not be installed (see above)');
    process.exit(rc);
  }
  process.exit(run(process.execPath, ['out/test/integration/runCodeServer.js']));
} else {
  console.error(`[integration] unknown MMX_TEST_HOST '${host}' (use code-server or electron)`);
  process.exit(2);
}
