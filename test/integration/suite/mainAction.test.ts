// A new user's path in the real VS Code: the walkthrough's steps run one after the other, the side bar
// shows its welcome buttons, the top of a patch offers "Compare A vs B vs C on SCENARIO" and it opens the
// panel with those columns, Compare Variants... starts valid and holds to 2 to 4, Explore moves the
// page-table view. Screenshots of the walkthrough and of the top-of-patch action for the README.
import * as assert from 'node:assert/strict';

import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';

import type { Analysis } from '../../../src/patch/analysisModel';
import type { Comparison } from '../../../src/scenario/comparisonModel';
import type { Exploration } from '../../../src/scenario/explorationModel';
import { screenshot } from '../screenshot';

import { api, bundledScenario, closeAll, EXTENSION_ID, sleep, waitFor } from './helpers';

interface Manifest {
  contributes: {
    walkthroughs: { id: string; steps: { id: string; description: string; completionEvents: string[] }[] }[];
    viewsWelcome: { view: string; contents: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
  };
}

const manifest = () => vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as Manifest;
const commandsIn = (text: string) => [...text.matchAll(/\(command:([\w.]+)/g)].map((m) => m[1]);

suite('finding the main action', () => {
  suiteSetup(async () => {
    await api();
    await closeAll();
  });

  test('the walkthrough is contributed and every command its steps link to is registered', async () => {
    const w = manifest().contributes.walkthroughs.find((x) => x.id === 'mmExplorer.gettingStarted');
    assert.ok(w, 'no walkthrough');
    assert.deepEqual(
      w.steps.map((s) => s.id),
      ['openSample', 'compare', 'timeline', 'pageTables', 'analyzeC'],
    );
    const all = new Set(await vscode.commands.getCommands(true));
    for (const s of w.steps)
      for (const c of commandsIn(s.description)) assert.ok(all.has(c), `${s.id} links to ${c}, which is not registered`);
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${EXTENSION_ID}#mmExplorer.gettingStarted`, false);
    await sleep(2500);
    await vscode.commands.executeCommand('notifications.clearAll');
    await screenshot('walkthrough');
    await closeAll();
  });

  test("the walkthrough's steps run: sample patch, its comparison, the panel, the page tables, a C file", async function () {
    this.timeout(120000);
    const { cFindingsSource, cAnnotations, pageTables } = await api();
    const a = await vscode.commands.executeCommand<Analysis>('mmExplorer.openSamplePatch');
    assert.ok(a?.variants.includes('install_new_page'), `variants: ${a?.variants.join(', ')}`);
    const ed = vscode.window.activeTextEditor;
    assert.match(ed?.document.uri.path ?? '', /samples\/install_new_page-thread\.txt$/);
    assert.match(cFindingsSource.status.text, /install_new_page-thread\.txt/);
    // annotated, but Problems never point into the extension's own folder
    await sleep(500);
    assert.deepEqual(
      vscode.languages.getDiagnostics(ed!.document.uri).map((d) => d.message),
      [],
    );
    const c = await vscode.commands.executeCommand<Comparison>('mmExplorer.compareVariantsForPatch');
    assert.deepEqual(
      c.runs.map((r) => r.label),
      ['2.5.70', 'install_new_page', 'install_new_page-hch'],
    );
    assert.match(c.scenario, /dfs-race\.mmscenario\.yaml$/);
    assert.equal(await vscode.commands.executeCommand('mmExplorer.openPanel'), true);
    assert.ok((await vscode.commands.executeCommand<number>('mmExplorer.showPageTables')) > 0);
    assert.ok(pageTables.current);
    const driver = await vscode.commands.executeCommand<vscode.TextDocument>('mmExplorer.openSampleDriver');
    assert.equal(driver.languageId, 'c');
    assert.ok(driver.isUntitled, 'the sample driver is a copy, not the file in the install folder');
    const findings = await waitFor('findings in the sample driver', async () => {
      const f = await cAnnotations.annotate(driver);
      return f.length ? f : undefined;
    });
    assert.ok(findings.some((f) => f.kind === 'hook-implementation'));
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await closeAll();
  });

  test('the side bar shows welcome buttons, not a message that hides them', async () => {
    const { pageTables, pageTableView } = await api();
    pageTables.setSource(undefined);
    assert.equal(pageTableView.message, undefined);
    const welcome = manifest().contributes.viewsWelcome.find((v) => v.view === 'mmExplorer.pageTables')!;
    const links = commandsIn(welcome.contents);
    for (const c of ['mmExplorer.openSamplePatch', 'mmExplorer.analyzePatch', 'mmExplorer.compareVariants', 'mmExplorer.runScenario'])
      assert.ok(links.includes(c), `welcome lacks ${c}`);
  });

  test('the top of the patch offers the comparison of its variants on the best scenario, and it opens the panel with those columns', async function () {
    this.timeout(120000);
    const a = await vscode.commands.executeCommand<Analysis>('mmExplorer.openSamplePatch');
    assert.ok(a);
    const doc = vscode.window.activeTextEditor!.document;
    const lenses = await waitFor('the top lens', async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
      return l?.some((x) => x.range.start.line === 0) ? l : undefined;
    });
    const top = lenses.filter((l) => l.range.start.line === 0);
    assert.equal(top.length, 1);
    assert.equal(top[0].command?.title, '$(git-compare) Compare 2.5.70 vs install_new_page vs -hch on dfs-race');
    // the editor-title button and the palette command are there for patches recognised by content (.txt too)
    const title = manifest().contributes.menus['editor/title'];
    assert.ok(title.some((m) => m.command === 'mmExplorer.compareVariantsForPatch' && m.when === 'mmExplorer.activePatchHasVariants'));
    assert.ok(title.some((m) => m.command === 'mmExplorer.analyzePatch' && /mmExplorer\.activeIsPatch/.test(m.when ?? '')));
    assert.ok(
      manifest().contributes.menus.commandPalette.some(
        (m) => m.command === 'mmExplorer.compareVariantsForPatch' && m.when === 'mmExplorer.activePatchHasVariants',
      ),
    );
    const ed = await vscode.window.showTextDocument(doc);
    ed.revealRange(new vscode.Range(0, 0, 0, 0), vscode.TextEditorRevealType.AtTop);
    await sleep(1500);
    await vscode.commands.executeCommand('notifications.clearAll');
    await screenshot('top-of-patch-action');
    const { panel } = await api();
    const c = await vscode.commands.executeCommand<Comparison>(top[0].command.command, ...((top[0].command.arguments ?? []) as unknown[]));
    assert.deepEqual(
      c.runs.map((r) => r.label),
      ['2.5.70', 'install_new_page', 'install_new_page-hch'],
    );
    assert.ok(panel.visible);
    assert.deepEqual(
      panel.comparison?.runs.map((r) => r.label),
      ['2.5.70', 'install_new_page', 'install_new_page-hch'],
    );
    await closeAll();
  });

  test('Compare Variants... starts with the base and the first fix and holds to 2 to 4', async function () {
    this.timeout(90000);
    const { scenarios } = await api();
    // gup-walk has 6 columns: the pick must not start with all of them ticked
    const run = scenarios.compare({ scenario: bundledScenario('gup-walk.mmscenario.yaml') });
    const qp = await waitFor('the variant pick', () => scenarios.columnPick.open);
    assert.equal(qp.items.length, 6);
    assert.deepEqual(
      qp.selectedItems.map((i) => i.label),
      ['gup-2.5.46', 'walk'],
    );
    qp.selectedItems = [qp.items[0]];
    scenarios.columnPick.accept();
    assert.equal(scenarios.columnPick.open, qp, 'one variant must not be accepted');
    assert.match(qp.title ?? '', /tick 1 more/);
    qp.selectedItems = qp.items.slice(0, 5);
    scenarios.columnPick.accept();
    assert.equal(scenarios.columnPick.open, qp, 'five variants must not be accepted');
    assert.match(qp.title ?? '', /tick 1 fewer/);
    qp.selectedItems = qp.items.slice(0, 2);
    scenarios.columnPick.accept();
    const c = await run;
    assert.deepEqual(
      c?.runs.map((r) => r.label),
      ['gup-2.5.46', 'walk'],
    );
  });

  test('Reveal opens the patch beside the panel, not over its tab', async function () {
    this.timeout(90000);
    await closeAll();
    const { patches } = await api();
    const doc = await vscode.workspace.openTextDocument(
      vscode.Uri.joinPath(vscode.extensions.getExtension(EXTENSION_ID)!.extensionUri, 'samples', 'install_new_page-thread.txt'),
    );
    await patches.analyze(doc);
    await vscode.commands.executeCommand('mmExplorer.compareVariants', {
      scenario: bundledScenario('dfs-race.mmscenario.yaml'),
      columns: ['2.5.70', 'install_new_page'],
    });
    const panelGroup = () => vscode.window.tabGroups.all.find((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputWebview));
    await waitFor('the panel tab', () => panelGroup());
    const loc = await vscode.commands.executeCommand<vscode.Location>('mmExplorer.revealFunction', 'install_new_page');
    assert.ok(loc);
    await sleep(500);
    const after = panelGroup();
    assert.ok(after, 'the panel tab is still open');
    assert.ok(after.activeTab?.input instanceof vscode.TabInputWebview, 'the panel is still the visible tab of its group');
    assert.notEqual(vscode.window.activeTextEditor?.viewColumn, after.viewColumn, 'the patch opened in the panel group');
    await closeAll();
  });

  test('after Explore Schedules the page-table view shows the counterexample, not the previous run', async function () {
    this.timeout(90000);
    const { pageTables } = await api();
    await vscode.commands.executeCommand('mmExplorer.compareVariants', {
      scenario: bundledScenario('dfs-race.mmscenario.yaml'),
      columns: ['install_new_page', 'install_new_page-hch'],
    });
    const before = pageTables.current;
    const x = await vscode.commands.executeCommand<Exploration>('mmExplorer.exploreSchedules', {
      scenario: bundledScenario('dfs-race.mmscenario.yaml'),
      column: '2.5.70',
    });
    assert.ok(x.violations.length > 0);
    const now = pageTables.current;
    assert.ok(now && now !== before, 'the view did not follow');
    assert.deepEqual(now.variants, ['2.5.70']);
    await closeAll();
  });
});
