// Hostile input in the real VS Code: a scenario file that used to abort the process on validation gets
// a located error, and a run whose default schedule needs a long search leaves the extension host
// responsive and can be cancelled, with the panel saying so.
import * as assert from 'node:assert/strict';

import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';

import { repoPath } from '../paths';

import { api, closeAll, sleep, waitFor, waitForDiagnostics, webviewTabOpen } from './helpers';

const BOMB = repoPath('test/fixtures/hostile/schedule-bomb.mmscenario.yaml');
const TEN = repoPath('test/fixtures/hostile/ten-tasks.mmscenario.yaml');

/** how long a trivial command of this extension takes to answer */
async function commandLatency(): Promise<number> {
  const t0 = Date.now();
  await vscode.commands.executeCommand('mmExplorer.showEngineVersion');
  return Date.now() - t0;
}

suite('hostile input', () => {
  suiteSetup(async () => {
    await api();
    await closeAll();
  });

  test("schedule 't*999999999999': a located error as the file opens, and Run refuses it", async () => {
    const uri = vscode.Uri.file(BOMB);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const diags = await waitForDiagnostics(uri, 'mmscenario');
    assert.equal(diags.length, 1, diags.map((d) => d.message).join('\n'));
    assert.match(diags[0].message, /schedule entry 't\*999999999999' makes the schedule longer than 100000 steps/);
    assert.equal(diags[0].range.start.line, 13);
    assert.ok((await commandLatency()) < 1000);
    const r = await vscode.commands.executeCommand('mmExplorer.runScenario', { scenario: BOMB });
    assert.equal(r, undefined);
    await closeAll();
  });

  test('ten tasks with counterexampleOf: the host answers within 1 s during the run, and Cancel says cancelled', async () => {
    const { panel } = await api();
    const ac = new AbortController();
    let settled = false;
    const run = Promise.resolve(vscode.commands.executeCommand('mmExplorer.runScenario', { scenario: TEN, signal: ac.signal })).finally(
      () => (settled = true),
    );
    const latencies: number[] = [];
    for (let i = 0; i < 6; i++) {
      await sleep(300);
      latencies.push(await commandLatency());
    }
    assert.equal(settled, false, 'the run ended by itself: it should still be searching');
    assert.ok(Math.max(...latencies) < 1000, `command latencies during the run: ${latencies.join(', ')} ms`);
    const t0 = Date.now();
    ac.abort();
    await run;
    assert.ok(Date.now() - t0 < 5000, `the cancel took ${Date.now() - t0} ms`);
    assert.match(panel.statusMessage ?? '', /^Cancelled: running ten tasks, counterexampleOf/);
    await waitFor('the panel', () => webviewTabOpen());
    const { scenarios } = await api();
    assert.match(scenarios.status.text, /cancelled/);
  });
});
