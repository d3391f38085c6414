// Annotations in the real VS Code: seed 004 (a web-archive copy of the install_new_page thread, saved
// as .txt so it is recognised by its content) gets CodeLens, hovers, decorations and diagnostics from
// the patch analyser; then the workspace's C files get findings and an undoable quick fix.
import * as assert from 'node:assert/strict';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import type { Analysis } from '../../../src/patch/analysisModel';
import type { Comparison } from '../../../src/scenario/comparisonModel';
import { screenshot } from '../screenshot';
import { api, bundledScenario, closeAll, sleep, waitFor, workspaceFile } from './helpers';

const SEED = ['patches', 'install_new_page-thread.txt'];

suite('patch annotations', () => {
  let analysis: Analysis;
  let seed: vscode.Uri;

  suiteSetup(async () => {
    await api();
    await closeAll();
    seed = workspaceFile(...SEED);
  });

  test('seed 004 is recognised as a patch by its content and analysed', async () => {
    const doc = await vscode.workspace.openTextDocument(seed);
    await vscode.window.showTextDocument(doc);
    analysis = await vscode.commands.executeCommand<Analysis>('mmExplorer.analyzePatch', seed);
    assert.ok(analysis, 'Analyze Patch returned nothing');
    assert.ok(analysis.patches.length >= 2, `patches: ${analysis.patches.map((p) => p.subject).join(' | ')}`);
    assert.ok(analysis.apiChanges.some((c) => c.name.replace(/^->/, '') === 'nopage'), 'the ->nopage change is found');
    assert.ok(analysis.variants.includes('install_new_page') || analysis.variants.includes('install_new_page-hch'), `variants: ${analysis.variants.join(', ')}`);
  });

  test('CodeLens over the changed ->nopage states the parameters and the lock contract of each version', async () => {
    const lenses = await waitFor('code lenses', async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', seed);
      return l && l.length > 0 ? l : undefined;
    });
    const titles = lenses.map((l) => l.command?.title ?? '');
    const nopage = titles.filter((t) => t.startsWith('->nopage:'));
    assert.ok(nopage.length >= 1, `lenses:\n${titles.join('\n')}`);
    assert.ok(nopage.some((t) => /3 → [56] parameters/.test(t)), `->nopage lenses:\n${nopage.join('\n')}`);
    // the -mm3 version: entered with page_table_lock held, each implementation drops it
    assert.ok(titles.some((t) => /page_table_lock held at entry, dropped by implementation/.test(t)), titles.join('\n'));
    assert.ok(titles.some((t) => /page_table_lock released at entry/.test(t)), titles.join('\n'));
    // every lens sits on a line the analysis names, with a runnable command
    for (const l of lenses) assert.ok(l.command?.command, `lens without command: ${l.command?.title}`);
    assert.ok(titles.some((t) => t.includes('Compare variants')), 'a lens offers to compare the variants');
    assert.ok(titles.some((t) => /\d+ implementations?/.test(t)), 'a lens lists the implementations');
  });

  test('the Compare variants lens compares the variants the patch was recognised as', async function () {
    this.timeout(90000);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', seed);
    const lens = lenses.find((l) => l.command?.title.includes('Compare variants'));
    assert.ok(lens?.command, 'no Compare variants lens');
    // several bundled scenarios have columns for these variants; name one instead of answering the picker
    const c = await vscode.commands.executeCommand<Comparison>(lens.command.command, ...((lens.command.arguments ?? []) as unknown[]), bundledScenario('dfs-race.mmscenario.yaml'));
    assert.ok(c, 'no comparison');
    const labels = c.runs.map((r) => Object.values(r.variants).join(' '));
    assert.ok(labels.some((l) => analysis.variants.some((v) => l.includes(v))), `columns ${labels.join(', ')} do not include ${analysis.variants.join(', ')}`);
    assert.ok(c.runs.length >= 2 && c.runs.length <= 4);
    await closeAll();
  });

  test('hovers show the before and after signatures', async () => {
    const change = analysis.apiChanges.find((c) => c.name.replace(/^->/, '') === 'nopage' && c.before && c.after);
    assert.ok(change, 'a ->nopage change with both sides');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', seed, new vscode.Position(change.line - 1, 1));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.ok(text.includes('before:') && text.includes('after:'), text);
    assert.ok(text.includes(change.after!.split('(')[0].trim().slice(0, 10)), text);
  });

  test('inconsistent implementations become diagnostics on their lines', async () => {
    const inconsistent = analysis.implementations.filter((i) => !i.consistent);
    const diags = await waitFor('patch diagnostics', () => {
      const d = vscode.languages.getDiagnostics(seed).filter((x) => x.code === 'inconsistent-implementation');
      return d.length === inconsistent.length ? d : undefined;
    });
    assert.deepEqual(diags.map((d) => d.range.start.line + 1).sort((a, b) => a - b), inconsistent.map((i) => i.line).sort((a, b) => a - b));
    for (const d of diags) assert.match(d.message, /not converted consistently/);
    // the editor shows the CodeLens and the decorations
    const ed = await vscode.window.showTextDocument(seed);
    // an inconsistent implementation in view: its CodeLens, decoration and squiggle together
    const shown = inconsistent[0]?.line ?? analysis.apiChanges.find((c) => c.name.replace(/^->/, '') === 'nopage')!.line;
    ed.revealRange(new vscode.Range(Math.max(0, shown - 8), 0, shown + 20, 0), vscode.TextEditorRevealType.AtTop);
    await sleep(1500);
    await vscode.commands.executeCommand('notifications.clearAll');
    await screenshot('patch-annotations');
  });

  test('a kernel function named by a trace is revealed in the analysed patch', async () => {
    const loc = await vscode.commands.executeCommand<vscode.Location | undefined>('mmExplorer.revealFunction', 'install_new_page');
    assert.ok(loc, 'not revealed');
    assert.equal(loc.uri.toString(), seed.toString());
    const doc = await vscode.workspace.openTextDocument(seed);
    const around = [loc.range.start.line - 1, loc.range.start.line, loc.range.start.line + 1].filter((l) => l >= 0).map((l) => doc.lineAt(l).text).join('\n');
    assert.match(around, /install_new_page/);
    assert.equal(vscode.window.activeTextEditor?.selection.active.line, loc.range.start.line);
    assert.equal(await vscode.commands.executeCommand('mmExplorer.revealFunction', 'no_such_kernel_function'), undefined);
  });

  test('a setting turns the CodeLens off', async () => {
    const cfg = vscode.workspace.getConfiguration('mmExplorer.annotations');
    await cfg.update('codeLens', false, vscode.ConfigurationTarget.Global);
    try {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', seed);
      assert.equal(lenses.length, 0);
    } finally {
      await cfg.update('codeLens', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('the workspace C file gets findings for the old ->nopage and the get_user_pages callers', async () => {
    const uri = workspaceFile('drivers', 'demo_nopage.c');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const { cAnnotations } = await api();
    const findings = await cAnnotations.annotate(doc);
    const kinds = findings.map((f) => f.kind);
    assert.ok(kinds.includes('hook-implementation'), `findings: ${findings.map((f) => `${f.kind}@${f.line}: ${f.message}`).join('\n')}`);
    const impl = findings.find((f) => f.kind === 'hook-implementation')!;
    assert.match(doc.lineAt(impl.line - 1).text + doc.lineAt(Math.min(doc.lineCount - 1, impl.line)).text, /demo_vm_nopage/);
    const diags = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'mm-explorer');
    assert.equal(diags.length, findings.length);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(impl.line - 1, impl.column));
    assert.ok(hovers.length > 0, 'a hover over the finding');
    const hoverText = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(hoverText, /nopage/);
    assert.match(hoverText, /after:/);
    // the picture shows the hover over the old implementation
    const ed = vscode.window.activeTextEditor!;
    ed.selection = new vscode.Selection(impl.line - 1, impl.column + 1, impl.line - 1, impl.column + 1);
    await vscode.commands.executeCommand('editor.action.showHover');
    await sleep(1000);
    await vscode.commands.executeCommand('notifications.clearAll');
    await screenshot('c-annotations');
  });

  test('a setting turns each kind of C finding off', async () => {
    const uri = workspaceFile('drivers', 'demo_nopage.c');
    const doc = await vscode.workspace.openTextDocument(uri);
    const { cAnnotations } = await api();
    const all = await cAnnotations.annotate(doc);
    assert.ok(all.some((f) => f.kind === 'hook-implementation' || f.kind === 'hook-return'));
    const cfg = vscode.workspace.getConfiguration('mmExplorer.annotations');
    await cfg.update('cImplementations', false, vscode.ConfigurationTarget.Global);
    try {
      const some = await waitFor('findings without implementations', async () => {
        const f = await cAnnotations.annotate(doc);
        return f.every((x) => x.kind !== 'hook-implementation' && x.kind !== 'hook-return') ? f : undefined;
      });
      assert.equal(some.length, all.filter((f) => f.kind !== 'hook-implementation' && f.kind !== 'hook-return').length);
    } finally {
      await cfg.update('cImplementations', undefined, vscode.ConfigurationTarget.Global);
    }
    assert.equal((await cAnnotations.annotate(doc)).length, all.length);
  });

  test('stepping in the panel scrolls the open patch to the function of the step', async () => {
    const { panel } = await api();
    await vscode.commands.executeCommand('mmExplorer.runScenario', { scenario: workspaceFile('scenarios', 'local-fault.mmscenario.yaml').fsPath });
    const ed = await vscode.window.showTextDocument(seed, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
    ed.revealRange(new vscode.Range(0, 0, 0, 0), vscode.TextEditorRevealType.AtTop);
    // the page reports a step whose events end in do_anonymous_page, a function seed 004 changes
    panel.receive({ type: 'selectStep', selection: { view: 'comparison', run: 0, step: 3 }, fn: 'do_anonymous_page' });
    const line = await waitFor('the patch to scroll', () => {
      const e = vscode.window.visibleTextEditors.find((x) => x.document.uri.toString() === seed.toString());
      const top = e?.visibleRanges[0]?.start.line ?? 0;
      return top > 0 ? top : undefined;
    });
    const doc = await vscode.workspace.openTextDocument(seed);
    const shown = vscode.window.visibleTextEditors.find((x) => x.document === doc)!.visibleRanges[0];
    const text = doc.getText(new vscode.Range(shown.start.line, 0, shown.end.line, 0));
    assert.match(text, /do_anonymous_page/, `lines ${line}.. do not show do_anonymous_page`);
    await closeAll();
  });

  test('the quick fix converts the whole ->nopage (signature, returns, lock drop); findings are recomputed; undo reverts', async () => {
    const uri = workspaceFile('drivers', 'demo_nopage.c');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const { cAnnotations } = await api();
    await cAnnotations.annotate(doc);
    const impl = cAnnotations.findingsOf(doc).find((f) => f.kind === 'hook-implementation');
    assert.ok(impl, `findings: ${cAnnotations.findingsOf(doc).map((f) => f.kind).join(', ')}`);
    const range = new vscode.Range(impl.line - 1, impl.column, impl.endLine - 1, impl.endColumn);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => a.title.startsWith('Convert demo_vm_nopage to the patched ->nopage'));
    assert.ok(fix?.edit, `actions: ${actions.map((a) => a.title).join(', ')}`);
    assert.equal(fix.command?.command, 'mmExplorer.refreshCFindings');
    const before = doc.getText();
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    await vscode.commands.executeCommand(fix.command.command, ...((fix.command.arguments ?? []) as unknown[]));
    const text = doc.getText();
    assert.match(text, /static int demo_vm_nopage\(struct mm_struct \*mm,/);
    assert.match(text, /spin_unlock\(&mm->page_table_lock\);[\s\S]*return VM_FAULT_SIGBUS;[\s\S]*return install_new_page\(/);
    assert.doesNotMatch(text.slice(text.indexOf('demo_vm_nopage'), text.indexOf('demo_vm_ops')), /return (page|NOPAGE_SIGBUS);/);
    // recomputed from the new text at once: the converted function has no finding left
    assert.equal(cAnnotations.findingsOf(doc).length, 0, cAnnotations.findingsOf(doc).map((f) => f.message).join('\n'));
    assert.equal(vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'mm-explorer').length, cAnnotations.findingsOf(doc).length);
    await vscode.commands.executeCommand('undo');
    await waitFor('undo', () => doc.getText() === before);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('every offered fix on the workspace C files compiles as far as the parser sees and keeps the other findings; a third-form ->nopage gets none', async function () {
    this.timeout(60000);
    const { cAnnotations } = await api();
    let applied = 0;
    for (const name of ['demo_nopage.c', 'ieee1394-dma.c']) {
      const uri = workspaceFile('drivers', name);
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc);
      const findings = await cAnnotations.annotate(doc);
      assert.ok(findings.length > 0, name);
      for (const f of findings) {
        const range = new vscode.Range(f.line - 1, f.column, f.endLine - 1, f.endColumn);
        const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range, vscode.CodeActionKind.QuickFix.value)).filter((a) => a.command?.command === 'mmExplorer.refreshCFindings');
        for (const a of actions) {
          const before = doc.getText();
          const others = cAnnotations.findingsOf(doc).filter((x) => x.function !== f.function).map((x) => `${x.function}:${x.message}`);
          assert.ok(await vscode.workspace.applyEdit(a.edit!));
          applied++;
          const after = await cAnnotations.refresh(uri);
          assert.deepEqual(after.filter((x) => x.function !== f.function).map((x) => `${x.function}:${x.message}`).sort(), others.sort(), `${name}: ${a.title}`);
          assert.deepEqual(after.filter((x) => x.function === f.function && x.kind === f.kind).map((x) => x.message), [], `${name}: ${a.title}`);
          await vscode.commands.executeCommand('undo');
          await waitFor('undo', () => doc.getText() === before);
          await cAnnotations.refresh(uri);
        }
      }
      if (name === 'ieee1394-dma.c') {
        const impl = findings.find((f) => f.function === 'dma_region_pagefault' && f.kind === 'hook-implementation');
        assert.ok(impl, 'the third-form ->nopage is found');
        const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, new vscode.Range(impl.line - 1, impl.column, impl.endLine - 1, impl.endColumn), vscode.CodeActionKind.QuickFix.value);
        assert.deepEqual(actions.filter((a) => a.title.includes('dma_region_pagefault')).map((a) => a.title), []);
        const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(impl.line - 1, impl.column + 1));
        const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
        assert.match(text.replace(/&nbsp;/g, ' ').replace(/\\/g, ''), /No quick fix: .*third form/);
        // its warnings stay in Problems
        assert.ok(vscode.languages.getDiagnostics(uri).some((d) => d.code === 'hook-implementation'));
      }
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    assert.ok(applied > 0, 'no fix was offered at all');
  });

  test('after the put_user_page patch, put_page on pinned pages is flagged and converted', async () => {
    const patch = workspaceFile('patches', 'put_user_page-placeholder.patch');
    const a = await vscode.commands.executeCommand<Analysis>('mmExplorer.analyzePatch', patch);
    assert.ok(a.variants.includes('put_user_page'), `variants: ${a.variants.join(', ')}`);
    const uri = workspaceFile('drivers', 'video-buf.c');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const { cAnnotations } = await api();
    const findings = await cAnnotations.annotate(doc);
    const pinned = findings.filter((f) => f.kind === 'gup-put-page');
    assert.ok(pinned.length >= 1, `findings: ${findings.map((f) => `${f.kind}@${f.line}`).join(', ')}`);
    const f = pinned[0];
    assert.match(doc.lineAt(f.line - 1).text, /page_cache_release|put_page/);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider', uri, new vscode.Range(f.line - 1, f.column, f.endLine - 1, f.endColumn), vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((x) => x.title.startsWith('Convert for the patched'));
    assert.ok(fix?.edit);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.match(doc.lineAt(f.line - 1).text, /put_user_page/);
    await waitFor('the finding to go', async () => !(await cAnnotations.annotate(doc)).some((x) => x.kind === 'gup-put-page' && x.line === f.line));
    await vscode.commands.executeCommand('undo');
    assert.match(doc.lineAt(f.line - 1).text, /page_cache_release|put_page/);
    // and the kind can be turned off
    const cfg = vscode.workspace.getConfiguration('mmExplorer.annotations');
    await cfg.update('cPinnedReleases', false, vscode.ConfigurationTarget.Global);
    try {
      assert.equal((await cAnnotations.annotate(doc)).filter((x) => x.kind === 'gup-put-page').length, 0);
    } finally {
      await cfg.update('cPinnedReleases', undefined, vscode.ConfigurationTarget.Global);
    }
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});
