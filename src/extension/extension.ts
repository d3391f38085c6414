// Extension entry point: wires the commands, the comparison panel, the page-table view and the
// annotations. Everything here is light; the engine, the scenario layer and the patch analyser are
// loaded on first use (libraries.ts).
import * as path from 'node:path';

import * as vscode from 'vscode';

import type { Analysis } from '../patch/analysisModel';

import { CAnnotations } from './cAnnotations';
import { CFindingsSource } from './cFindingsSource';
import { ComparisonPanel } from './comparisonPanel';
import { EditVariantCommands } from './editVariant';
import { inInstallFolder } from './installFolder';
import { revealFunction } from './jumpToSource';
import { PageTableProvider } from './pageTableTree';
import { PatchAnnotations } from './patchAnnotations';
import { rankScenarios, type PatchComparison } from './patchCompare';
import { forcePatch, isPatchDocument, PatchStore } from './patchDocuments';
import { RunPatchCommands } from './runPatchCommands';
import { ScenarioCommands, type ScenarioArgs } from './scenarioCommands';
import { ScenarioDiagnostics } from './scenarioDiagnostics';
import { MEMORY_SETTING } from './scenarioRuns';
import { currentLimits } from './workspaceLimits';

interface Manifest {
  displayName?: string;
  version?: string;
}

export function engineVersion(context: vscode.ExtensionContext): string {
  const pkg = context.extension.packageJSON as Manifest;
  return pkg.version ?? 'unknown';
}

/** What activate() returns: the live parts, for the integration tests and for other extensions. */
export interface MmExplorerApi {
  panel: ComparisonPanel;
  pageTables: PageTableProvider;
  pageTableView: vscode.TreeView<unknown>;
  patches: PatchStore;
  patchAnnotations: PatchAnnotations;
  cAnnotations: CAnnotations;
  cFindingsSource: CFindingsSource;
  scenarioDiagnostics: ScenarioDiagnostics;
  scenarios: ScenarioCommands;
  /** Run This Patch: its last report, the runnable hunks of a patch, the last revealed C line */
  runPatch: RunPatchCommands;
}

async function analyzePatchCommand(api: MmExplorerApi, target?: vscode.Uri): Promise<Analysis | undefined> {
  let doc: vscode.TextDocument | undefined;
  if (target) doc = await vscode.workspace.openTextDocument(target);
  else if (vscode.window.activeTextEditor) doc = vscode.window.activeTextEditor.document;
  else {
    const picked = await vscode.window.showOpenDialog({
      title: 'Analyze a patch, a mail or a thread',
      canSelectMany: false,
      filters: { Patches: ['patch', 'diff', 'mbox', 'eml', 'txt'], 'All files': ['*'] },
    });
    if (!picked?.[0]) return undefined;
    doc = await vscode.workspace.openTextDocument(picked[0]);
  }
  forcePatch(doc.uri);
  await vscode.window.showTextDocument(doc, { preview: false });
  const a = await api.patchAnnotations.annotate(doc);
  if (!a) return undefined;
  // Analyze Patch always makes its patch the source of the C findings, cached analysis or not
  await api.cFindingsSource.activate(doc.uri, a);
  const bad = a.implementations.filter((i) => !i.consistent).length;
  const best = (await patchComparisons(api, a))[0];
  void vscode.window
    .showInformationMessage(
      `${path.basename(doc.fileName)}: ${a.patches.length} patch(es), ${a.apiChanges.length} API change(s), ${a.implementations.length} implementation(s)` +
        `${bad ? ` (${bad} inconsistent)` : ''}, parsed ${a.coverage.hunksRecovered}/${a.coverage.hunksSeen} hunks` +
        `${a.variants.length ? `; engine variants: ${a.variants.join(', ')}` : ''}. C findings now come from this patch.`,
      ...(best ? [best.title] : []),
    )
    .then((b) => {
      if (best && b === best.title)
        void vscode.commands.executeCommand('mmExplorer.compareVariantsForPatch', doc.uri, best.scenarioPath, best.columns);
    });
  await updateContext(api);
  return a;
}

/** The scenarios that compare an analysed patch's variants, best first. */
async function patchComparisons(api: MmExplorerApi, a: Analysis): Promise<PatchComparison[]> {
  if (!a.variants.length) return [];
  return rankScenarios(a, await api.scenarios.loadAll());
}

/** Context keys of the editor-title buttons: the active editor is a patch (by content, .txt too) / has variants. */
async function updateContext(api: MmExplorerApi): Promise<void> {
  const doc = vscode.window.activeTextEditor?.document;
  const isPatch = !!doc && isPatchDocument(doc);
  await vscode.commands.executeCommand('setContext', 'mmExplorer.activeIsPatch', isPatch);
  const a = isPatch ? await api.patches.peek(doc)?.catch(() => undefined) : undefined;
  await vscode.commands.executeCommand('setContext', 'mmExplorer.activePatchHasVariants', !!a?.variants.length);
}

/** Compare the variants a patch was recognised as: on the scenario named, else on the best one. */
async function compareForPatch(api: MmExplorerApi, uri?: vscode.Uri, scenario?: string, columns?: string[]) {
  const doc = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
  if (!doc) {
    void vscode.window.showInformationMessage('Open a patch first: this compares the variants the analyser recognises in it.');
    return undefined;
  }
  const a = await api.patches.analyze(doc);
  if (!a.variants.length) {
    void vscode.window.showInformationMessage('The analyser did not recognise an engine variant in this patch.');
    return undefined;
  }
  const ranked = await patchComparisons(api, a);
  const chosen = scenario ? ranked.find((r) => r.scenarioPath === scenario) : ranked[0];
  if (!chosen && !scenario) {
    void vscode.window.showInformationMessage(`No scenario has columns for ${a.variants.join(', ')}.`);
    return undefined;
  }
  const file = chosen?.scenarioPath ?? scenario!;
  let cols = columns ?? chosen?.columns;
  if (!cols) {
    const loaded = await api.scenarios.load(file);
    if (!loaded) return undefined;
    cols = loaded.scenario.columns.slice(0, 4).map((c) => c.label);
  }
  return api.scenarios.compare({ scenario: file, columns: cols });
}

export function activate(context: vscode.ExtensionContext): MmExplorerApi {
  const version = engineVersion(context);
  const patches = new PatchStore(
    path.join(context.extensionUri.fsPath, 'dist', 'patchAnalysisWorker.js'),
    () => {
      const l = currentLimits();
      return { timeLimitMs: l.analysisTimeLimitMs, memoryMb: l.workerMemoryMb };
    },
    MEMORY_SETTING,
  );
  const pageTables = new PageTableProvider();
  const pageTableView = vscode.window.createTreeView('mmExplorer.pageTables', { treeDataProvider: pageTables, showCollapseAll: true });
  pageTables.view = pageTableView;
  pageTables.setSource(undefined);
  // the panel calls back into the scenario commands, created right after it
  // eslint-disable-next-line prefer-const -- assigned once the panel it calls back into exists
  let scenarios: ScenarioCommands | undefined;
  let runPatch: RunPatchCommands | undefined;
  const panel = new ComparisonPanel(
    context,
    {
      onSelect: (sel, fn) => {
        // replayed in a worker (a run-patch column's interpreted variant compiled there first)
        void scenarios
          ?.followSelection(sel)
          .catch((e: unknown) => void vscode.window.showWarningMessage(`MM Explorer: ${e instanceof Error ? e.message : String(e)}`));
        void runPatch?.revealStep(sel);
        if (fn) void revealFunction(patches, fn, false);
      },
      onReveal: (fn) => void revealFunction(patches, fn, true),
      onExport: (format) => void scenarios?.exportComparison({ format }),
    },
    version,
  );
  scenarios = new ScenarioCommands(context, panel, pageTables);
  // the ranking needs the scenario commands of `api`, which exists by the time a lens is asked for
  const patchAnnotations = new PatchAnnotations(
    patches,
    async (a) => (await patchComparisons(api, a))[0],
    (uri) => inInstallFolder(context, uri),
  );
  const cFindingsSource = new CFindingsSource(context.workspaceState, patches);
  const cAnnotations = new CAnnotations(cFindingsSource);
  const scenarioDiagnostics = new ScenarioDiagnostics(path.join(context.extensionUri.fsPath, 'dist', 'scenarioValidator.js'));
  const rp = (runPatch = new RunPatchCommands(context, panel));
  const api: MmExplorerApi = {
    runPatch: rp,
    panel,
    pageTables,
    pageTableView: pageTableView,
    patches,
    patchAnnotations,
    cAnnotations,
    cFindingsSource,
    scenarioDiagnostics,
    scenarios,
  };

  // a command that fails says why in a message instead of an unexplained rejection
  const reg = (id: string, fn: (...args: never[]) => unknown) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await (fn as (...a: unknown[]) => unknown)(...args);
      } catch (e) {
        void vscode.window.showErrorMessage(`MM Explorer: ${e instanceof Error ? e.message : String(e)}`);
        return undefined;
      }
    });
  scenarios.interpretedColumn = (sel) => rp.replayColumn(sel);
  // the pickers put first the scenarios that teach the patch in the active editor
  scenarios.relevance = async (all) => {
    const doc = vscode.window.activeTextEditor?.document;
    const a = doc && isPatchDocument(doc) ? await patches.peek(doc)?.catch(() => undefined) : undefined;
    const ranked = a?.variants.length ? rankScenarios(a, all) : [];
    return new Map(ranked.map((r, i) => [r.scenarioPath, 1000 - i]));
  };

  const ev = new EditVariantCommands();
  context.subscriptions.push(
    rp,
    ev,
    patches,
    reg('mmExplorer.editFunctionAsVariant', (tree?: string, file?: string, fn?: string) => ev.edit(tree, file, fn)),
    reg('mmExplorer.runEditedFunction', (uri?: vscode.Uri, scenario?: string) =>
      ev.run(uri instanceof vscode.Uri ? uri : undefined, scenario),
    ),
    reg('mmExplorer.runThisPatch', (uri?: vscode.Uri, scenario?: string, tree?: string) =>
      rp.run(uri instanceof vscode.Uri ? uri : undefined, { scenario, tree }),
    ),
    reg('mmExplorer.runThisPatchReversed', (uri?: vscode.Uri, scenario?: string, tree?: string) =>
      rp.run(uri instanceof vscode.Uri ? uri : undefined, { reverse: true, scenario, tree }),
    ),
    reg('mmExplorer.showPatchedFunction', (name?: string, version?: string) => rp.showFunction(name, version)),
    pageTableView,
    patchAnnotations,
    cAnnotations,
    cFindingsSource,
    scenarioDiagnostics,
    scenarios,
    panel.registerSerializer(),
    reg('mmExplorer.showEngineVersion', () => {
      const pkg = context.extension.packageJSON as Manifest;
      const text = `${pkg.displayName ?? 'MM Patch Explorer'} engine ${version}`;
      void vscode.window.showInformationMessage(text);
      return text;
    }),
    reg('mmExplorer.openPanel', () => {
      panel.show();
      return true;
    }),
    reg('mmExplorer.runScenario', (arg?: ScenarioArgs | vscode.Uri) =>
      scenarios.run(arg instanceof vscode.Uri ? { scenario: arg.fsPath } : arg),
    ),
    reg('mmExplorer.compareVariants', (arg?: ScenarioArgs | vscode.Uri) =>
      scenarios.compare(arg instanceof vscode.Uri ? { scenario: arg.fsPath } : arg),
    ),
    reg('mmExplorer.exploreSchedules', (arg?: ScenarioArgs | vscode.Uri) =>
      scenarios.explore(arg instanceof vscode.Uri ? { scenario: arg.fsPath } : arg),
    ),
    reg('mmExplorer.analyzePatch', (uri?: vscode.Uri) => analyzePatchCommand(api, uri instanceof vscode.Uri ? uri : undefined)),
    reg('mmExplorer.showPageTables', () => scenarios.showPageTables()),
    reg('mmExplorer.pickPageTableVariant', (label?: string) => scenarios.pickTreeVariant(typeof label === 'string' ? label : undefined)),
    reg('mmExplorer.exportComparison', (arg?: ScenarioArgs) => scenarios.exportComparison(arg)),
    reg('mmExplorer.compareVariantsForPatch', (uri?: vscode.Uri, scenario?: string, columns?: string[]) =>
      compareForPatch(
        api,
        uri instanceof vscode.Uri ? uri : undefined,
        typeof scenario === 'string' ? scenario : undefined,
        Array.isArray(columns) ? columns : undefined,
      ),
    ),
    reg('mmExplorer.openSamplePatch', async () => {
      // opened and analysed: its lenses, the compare action and the C findings come from it
      const doc = await openSample(context, 'install_new_page-thread.txt');
      return analyzePatchCommand(api, doc.uri);
    }),
    reg('mmExplorer.openSampleDriver', () => openSample(context, 'demo_nopage.c')),
    vscode.window.onDidChangeActiveTextEditor(() => void updateContext(api)),
    patches.onDidAnalyze(() => void updateContext(api)),
    reg('mmExplorer.revealFunction', (fn: string) => revealFunction(patches, fn, true)),
    reg('mmExplorer.chooseCFindingsSource', (uri?: string | null) =>
      uri === undefined ? cFindingsSource.choose() : cFindingsSource.use(uri ?? undefined),
    ),
    reg('mmExplorer.refreshCFindings', (uri?: vscode.Uri) => (uri instanceof vscode.Uri ? cAnnotations.refresh(uri) : [])),
    reg('mmExplorer.showApiChange', async (uri: vscode.Uri, line: number) => {
      const ed = await vscode.window.showTextDocument(uri);
      const pos = new vscode.Position(Math.max(0, line - 1), 0);
      ed.selection = new vscode.Selection(pos, pos);
      await vscode.commands.executeCommand('editor.action.showHover');
    }),
  );
  return api;
}

/** The samples ship in the extension: the patch opens read-only (the install folder is not the user's),
 * the driver as an untitled copy the user may edit and quick-fix. */
async function openSample(context: vscode.ExtensionContext, name: string): Promise<vscode.TextDocument> {
  const uri = vscode.Uri.joinPath(context.extensionUri, 'samples', name);
  if (name.endsWith('.c')) {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    const doc = await vscode.workspace.openTextDocument({ language: 'c', content: text });
    await vscode.window.showTextDocument(doc, { preview: false });
    return doc;
  }
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: false });
  await vscode.commands.executeCommand('workbench.action.files.setActiveEditorReadonlyInSession');
  return doc;
}

export function deactivate(): void {
  // disposables are released through context.subscriptions
}
