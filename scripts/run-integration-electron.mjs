// Runs the integration suites with @vscode/test-electron, for machines that can download VS Code.
// Same suites and in-host entry as the code-server launcher; screenshots are not available here
// (screenshot() resolves to false). env: MMX_VSCODE_VERSION (default 1.100.3, the oldest supported).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { parseSummary } = require(join(root, 'out/test/integration/summary.js'));
const { makeFixtureWorkspace } = require(join(root, 'out/test/integration/fixtureWorkspace.js'));

const tmp = mkdtempSync(join(tmpdir(), 'mmx-it-electron-'));
const workspace = join(tmp, 'workspace');
makeFixtureWorkspace(root, workspace);
const output = join(tmp, 'test-output.log');
writeFileSync(output, '');

let exitCode = 0;
try {
  await runTests({
    version: process.env.MMX_VSCODE_VERSION ?? '1.100.3',
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'out/test/integration/index'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome'],
    extensionTestsEnv: { MMX_TEST_OUTPUT: output },
  });
} catch (e) {
  console.error(`[runner] ${e instanceof Error ? e.message : String(e)}`);
  exitCode = 1;
}
const text = readFileSync(output, 'utf8');
const summary = parseSummary(text);
const vscode = /^\[mmx-integration\] (VS Code .*)$/m.exec(text)?.[1] ?? 'VS Code (did not start)';
console.log(`[runner] ran in ${vscode}`);
mkdirSync(join(root, '.test-output'), { recursive: true });
writeFileSync(
  join(root, '.test-output/integration.json'),
  JSON.stringify(
    { passed: summary?.passed ?? 0, failed: summary ? summary.failed : 1, pending: summary?.pending ?? 0, vscode, exitCode },
    null,
    2,
  ) + '\n',
);
rmSync(tmp, { recursive: true, force: true });
process.exit(exitCode === 0 && summary && summary.failed === 0 ? 0 : 1);
