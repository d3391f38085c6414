// Runs inside the VS Code extension host (the extensionTestsPath module): loads every compiled suite
// under ./suite and runs them with mocha (tdd ui: suite/test/setup/teardown).
//
// Output: the extension host makes console.* non-assignable and its stdout does not reach the outer
// runner, so mocha's reporter output is appended to the file named by MMX_TEST_OUTPUT (set by the
// outer runner; variables named VSCODE_* would be stripped) and the runner streams that file.
// The last line is a machine-readable summary the runners parse:
//   [mmx-integration] {"passed":N,"failed":N,"pending":N}
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';

import Mocha from 'mocha';
import * as vscode from 'vscode';

// stack traces of failing tests point into the .ts sources (the bundles carry inline source maps)
process.setSourceMapsEnabled(true);

const outFile = process.env.MMX_TEST_OUTPUT;

function log(...args: unknown[]): void {
  const line = util.format(...args);
  if (outFile) fs.appendFileSync(outFile, line + '\n');
  console.log(line);
}

function suiteFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...suiteFiles(p));
    else if (entry.name.endsWith('.test.js')) files.push(p);
  }
  return files.sort();
}

export function run(): Promise<void> {
  Mocha.reporters.Base.consoleLog = log;
  const grep = process.env.MMX_TEST_GREP;
  const mocha = new Mocha({ ui: 'tdd', color: false, reporter: 'spec', timeout: 30000, ...(grep ? { grep } : {}) });
  log(
    `[mmx-integration] VS Code ${vscode.version} (${vscode.env.appName}, ui ${vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop'}` +
      `${vscode.env.remoteName ? `, remote ${vscode.env.remoteName}` : ''}), Node ${process.versions.node}`,
  );
  const files = suiteFiles(path.join(__dirname, 'suite'));
  log(`[mmx-integration] ${files.length} suite file(s): ${files.map((f) => path.basename(f)).join(', ')}`);
  for (const f of files) mocha.addFile(f);
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        const s = runner.stats ?? { passes: 0, failures, pending: 0 };
        log(`[mmx-integration] ${JSON.stringify({ passed: s.passes, failed: s.failures, pending: s.pending })}`);
        if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
        else if (files.length === 0) reject(new Error('no integration suites found under out/test/integration/suite'));
        else resolve();
      });
    } catch (e) {
      // a suite that fails to load (syntax error, bad import) is a failure, not a silent pass
      log(`[mmx-integration] could not load the suites: ${e instanceof Error ? e.stack : String(e)}`);
      log(`[mmx-integration] ${JSON.stringify({ passed: 0, failed: 1, pending: 0 })}`);
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  });
}
