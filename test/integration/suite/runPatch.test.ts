// Run This Patch in the real VS Code: seed 004 on the nearest tree gives base/-mm2/-mm3 columns in the
// panel (read back from what the page drew), failed hunks are Problems on the patch, a step of
// interpreted code shows its C line in base and patched side by side, the page-table view replays
// interpreted columns, and "Run on the engine" sits only on hunks the engine can run.
import * as assert from 'node:assert/strict';

import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';

import type { PatchRunReport } from '../../../src/cli/patchRun';
import { repoPath } from '../paths';
import { screenshot } from '../screenshot';

import { api, bundledScenario, closeAll, sleep, waitFor, webviewTabOpen, workspaceFile } from './helpers';

// the workspace's copy: a file in the extension's own folder gets no Problems
const seed004 = (): string => workspaceFile('patches', 'install_new_page-thread.txt').fsPath;
const TREE = repoPath('test', 'fixtures', 'linux-2.6.0');

suite('run this patch', () => {
  suiteSetup(async () => {
    await api();
    await closeAll();
  });

  test('"Run on the engine" only over hunks of functions the engine runs interpreted, read once per version', async () => {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(seed004()));
    const { runPatch } = await api();
    const hunks = await runPatch.runnableHunks(doc);
    const fns = [...new Set(hunks.flatMap((h) => h.functions))].sort();
    assert.deepEqual(fns, ['do_anonymous_page', 'do_no_page', 'install_new_page']);
    assert.ok(
      hunks.every((h) => h.file === 'mm/memory.c'),
      hunks.map((h) => h.file).join(', '),
    );
    // the same promise for the same version: the patch is not read again per request
    assert.equal(runPatch.runnableHunks(doc), runPatch.runnableHunks(doc));
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    const run = lenses.filter((l) => l.command?.title === 'Run on the engine');
    assert.deepEqual(
      run.map((l) => l.range.start.line + 1),
      hunks.map((h) => h.line),
    );
    // above the size setting the patch is not read at all: no lens, at once
    const cfg = vscode.workspace.getConfiguration('mmExplorer');
    await cfg.update('runPatch.codeLensMaxKB', 1, vscode.ConfigurationTarget.Global);
    try {
      await waitFor('the setting', () => vscode.workspace.getConfiguration('mmExplorer').get('runPatch.codeLensMaxKB') === 1);
      assert.deepEqual(await runPatch.runnableHunks(doc), []);
      const none = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
      assert.ok(!none.some((l) => l.command?.title === 'Run on the engine'));
    } finally {
      await cfg.update('runPatch.codeLensMaxKB', undefined, vscode.ConfigurationTarget.Global);
    }
    await waitFor('the setting reset', () => vscode.workspace.getConfiguration('mmExplorer').get('runPatch.codeLensMaxKB') === 1024);
    assert.equal((await runPatch.runnableHunks(doc)).length, hunks.length);
    // mm/filemap.c and mm/shmem.c change too (->nopage implementations), but the engine runs them as TypeScript
    const filemapHeader = doc
      .getText()
      .split('\n')
      .findIndex((l) => /^\+\+\+ .*mm\/filemap\.c/.test(l));
    assert.ok(filemapHeader > 0);
    assert.ok(!run.some((l) => l.range.start.line > filemapHeader && l.range.start.line < filemapHeader + 40));
  });

  test('seed 004 runs as base, -mm2 and -mm3 columns on dfs-race', async function () {
    this.timeout(300_000);
    const uri = vscode.Uri.file(seed004());
    await vscode.window.showTextDocument(uri);
    const rendersBefore = (await api()).panel.renders;
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
    // what the page drew, read back from its own table: three columns, base violated, both patched held
    await waitFor('the page to draw the comparison', () => panel.renders > rendersBefore && panel.drawn?.columns.length === 3, 60_000);
    const drawn = panel.drawn!;
    assert.deepEqual(drawn.columns, ['base', '2.5.70-mm2', '2.5.70-mm3']);
    assert.deepEqual(drawn.cards, ['base', '2.5.70-mm2', '2.5.70-mm3']);
    const row = drawn.invariants.find((x) => x.invariant === 'stale-pte');
    assert.ok(row, JSON.stringify(drawn.invariants));
    assert.match(row.cells[0], /violated · all schedules: violated/);
    assert.match(row.cells[1], /^held · all schedules: held$/);
    assert.match(row.cells[2], /^held · all schedules: held$/);
    // the -mm3 hunk of do_anonymous_page has no base in the excerpt: a Problem on its header line
    const problems = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'MM Explorer run-patch');
    assert.ok(
      problems.some((d) => /do_anonymous_page/.test(d.message)),
      problems.map((d) => d.message).join('\n'),
    );
    await vscode.commands.executeCommand('notifications.clearAll');
    await sleep(500);
    await screenshot('run-patch-seed004');
  });

  test('a step of interpreted code shows its C line in base and patched side by side, highlighted', async () => {
    const { panel, runPatch } = await api();
    const c = panel.comparison!;
    const run = c.runs.findIndex((x) => x.label === '2.5.70-mm2');
    // install_new_page takes page_table_lock: a step that exists only in the patched function
    const ev = c.runs[run].trace.find((e) => e.fn === 'install_new_page' && e.kind === 'lock' && e.src);
    assert.ok(ev, 'no interpreted install_new_page step');
    runPatch.revealed = undefined;
    panel.select({ view: 'comparison', run, step: ev.step });
    panel.receive({ type: 'selectStep', selection: { view: 'comparison', run, step: ev.step } });
    const shown = await waitFor('the C line', () => runPatch.revealed);
    assert.equal(shown.uri, vscode.Uri.from({ scheme: 'mmx-patch-function', path: '/2.5.70-mm2/mm/memory.c' }).toString());
    assert.equal(shown.line + 1, Number(/:(\d+)$/.exec(ev.src!)![1]));
    assert.match(shown.text, /spin_lock\(&mm->page_table_lock\)/);
    assert.ok(shown.diff, 'base and patched side by side');
    const diff = vscode.window.tabGroups.all
      .flatMap((g) => g.tabs)
      .map((t) => t.input)
      .find((i): i is vscode.TabInputTextDiff => i instanceof vscode.TabInputTextDiff && i.modified.path === '/2.5.70-mm2/mm/memory.c');
    assert.ok(diff, 'no diff editor of the -mm2 column');
    assert.equal(diff.original.path, '/base/mm/memory.c');
    await waitFor('the executing line in view', () =>
      vscode.window.visibleTextEditors.some(
        (e) => e.document.uri.toString() === shown.uri && e.visibleRanges.some((r) => r.contains(new vscode.Position(shown.line, 0))),
      ),
    );
    // a step of the base column: its line on the base side, the first patched column beside it
    // (a step shows the line of its last interpreted event: pick a step whose last one is the lock)
    const b = c.runs[0].trace.find(
      (e) => e.fn === 'do_no_page' && e.kind === 'lock' && e.src && c.runs[0].trace.filter((x) => x.step === e.step && x.src).pop() === e,
    );
    assert.ok(b, 'no interpreted do_no_page step in the base');
    runPatch.revealed = undefined;
    panel.receive({ type: 'selectStep', selection: { view: 'comparison', run: 0, step: b.step } });
    const inBase = await waitFor('the base C line', () => runPatch.revealed);
    assert.equal(inBase.uri, vscode.Uri.from({ scheme: 'mmx-patch-function', path: '/base/mm/memory.c' }).toString());
    assert.equal(inBase.line + 1, Number(/:(\d+)$/.exec(b.src!)![1]));
    assert.match(inBase.text, /spin_lock\(&mm->page_table_lock\)/);
    assert.ok(inBase.diff);
    // back to the -mm2 step for the picture
    panel.receive({ type: 'selectStep', selection: { view: 'comparison', run, step: ev.step } });
    await waitFor('the -mm2 C line again', () => runPatch.revealed?.uri.endsWith('/2.5.70-mm2/mm/memory.c'));
    // base and patched side by side in the picture (the diff editor goes inline when space is short)
    const diffCfg = vscode.workspace.getConfiguration('diffEditor');
    await diffCfg.update('useInlineViewWhenSpaceIsLimited', false, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await vscode.commands.executeCommand('notifications.clearAll');
    await sleep(800);
    await screenshot('run-patch-c-line');
    await vscode.commands.executeCommand('workbench.action.toggleSidebarVisibility');
    await diffCfg.update('useInlineViewWhenSpaceIsLimited', undefined, vscode.ConfigurationTarget.Global);
  });

  test('the page-table view replays a step of an interpreted column', async () => {
    const { panel, pageTables } = await api();
    const c = panel.comparison!;
    const run = c.runs.findIndex((x) => x.label === '2.5.70-mm2');
    const last = c.runs[run].trace[c.runs[run].trace.length - 1].step;
    panel.receive({ type: 'selectStep', selection: { view: 'comparison', run, step: last } });
    await waitFor(
      'the tree at the last step of 2.5.70-mm2',
      () => pageTables.current?.variant === run && pageTables.current.step === last,
      30_000,
    );
    // the replay in the page-table view's worker, with the column's C compiled again there, ends where the child's run ended
    const ptes = (s: (typeof c.runs)[0]['snapshot']) => JSON.stringify(s.mms.map((m) => m.ptes));
    assert.equal(ptes(pageTables.current!.snapshot), ptes(c.runs[run].snapshot));
    // the step where the interpreted install_new_page sets the pte: mapped; the step before: not yet
    const set = c.runs[run].trace.find((e) => e.kind === 'pte' && e.fn === 'install_new_page');
    assert.ok(set, 'install_new_page sets a pte in the -mm2 run');
    const present = () =>
      pageTables.current!.snapshot.mms.flatMap((m) => m.ptes.filter((p) => p.kind === 'present').map((p) => `${m.name}@${p.addr}`));
    panel.receive({ type: 'selectStep', selection: { view: 'comparison', run, step: set.step } });
    await waitFor('the tree at the pte', () => pageTables.current?.step === set.step);
    const at = present();
    panel.receive({ type: 'selectStep', selection: { view: 'comparison', run, step: set.step - 1 } });
    await waitFor('the tree before the pte', () => pageTables.current?.step === set.step - 1);
    const before = present();
    assert.equal(at.length, before.length + 1, `mapped at the pte step: ${at.join(', ')}; before: ${before.join(', ')}`);
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
