// Run This Patch in the real VS Code: seed 004 on the nearest tree gives base/-mm2/-mm3 columns in the
// panel, failed hunks are Problems on the patch, and a changed function opens base and patched side
// by side in the diff editor.
import * as assert from 'node:assert/strict';

import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';

import type { PatchRunReport } from '../../../src/cli/patchRun';
import { repoPath } from '../paths';
import { screenshot } from '../screenshot';

import { api, bundledScenario, closeAll, waitFor, webviewTabOpen } from './helpers';

const SEED004 = repoPath('test', 'fixtures', 'patch', 'seeds', '004_de1f5842a85ca452.txt');
const TREE = repoPath('test', 'fixtures', 'linux-2.6.0');

suite('run this patch', () => {
  suiteSetup(async () => {
    await api();
    await closeAll();
  });

  test('seed 004 runs as base, -mm2 and -mm3 columns on dfs-race', async function () {
    this.timeout(300_000);
    const uri = vscode.Uri.file(SEED004);
    await vscode.window.showTextDocument(uri);
    const r = await vscode.commands.executeCommand<PatchRunReport>(
      'mmExplorer.runThisPatch',
      uri,
      bundledScenario('dfs-race.mmscenario.yaml'),
      TREE,
    );
    assert.ok(r, 'no report');
    assert.deepEqual(
      r.columns.map((c) => c.label),
      ['base', '2.5.70-mm2', '2.5.70-mm3'],
    );
    const stale = r.scenarios[0].comparison.invariants.find((x) => x.invariant === 'stale-pte');
    assert.deepEqual(stale?.explored, ['violated', 'held', 'held']);
    await waitFor('the panel', () => webviewTabOpen());
    const { panel } = await api();
    assert.deepEqual(
      panel.comparison?.runs.map((x) => x.label),
      ['base', '2.5.70-mm2', '2.5.70-mm3'],
    );
    // the -mm3 hunk of do_anonymous_page has no base in the excerpt: a Problem on its header line
    const problems = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'MM Explorer run-patch');
    assert.ok(
      problems.some((d) => /do_anonymous_page/.test(d.message)),
      problems.map((d) => d.message).join('\n'),
    );
    await screenshot('run-patch-seed004');
  });

  test("a step of interpreted code reveals its C line in the column's own text, highlighted", async () => {
    const { panel } = await api();
    const c = panel.comparison!;
    const run = c.runs.findIndex((x) => x.label === '2.5.70-mm2');
    const ev = c.runs[run].trace.find((e) => e.fn === 'install_new_page' && e.src);
    assert.ok(ev, 'no interpreted install_new_page step');
    panel.receive({ type: 'selectStep', selection: { view: 'comparison', run, step: ev.step } });
    const ed = await waitFor('the C document', () =>
      vscode.window.visibleTextEditors.find(
        (e) => e.document.uri.scheme === 'mmx-patch-function' && e.document.uri.path.startsWith('/2.5.70-mm2/'),
      ),
    );
    assert.match(ed.document.getText(), /install_new_page\(struct mm_struct \*mm/);
    await screenshot('run-patch-c-line');
  });

  test('a changed function opens base and patched in the diff editor', async () => {
    assert.ok(await vscode.commands.executeCommand<boolean>('mmExplorer.showPatchedFunction', 'install_new_page', '2.5.70-mm2'));
    await waitFor('the diff editor', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.input instanceof vscode.TabInputTextDiff),
    );
  });

  test('Edit Function as Variant: the edit is saved as a patch and runs as the patched column', async function () {
    this.timeout(300_000);
    const tree = repoPath('test', 'fixtures', 'linux-2.6.11');
    const uri = await vscode.commands.executeCommand<vscode.Uri>('mmExplorer.editFunctionAsVariant', tree, 'mm/memory.c', 'do_no_page');
    assert.ok(uri, 'no document');
    const ed = await vscode.window.showTextDocument(uri);
    const text = ed.document.getText();
    const retry = /\tif \(mapping && unlikely\(sequence != mapping->truncate_count\)\) \{\n[^}]*\}\n/.exec(text);
    assert.ok(retry, 'the retry block is in the function');
    const start = ed.document.positionAt(retry.index);
    const end = ed.document.positionAt(retry.index + retry[0].length);
    assert.ok(await ed.edit((b) => b.delete(new vscode.Range(start, end))));
    const r = await vscode.commands.executeCommand<PatchRunReport>(
      'mmExplorer.runEditedFunction',
      uri,
      bundledScenario('truncate-race.mmscenario.yaml'),
    );
    assert.ok(r, 'no report');
    const stale = r.scenarios[0].comparison.invariants.find((x) => x.invariant === 'stale-pte');
    assert.deepEqual(stale?.explored, ['held', 'violated']);
    const patch = await vscode.workspace.fs.readFile(vscode.Uri.file(uri.fsPath.replace(/\.c$/, '.patch')));
    assert.match(Buffer.from(patch).toString('utf8'), /^-\tif \(mapping && unlikely/m);
  });
});
