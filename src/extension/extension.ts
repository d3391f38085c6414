// Extension entry point: wires the commands, the comparison panel, the page-table view and the
// annotations. Everything here is light; the engine, the scenario layer and the patch analyser are
// loaded on first use (libraries.ts).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Analysis } from '../patch/analysisModel';
import { CAnnotations } from './cAnnotations';
import { ComparisonPanel } from './comparisonPanel';
import { revealFunction } from './jumpToSource';
import { PatchAnnotations } from './patchAnnotations';
import { forcePatch, PatchStore } from './patchDocuments';
import { PageTableProvider } from './pageTableTree';
import { ScenarioCommands, type ScenarioArgs } from './scenarioCommands';
import { ScenarioDiagnostics } from './scenarioDiagnostics';

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
  scenarioDiagnostics: ScenarioDiagnostics;
  scenarios: ScenarioCommands;
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
  const bad = a.implementations.filter((i) => !i.consistent).length;
  void vscode.window.showInformationMessage(
    `${path.basename(doc.fileName)}: ${a.patches.length} patch(es), ${a.apiChanges.length} API change(s), ${a.implementations.length} implementation(s)` +
      `${bad ? ` (${bad} inconsistent)` : ''}, parsed ${a.coverage.hunksRecovered}/${a.coverage.hunksSeen} hunks` +
      `${a.variants.length ? `; engine variants: ${a.variants.join(', ')}` : ''}`,
  );
  return a;
}

/** Compare the variants a patch was recognised as, in a bundled scenario that has columns for them. */
async function compareForPatch(api: MmExplorerApi, uri?: vscode.Uri, scenario?: string) {
  const doc = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
  if (!doc) return undefined;
  const a = await api.patches.analyze(doc);
  if (!a.variants.length) {
    void vscode.window.showInformationMessage('The analyser did not recognise an engine variant in this patch.');
    return undefined;
  }
  let file = scenario;
  if (!file) {
    const matches: { label: string; description: string; path: string; score: number }[] = [];
    for (const s of await api.scenarios.scenarioPaths()) {
      const r = await api.scenarios.load(s.path);
      if (!r) continue;
      const names = r.scenario.columns.flatMap((c) => Object.values(c.selection) as string[]);
      const score = a.variants.filter((v) => names.includes(v)).length;
      if (score > 0) matches.push({ ...s, score });
    }
    matches.sort((x, y) => y.score - x.score);
    if (!matches.length) {
      void vscode.window.showInformationMessage(`No scenario has columns for ${a.variants.join(', ')}.`);
      return undefined;
    }
    const pick = matches.length === 1 ? matches[0] : await vscode.window.showQuickPick(matches, { title: `Scenarios with ${a.variants.join(', ')}` });
    if (!pick) return undefined;
    file = pick.path;
  }
  const loaded = await api.scenarios.load(file);
  if (!loaded) return undefined;
  return api.scenarios.compare({ scenario: file, columns: loaded.scenario.columns.slice(0, 4).map((c) => c.label) });
}

export function activate(context: vscode.ExtensionContext): MmExplorerApi {
  const version = engineVersion(context);
  const patches = new PatchStore();
  const pageTables = new PageTableProvider();
  const pageTableView = vscode.window.createTreeView('mmExplorer.pageTables', { treeDataProvider: pageTables, showCollapseAll: true });
  pageTables.view = pageTableView;
  pageTables.setSource(undefined);
  // the panel calls back into the scenario commands, created right after it
  // eslint-disable-next-line prefer-const -- assigned once the panel it calls back into exists
  let scenarios: ScenarioCommands | undefined;
  const panel = new ComparisonPanel(context, {
    onSelect: (sel, fn) => {
      void scenarios?.followSelection(sel);
      if (fn) void revealFunction(patches, fn, false);
    },
    onReveal: (fn) => void revealFunction(patches, fn, true),
    onExport: (format) => void scenarios?.exportComparison({ format }),
  }, version);
  scenarios = new ScenarioCommands(context, panel, pageTables);
  const patchAnnotations = new PatchAnnotations(patches);
  const cAnnotations = new CAnnotations(patches);
  const scenarioDiagnostics = new ScenarioDiagnostics();
  const api: MmExplorerApi = { panel, pageTables, pageTableView: pageTableView as vscode.TreeView<unknown>, patches, patchAnnotations, cAnnotations, scenarioDiagnostics, scenarios };

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
  context.subscriptions.push(
    pageTableView,
    patchAnnotations,
    cAnnotations,
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
    reg('mmExplorer.runScenario', (arg?: ScenarioArgs | vscode.Uri) => scenarios.run(arg instanceof vscode.Uri ? { scenario: arg.fsPath } : arg)),
    reg('mmExplorer.compareVariants', (arg?: ScenarioArgs | vscode.Uri) => scenarios.compare(arg instanceof vscode.Uri ? { scenario: arg.fsPath } : arg)),
    reg('mmExplorer.exploreSchedules', (arg?: ScenarioArgs | vscode.Uri) => scenarios.explore(arg instanceof vscode.Uri ? { scenario: arg.fsPath } : arg)),
    reg('mmExplorer.analyzePatch', (uri?: vscode.Uri) => analyzePatchCommand(api, uri instanceof vscode.Uri ? uri : undefined)),
    reg('mmExplorer.showPageTables', () => scenarios.showPageTables()),
    reg('mmExplorer.pickPageTableVariant', (label?: string) => scenarios.pickTreeVariant(typeof label === 'string' ? label : undefined)),
    reg('mmExplorer.exportComparison', (arg?: ScenarioArgs) => scenarios.exportComparison(arg)),
    reg('mmExplorer.compareVariantsForPatch', (uri?: vscode.Uri, scenario?: string) => compareForPatch(api, uri, scenario)),
    reg('mmExplorer.revealFunction', (fn: string) => revealFunction(patches, fn, true)),
    reg('mmExplorer.showApiChange', async (uri: vscode.Uri, line: number) => {
      const ed = await vscode.window.showTextDocument(uri);
      const pos = new vscode.Position(Math.max(0, line - 1), 0);
      ed.selection = new vscode.Selection(pos, pos);
      await vscode.commands.executeCommand('editor.action.showHover');
    }),
  );
  return api;
}

export function deactivate(): void {
  // disposables are released through context.subscriptions
}
