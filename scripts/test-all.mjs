// npm test: type check, lint (architecture, eslint, prettier), unit tests (vitest), webview tests (Chromium) and
// integration tests (real VS Code). Runs every step even after a failure, then prints a table and,
// as the very last line, `N passed, N failed` summed over the three test runners. Type check and
// lint have no test counts: a failure there counts as one failed. Exit code 1 if anything failed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerCounts, stepCounts, totalLine, vitestCounts } from './test-summary.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, '.test-output');
mkdirSync(out, { recursive: true });
const bin = (name) => join(root, 'node_modules', '.bin', name);
const readJson = (f) => {
  try {
    return JSON.parse(readFileSync(f, 'utf8'));
  } catch {
    return undefined;
  }
};

const steps = [
  { name: 'typecheck', cmd: bin('tsc'), args: ['--noEmit', '-p', '.'], then: [[bin('tsc'), ['--noEmit', '-p', 'src/webview']]] },
  // npm run lint: architecture lint, eslint, prettier --check
  {
    name: 'lint',
    cmd: process.execPath,
    args: ['scripts/lint-architecture.mjs'],
    then: [
      [bin('eslint'), ['src', 'test', 'bench']],
      [bin('prettier'), ['--check', '--log-level', 'warn', '.']],
    ],
  },
  {
    name: 'unit',
    cmd: bin('vitest'),
    args: ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${join(out, 'unit.json')}`],
    report: join(out, 'unit.json'),
    parse: vitestCounts,
  },
  { name: 'webview', cmd: process.execPath, args: ['scripts/run-webview-tests.mjs'], report: join(out, 'webview.json'), parse: runnerCounts },
  {
    name: 'integration',
    cmd: process.execPath,
    args: ['scripts/run-integration.mjs'],
    report: join(out, 'integration.json'),
    parse: runnerCounts,
  },
];

const started = Date.now();
const results = [];
for (const s of steps) {
  console.log(`\n=== ${s.name} ===`);
  const t0 = Date.now();
  if (s.report) rmSync(s.report, { force: true });
  // plain output for CI logs
  const env = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  let code = spawnSync(s.cmd, s.args, { cwd: root, stdio: 'inherit', env }).status ?? 1;
  for (const [cmd, args] of s.then ?? []) if (code === 0) code = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env }).status ?? 1;
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  const counts = s.parse ? stepCounts(existsSync(s.report) ? s.parse(readJson(s.report)) : undefined, code) : stepCounts(undefined, code);
  results.push({ name: s.name, code, seconds, counts, tests: Boolean(s.parse) });
}

console.log('\n=== summary ===');
for (const r of results) {
  const what = r.tests ? `${r.counts.passed} passed, ${r.counts.failed} failed, ${r.counts.pending} skipped` : r.code === 0 ? 'ok' : 'FAILED';
  console.log(`${r.name.padEnd(12)} ${(r.code === 0 ? 'ok' : 'FAIL').padEnd(5)} ${what} (${r.seconds}s)`);
}
const integration = readJson(join(out, 'integration.json'));
if (integration?.vscode) console.log(`integration ran in ${integration.vscode}`);
console.log(`total time ${((Date.now() - started) / 1000).toFixed(1)}s`);
const failedAny = results.some((r) => r.code !== 0);
console.log(totalLine(results.map((r) => r.counts)));
process.exit(failedAny ? 1 : 0);
