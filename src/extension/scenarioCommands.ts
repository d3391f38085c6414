// Run / Compare / Explore / Export / Show Page Tables: pick a scenario, run the scenario library with
// cancellable progress and a status-bar item, show the result in the panel and the page-table view,
// and report failed expectations to the Problems panel.
import { availableParallelism } from 'node:os';
import * as path from 'node:path';

import * as vscode from 'vscode';

import type { ColumnVariantSpec } from '../kernelc/index';
import type { Comparison } from '../scenario/comparisonModel';
import type { Exploration } from '../scenario/explorationModel';
import type { Scenario } from '../scenario/scenario';
import type { Selection } from '../webview/protocol';

import type { ComparisonPanel } from './comparisonPanel';
import { inInstallFolder } from './installFolder';
import { loadScenarioLibrary, type ScenarioLibrary } from './libraries';
import { LIMIT_SETTINGS } from './limits';
import { LoadCache } from './loadCache';
import type { PageTableProvider } from './pageTableTree';
import { Replays } from './replays';
import { MEMORY_SETTING, runInWorker } from './scenarioRuns';
import { ScenarioValidator, type ValidationOutcome } from './scenarioValidator';
import { currentLimits, raiseHint } from './workspaceLimits';

/** Arguments tests and other commands may pass instead of answering the pickers. */
export interface ScenarioArgs {
  /** absolute path of a *.mmscenario.yaml */
  scenario?: string;
  /** column labels to compare */
  columns?: string[];
  /** the column to explore */
  column?: string;
  /** where Export writes, instead of asking */
  target?: string;
  format?: 'html' | 'json';
  /** cancels the work like the notification's Cancel button (for callers without a UI) */
  signal?: AbortSignal;
  /** told when a comparison's column has finished (for callers without a UI) */
  onColumn?: (label: string, done: number, of: number) => void;
}

/** a scenario of the library or the workspace that loads without errors */
export interface LoadedScenario {
  path: string;
  label: string;
  description: string;
  scenario: Scenario;
}

interface Current {
  scenario: Scenario;
  path: string;
}

export class ScenarioCommands implements vscode.Disposable {
  readonly expectations = vscode.languages.createDiagnosticCollection('mmExplorer.expectations');
  readonly status = vscode.window.createStatusBarItem('mmExplorer.status', vscode.StatusBarAlignment.Left, 50);
  private current: Current | undefined;
  /** every search runs here, off the extension host's thread */
  private readonly runWorker: string;
  /** scenarios are loaded (parsed and checked) in a worker too: a large one takes seconds */
  private readonly loader: ScenarioValidator;
  private loads = 0;
  /** the scenario library (bundled and the workspace's), read and checked once for every picker,
   * lens and ranking, and again when a scenario file, its open editor or the size setting changes */
  readonly library = new LoadCache(() => this.readLibrary());
  private readonly disposables: vscode.Disposable[] = [];
  /** the page-table view's replays of a selected step, in a worker */
  private readonly replays: Replays;
  /** set by the extension: a run-patch column's interpreted variant, which the replay compiles first */
  interpretedColumn: ((sel: Selection) => ColumnVariantSpec | undefined) | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly panel: ComparisonPanel,
    private readonly tree: PageTableProvider,
  ) {
    this.status.name = 'MM Explorer';
    this.status.command = 'mmExplorer.openPanel';
    this.runWorker = path.join(context.extensionUri.fsPath, 'dist', 'scenarioRunWorker.js');
    this.loader = new ScenarioValidator(path.join(context.extensionUri.fsPath, 'dist', 'scenarioValidator.js'));
    this.replays = new Replays(
      path.join(context.extensionUri.fsPath, 'dist', 'replayWorker.js'),
      () => {
        const l = currentLimits();
        return { timeLimitMs: l.timeLimitMs, memoryMb: l.workerMemoryMb };
      },
      MEMORY_SETTING,
    );
    const invalidate = () => this.library.invalidate();
    const isScenario = (u: vscode.Uri) => u.path.endsWith('.mmscenario.yaml');
    for (const w of [
      vscode.workspace.createFileSystemWatcher('**/*.mmscenario.yaml'),
      vscode.workspace.createFileSystemWatcher(
        new vscode.RelativePattern(vscode.Uri.joinPath(context.extensionUri, 'scenarios'), '*.mmscenario.yaml'),
      ),
    ])
      this.disposables.push(w, w.onDidCreate(invalidate), w.onDidChange(invalidate), w.onDidDelete(invalidate));
    this.disposables.push(
      // an open editor's text is what the library reads of that file
      vscode.workspace.onDidChangeTextDocument((e) => isScenario(e.document.uri) && e.contentChanges.length && invalidate()),
      vscode.workspace.onDidCloseTextDocument((d) => isScenario(d.uri) && d.isDirty && invalidate()),
      vscode.workspace.onDidChangeWorkspaceFolders(invalidate),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(LIMIT_SETTINGS.scenarioSizeMB) && invalidate()),
      // Restricted Mode halves the size limit: trusting the workspace changes which scenarios load
      vscode.workspace.onDidGrantWorkspaceTrust(invalidate),
    );
  }

  /** parse and check a scenario text off the host's thread */
  private loadText(text: string, file: string): Promise<ValidationOutcome> {
    return this.loader.load(`load ${this.loads++}`, text, file);
  }

  dispose(): void {
    while (this.disposables.length) this.disposables.pop()?.dispose();
    this.replays.dispose();
    this.loader.dispose();
    this.expectations.dispose();
    this.status.dispose();
  }

  // ---- picking ----

  async scenarioPaths(): Promise<{ label: string; description: string; path: string }[]> {
    const lib = await loadScenarioLibrary();
    const out: { label: string; description: string; path: string }[] = [];
    const bundled =
      lib.bundledScenarioDir(path.join(this.context.extensionUri.fsPath, 'dist')) ??
      path.join(this.context.extensionUri.fsPath, 'scenarios');
    for (const f of lib.scenarioFiles([bundled]))
      out.push({ label: path.basename(f, lib.SCENARIO_SUFFIX), description: 'bundled', path: f });
    const ws = await vscode.workspace.findFiles('**/*.mmscenario.yaml', '**/node_modules/**', 200);
    for (const u of ws) {
      if (out.some((o) => o.path === u.fsPath)) continue;
      out.push({ label: path.basename(u.fsPath, lib.SCENARIO_SUFFIX), description: vscode.workspace.asRelativePath(u), path: u.fsPath });
    }
    return out;
  }

  /** Every scenario that loads without errors, quietly (for ranking and for the pickers' descriptions):
   * read once and kept until a scenario changes. The list is shared: callers copy before they reorder. */
  loadAll(): Promise<readonly LoadedScenario[]> {
    return this.library.get();
  }

  private async readLibrary(): Promise<LoadedScenario[]> {
    const out: LoadedScenario[] = [];
    for (const p of await this.scenarioPaths()) {
      try {
        const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === p.path);
        const text = open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(p.path)));
        // one over the size limit is not offered (Run would refuse it), nor checked for the picker
        if (text.length > currentLimits(vscode.Uri.file(p.path)).scenarioBytes) continue;
        const r = await this.loadText(text, p.path);
        if (r.kind === 'done' && r.scenario) out.push({ ...p, scenario: r.scenario });
      } catch {
        // an unreadable file is not offered
      }
    }
    return out;
  }

  /** Hook for ordering the pickers: the scenarios that teach the active patch first (set by the extension).
   * It ranks the scenarios the picker has just loaded, so they are not read and checked twice. */
  relevance: ((all: readonly LoadedScenario[]) => Promise<Map<string, number>>) | undefined;

  private async pickScenario(args: ScenarioArgs | undefined, title: string): Promise<Current | undefined> {
    let file = args?.scenario;
    if (!file) {
      const active = vscode.window.activeTextEditor?.document;
      const all = await this.loadAll();
      const rank = (await this.relevance?.(all)) ?? new Map<string, number>();
      // the scenario in the active editor, then those that teach the active patch, then the workspace's, then the library
      const weight = (p: { path: string; description: string }) =>
        (p.path === active?.uri.fsPath ? 1e6 : 0) + (rank.get(p.path) ?? 0) + (p.description === 'bundled' ? 0 : 1);
      const items = [...all]
        .sort((a, b) => weight(b) - weight(a))
        .map((s) => ({
          label: s.label,
          description: `${s.scenario.title} · ${s.scenario.columns.length} variants · ${s.description}`,
          detail: s.scenario.description.replace(/\s+/g, ' ').trim(),
          path: s.path,
        }));
      const pick = await vscode.window.showQuickPick(items, {
        title,
        placeHolder: 'Scenario (bundled library and *.mmscenario.yaml of the workspace), most relevant first',
        matchOnDescription: true,
        matchOnDetail: true,
      });
      if (!pick) return undefined;
      file = pick.path;
    }
    return this.load(file);
  }

  /** Load a scenario from disk (or from its open editor); on errors, say where the first one is. */
  async load(file: string): Promise<Current | undefined> {
    const lib = await loadScenarioLibrary();
    const limits = currentLimits(vscode.Uri.file(file));
    const raise = raiseHint(LIMIT_SETTINGS.scenarioSizeMB, limits);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
    let text: string;
    if (open) {
      text = open.getText();
      if (text.length > limits.scenarioBytes) {
        void vscode.window.showErrorMessage(
          `${path.basename(file)}: more than the ${lib.sizeText(limits.scenarioBytes)} a scenario may have (${raise})`,
        );
        return undefined;
      }
    } else {
      // regular files only, within the size limit (a FIFO or a device is refused, not read)
      const read = lib.readInputFile(file, lib.inputLimit('scenario', limits.scenarioBytes / (1024 * 1024), raise));
      if (!read.ok) {
        void vscode.window.showErrorMessage(`${path.basename(file)}: ${read.message}`);
        return undefined;
      }
      text = new TextDecoder().decode(read.bytes);
    }
    const r = await this.loadText(text, file);
    if (r.kind === 'superseded') return undefined;
    if (r.kind === 'failed') {
      void vscode.window.showErrorMessage(`${path.basename(file)}: ${r.message}`);
      return undefined;
    }
    if (!r.scenario) {
      const first = r.diagnostics[0];
      void vscode.window.showErrorMessage(`${path.basename(file)} has errors: ${first ? lib.formatDiagnostic(first) : 'unknown'}`);
      return undefined;
    }
    return { scenario: r.scenario, path: file };
  }

  private config() {
    const c = vscode.workspace.getConfiguration('mmExplorer.explore');
    const num = (k: string) => {
      const v = c.get<number | null>(k);
      return typeof v === 'number' && v > 0 ? v : undefined;
    };
    // every search has a time limit: the setting (60 s by default), at most 10 s in Restricted Mode
    const limits = currentLimits();
    return {
      maxSteps: num('maxSteps'),
      maxPreemptions: num('maxPreemptions'),
      timeLimitMs: limits.timeLimitMs,
      memoryMb: limits.workerMemoryMb,
    };
  }

  /** an exploration's worker threads: the setting, else every core but one (the editor's) */
  private jobs(): number {
    const v = vscode.workspace.getConfiguration('mmExplorer.explore').get<number | null>('jobs');
    return typeof v === 'number' && v >= 1 ? Math.floor(v) : Math.max(1, availableParallelism() - 1);
  }

  private showCancelled(what: string): void {
    this.panel.showStatus(`Cancelled: ${what}`);
  }

  // ---- long work ----

  /** Run long work with a cancellable notification; says whether it was cancelled. */
  private async withProgress<T>(
    title: string,
    work: (report: (m: string) => void, signal: AbortSignal) => Promise<T>,
    external?: AbortSignal,
  ): Promise<{ value: T; cancelled: boolean }> {
    this.status.text = `$(sync~spin) MM: ${title}`;
    this.status.tooltip = 'Running; cancel from the notification';
    this.status.show();
    let done = false;
    try {
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `MM Explorer: ${title}`, cancellable: true },
        async (progress, token) => {
          const ac = new AbortController();
          token.onCancellationRequested(() => ac.abort());
          if (external?.aborted) ac.abort();
          external?.addEventListener('abort', () => ac.abort());
          const report = (m: string) => {
            progress.report({ message: m });
            this.status.text = `$(sync~spin) MM: ${m}`;
          };
          // a cancelled search still returns what it covered (marked incomplete): show that
          const value = await work(report, ac.signal);
          done = true;
          return { value, cancelled: ac.signal.aborted };
        },
      );
    } finally {
      if (!done) this.status.hide();
    }
  }

  private done(text: string, state: 'ok' | 'failed' | 'cancelled'): void {
    this.status.text = `$(${state === 'ok' ? 'pass' : state === 'failed' ? 'error' : 'circle-slash'}) MM: ${text}`;
    this.status.tooltip = state === 'cancelled' ? 'Cancelled: the panel shows what finished, marked partial' : 'Show the MM Explorer panel';
    this.status.show();
  }

  /** Unmet expectations of a comparison go to the Problems panel, on the scenario's expect entries. */
  reportExpectations(cur: Current, c: Comparison, lib: Pick<ScenarioLibrary, 'scopeSuffix' | 'detailText'>): number {
    const { scopeSuffix, detailText } = lib;
    const uri = vscode.Uri.file(cur.path);
    const diags: vscode.Diagnostic[] = [];
    for (const run of c.runs) {
      const pos = cur.scenario.expect[run.label]?.pos;
      const line = Math.max(0, (pos?.line ?? 1) - 1);
      const col = Math.max(0, (pos?.column ?? 1) - 1);
      for (const x of run.expectations) {
        if (x.met) continue;
        // undecided: a search stopped at the time limit or was cancelled, nothing contradicts the entry
        const d = x.undecided
          ? new vscode.Diagnostic(
              new vscode.Range(line, col, line, col + Math.max(1, run.label.length)),
              `${run.label}: expectation undecided: ${x.text}${scopeSuffix(x)} (${detailText(x)})`,
              vscode.DiagnosticSeverity.Warning,
            )
          : new vscode.Diagnostic(
              new vscode.Range(line, col, line, col + Math.max(1, run.label.length)),
              `${run.label}: expectation not met: ${x.text}${scopeSuffix(x)}${x.detail ? ` (${detailText(x)})` : ''}`,
              vscode.DiagnosticSeverity.Error,
            );
        d.source = 'mm-explorer';
        d.code = 'expectation';
        diags.push(d);
      }
    }
    // Problems entries only for files the user can edit: never into the extension's install folder
    if (inInstallFolder(this.context, uri)) this.expectations.delete(uri);
    else this.expectations.set(uri, diags);
    return diags.length;
  }

  // ---- commands ----

  async run(args?: ScenarioArgs): Promise<Comparison | undefined> {
    const cur = await this.pickScenario(args, 'MM Explorer: Run Scenario');
    if (!cur) return undefined;
    return this.compareColumns(cur, args?.columns, 'running', args);
  }

  async compare(args?: ScenarioArgs): Promise<Comparison | undefined> {
    const cur = await this.pickScenario(args, 'MM Explorer: Compare Variants');
    if (!cur) return undefined;
    let columns = args?.columns;
    if (!columns) {
      columns = await this.pickColumns(cur.scenario);
      if (!columns) return undefined;
    }
    if (columns.length < 2 || columns.length > 4) {
      void vscode.window.showWarningMessage(`Compare 2 to 4 variants (${columns.length} given).`);
      return undefined;
    }
    return this.compareColumns(cur, columns, 'comparing', args);
  }

  /** the quick pick of Compare Variants: starts with the base and the first fix, accepts 2 to 4 */
  readonly columnPick = {
    open: undefined as vscode.QuickPick<vscode.QuickPickItem> | undefined,
    /** what Enter does in the open pick (tests call it instead of the gesture) */
    accept: (): void => undefined,
  };

  private pickColumns(s: Scenario): Promise<string[] | undefined> {
    const qp = vscode.window.createQuickPick<vscode.QuickPickItem>();
    const title = 'Variants to compare (2 to 4)';
    qp.title = title;
    qp.canSelectMany = true;
    // a multi-pick is built up over several clicks: leaving it to look elsewhere does not discard it
    qp.ignoreFocusOut = true;
    qp.placeholder = 'The base and the first fix are ticked; tick up to 4';
    qp.items = s.columns.map((c) => ({
      label: c.label,
      description: Object.entries(c.selection)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
    }));
    qp.selectedItems = qp.items.slice(0, 2);
    this.columnPick.open = qp;
    return new Promise((resolve) => {
      let done = false;
      const finish = (v: string[] | undefined) => {
        if (done) return;
        done = true;
        this.columnPick.open = undefined;
        this.columnPick.accept = () => undefined;
        resolve(v);
        qp.dispose();
      };
      qp.onDidChangeSelection((sel) => {
        qp.title = sel.length < 2 || sel.length > 4 ? `${title}: ${sel.length} ticked` : title;
      });
      const accept = () => {
        const n = qp.selectedItems.length;
        // the title's rule is enforced here: the pick stays open until it holds
        if (n < 2 || n > 4) {
          qp.title = `${title}: ${n} ticked — tick ${n < 2 ? `${2 - n} more` : `${n - 4} fewer`}`;
          return;
        }
        finish(qp.selectedItems.map((i) => i.label));
      };
      this.columnPick.accept = accept;
      qp.onDidAccept(accept);
      qp.onDidHide(() => finish(undefined));
      qp.show();
    });
  }

  /** Every column is explored (its violation/never/clean expectations need it, and the invariant table
   * reports each column over all schedules), then runs the shared schedule. */
  private async compareColumns(
    cur: Current,
    columns: string[] | undefined,
    verb: string,
    args?: ScenarioArgs,
  ): Promise<Comparison | undefined> {
    const title = `${verb} ${cur.scenario.title}`;
    const { value: result, cancelled } = await this.withProgress(
      title,
      async (report, signal) => {
        let finished = '';
        const r = await runInWorker(
          this.runWorker,
          { kind: 'compare', scenario: cur.scenario, columns, limits: this.config() },
          {
            signal,
            onProgress: (p) => report(`${finished}${p.schedules} schedules, ${p.states} states, ${p.violations} violation(s)`),
            onColumn: (label, done, of) => {
              finished = `${done} of ${of} variants done · `;
              report(`${label} done (${done} of ${of})`);
              args?.onColumn?.(label, done, of);
            },
          },
        );
        if (r.type !== 'compared') throw new Error(`unexpected answer '${r.type}' to a comparison`);
        return r;
      },
      args?.signal,
    );
    const name = path.basename(cur.path, '.mmscenario.yaml');
    if (cancelled && result.comparison.runs.length === 0) {
      this.done(`${name} cancelled before a column finished`, 'cancelled');
      return undefined;
    }
    if (result.comparison.runs.length === 0) return undefined;
    this.current = cur;
    const c = result.comparison;
    if (cancelled) {
      // a cancelled run decides nothing: no Problems entries, the panel marks what finished as partial
      this.done(`${name} cancelled (${c.runs.length} of ${c.partial?.requested.length ?? c.runs.length} columns, partial)`, 'cancelled');
    } else {
      const unmet = this.reportExpectations(cur, c, await loadScenarioLibrary());
      this.done(`${name}${unmet ? ` ${unmet} unmet` : ' ok'}`, unmet === 0 ? 'ok' : 'failed');
    }
    this.panel.showComparison(c);
    this.showTree(
      c.runs.length
        ? { variants: c.runs.map((r) => r.label), variant: 0, step: 'final', snapshot: c.runs[0].snapshot, scenario: c.scenario }
        : undefined,
    );
    // what was done before the cancel is shown, marked as cancelled
    if (cancelled)
      this.showCancelled(
        `${title} (${c.runs.length} of ${columns?.length ?? cur.scenario.columns.length} variants done, searches incomplete)`,
      );
    return c;
  }

  async explore(args?: ScenarioArgs): Promise<Exploration | undefined> {
    const cur = await this.pickScenario(args, 'MM Explorer: Explore Schedules');
    if (!cur) return undefined;
    let label = args?.column;
    if (!label) {
      const pick = await vscode.window.showQuickPick(
        cur.scenario.columns.map((c) => c.label),
        { title: 'Variant to explore' },
      );
      if (!pick) return undefined;
      label = pick;
    }
    const lib = await loadScenarioLibrary();
    const col = lib.columnOf(cur.scenario, label);
    if (!col) {
      void vscode.window.showErrorMessage(`No variant '${label}' in ${path.basename(cur.path)}`);
      return undefined;
    }
    const s = cur.scenario;
    const { value: view, cancelled } = await this.withProgress(
      `exploring ${s.title} under ${label}`,
      async (report, signal) => {
        // the whole search, its split into subtrees and the traced replays of the counterexamples run
        // in a worker, its subtrees on further worker threads (dist/exploreWorker.js)
        const r = await runInWorker(
          this.runWorker,
          { kind: 'explore', scenario: s, column: col.label, limits: this.config(), jobs: this.jobs() },
          {
            signal,
            onProgress: (p) =>
              report(
                `${p.schedules} schedules, ${p.states} states (${p.statesPerSec}/s), frontier ${p.frontier}, ${p.violations} violation(s)`,
              ),
          },
        );
        if (r.type !== 'explored') throw new Error(`unexpected answer '${r.type}' to an exploration`);
        return r.exploration;
      },
      args?.signal,
    );
    this.current = cur;
    if (cancelled || view.cancelled)
      this.done(
        `${label}: cancelled after ${view.schedules} schedules (partial, ${view.violations.length} violation(s) so far)`,
        'cancelled',
      );
    else
      this.done(
        `${label}: ${view.violations.length} violation(s) in ${view.schedules} schedules`,
        view.violations.length === 0 ? 'ok' : 'failed',
      );
    this.panel.showExploration(view);
    if (cancelled) this.showCancelled(`exploring ${s.title} under ${label} (${view.schedules} schedules, ${view.states} states covered)`);
    // the page-table view follows the panel: the first counterexample's last step, or nothing stale
    const first = view.violations[0];
    if (first)
      await this.followSelection({
        view: 'exploration',
        counterexample: 0,
        step: Math.max(0, (first.replay?.schedule ?? first.schedule).length - 1),
      });
    else this.showTree(undefined);
    return view;
  }

  /** The selected step of the panel: replay up to it and show that state in the page-table view. */
  async followSelection(sel: Selection): Promise<void> {
    const lib = await loadScenarioLibrary();
    // the panel may show a comparison another command made (Run This Patch): replay its scenario
    const shown = this.panel.comparison?.scenario ?? this.panel.exploration?.scenario;
    const cur = this.current && (!shown || this.current.scenario.file === shown) ? this.current : await this.restoreCurrent();
    if (!cur) return;
    let selection;
    let schedule: number[];
    let variants: string[];
    let variant: number;
    if (sel.view === 'comparison') {
      const c = this.panel.comparison;
      const run = c?.runs[sel.run];
      if (!c || !run) return;
      selection = run.variants;
      schedule = run.schedule;
      variants = c.runs.map((r) => r.label);
      variant = sel.run;
    } else {
      const x = this.panel.exploration;
      const cx = x?.violations[sel.counterexample];
      const col = x && lib.columnOf(cur.scenario, x.variant);
      if (!x || !cx || !col) return;
      selection = col.selection;
      schedule = cx.replay?.schedule ?? cx.schedule;
      variants = [x.variant];
      variant = 0;
    }
    // replayed in a worker (a long schedule never blocks the host); a newer selection supersedes this one
    const r = await this.replays.replay({
      scenario: cur.scenario,
      selection,
      schedule,
      step: sel.step,
      column: this.interpretedColumn?.(sel),
    });
    if (r.kind === 'superseded') return;
    if (r.kind === 'failed') throw new Error(`page tables at step ${sel.step}: ${r.message}`);
    this.tree.setSource({ variants, variant, step: sel.step, snapshot: r.snapshot, scenario: cur.scenario.file });
  }

  /** the page-table view shows a run's state: a replay still under way would overwrite it */
  private showTree(source: Parameters<PageTableProvider['setSource']>[0]): void {
    this.replays.supersede();
    this.tree.setSource(source);
  }

  private async restoreCurrent(): Promise<Current | undefined> {
    const file = this.panel.comparison?.scenario ?? this.panel.exploration?.scenario;
    if (!file || !path.isAbsolute(file)) return undefined;
    this.current = await this.load(file);
    return this.current;
  }

  /** Variant picker of the page-table view. */
  async pickTreeVariant(label?: string): Promise<void> {
    const c = this.panel.comparison;
    if (!c) {
      void vscode.window.showInformationMessage('Compare variants first: the page-table view shows the runs of the active comparison.');
      return;
    }
    const pick =
      label ??
      (await vscode.window.showQuickPick(
        c.runs.map((r) => r.label),
        { title: 'Page tables of which variant?' },
      ));
    const i = c.runs.findIndex((r) => r.label === pick);
    if (i < 0) return;
    const step = this.panel.selection?.view === 'comparison' ? this.panel.selection.step : undefined;
    if (step === undefined) {
      this.showTree({
        variants: c.runs.map((r) => r.label),
        variant: i,
        step: 'final',
        snapshot: c.runs[i].snapshot,
        scenario: c.scenario,
      });
    } else {
      const sel: Selection = { view: 'comparison', run: i, step };
      this.panel.select(sel);
      await this.followSelection(sel);
    }
  }

  async showPageTables(): Promise<number> {
    await vscode.commands.executeCommand('mmExplorer.pageTables.focus');
    if (!this.tree.current) {
      const c = this.panel.comparison;
      if (c?.runs.length)
        this.showTree({
          variants: c.runs.map((r) => r.label),
          variant: 0,
          step: 'final',
          snapshot: c.runs[0].snapshot,
          scenario: c.scenario,
        });
      else void vscode.window.showInformationMessage('Run or compare a scenario first: the page-table view shows its state.');
    }
    return this.tree.getChildren().length;
  }

  async exportComparison(args?: ScenarioArgs): Promise<vscode.Uri | undefined> {
    const c = this.panel.comparison;
    if (!c) {
      void vscode.window.showInformationMessage('Nothing to export: run or compare a scenario first.');
      return undefined;
    }
    let format = args?.format;
    if (!format) {
      const pick = await vscode.window.showQuickPick(['HTML report', 'JSON'], { title: 'Export the comparison as' });
      if (!pick) return undefined;
      format = pick === 'JSON' ? 'json' : 'html';
    }
    const base = path.basename(c.scenario).replace(/\.mmscenario\.yaml$/, '');
    let target = args?.target ? vscode.Uri.file(args.target) : undefined;
    if (target && currentLimits().confirmExports) {
      // Restricted Mode: a write to a path no save dialog chose needs a yes
      const yes = 'Write';
      const answer = await vscode.window.showWarningMessage(
        `Restricted Mode: write the comparison to ${target.fsPath}?`,
        { modal: true },
        yes,
      );
      if (answer !== yes) return undefined;
    }
    if (!target) {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      target = await vscode.window.showSaveDialog({
        defaultUri: folder ? vscode.Uri.joinPath(folder, `${base}.comparison.${format}`) : undefined,
        filters: format === 'json' ? { JSON: ['json'] } : { HTML: ['html'] },
      });
      if (!target) return undefined;
    }
    const text = format === 'json' ? JSON.stringify(c, null, 2) : (await loadScenarioLibrary()).comparisonHtml(c);
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
    void vscode.window.showInformationMessage(`Comparison exported to ${vscode.workspace.asRelativePath(target)}`);
    return target;
  }
}
