// Run This Patch in the editor: the active patch runs through `mmx run-patch --json` in a child
// process started from a worker that also parses its report (runPatchWorker.ts: neither the
// exploration nor the JSON blocks the extension host, and a time limit ends it), the chosen
// scenario's base/patched columns open in the comparison panel, hunks that did not apply become
// Problems on their header lines, a CodeLens over each hunk of a function the engine runs
// interpreted runs it, a selected step of interpreted code shows its C line in base and patched
// side by side (VS Code's diff editor, read-only virtual documents), and the interpreted columns are
// rebuilt here from the report's C when the page-table view replays one of their steps.
import * as vscode from 'vscode';

import type { ColumnVariantSpec } from '../kernelc/index';
import type { Comparison } from '../scenario/comparisonModel';
import type { Selection } from '../webview/protocol';

import type { ComparisonPanel } from './comparisonPanel';
import { inInstallFolder } from './installFolder';
import { loadRunPatchLibrary } from './libraries';
import { PATCH_SELECTOR } from './patchDocuments';
import { startRunPatch, type RunPatchRun } from './runPatchRuns';
import type { PatchRunReport } from './runPatchWorker';
import { MEMORY_SETTING } from './scenarioRuns';
import { currentLimits } from './workspaceLimits';

export type { PatchRunReport } from './runPatchWorker';

const SCHEME = 'mmx-patch-function';

const DEFAULT_TIME_LIMIT_MS = 120_000;
const DEFAULT_LENS_MAX_KB = 1024;

/** a hunk the engine can run: the patch line of its header and the interpretable functions it touches */
export interface RunnableHunk {
  line: number;
  version: string;
  file: string;
  functions: string[];
}

export class RunPatchCommands implements vscode.Disposable {
  private readonly problems = vscode.languages.createDiagnosticCollection('mmExplorer.runPatch');
  /** virtual documents: uri path -> text */
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly disposables: vscode.Disposable[] = [];
  /** the last report, for the function diff command and tests */
  last: PatchRunReport | undefined;
  /** comparisons this command put in the panel, with the report they came from */
  private readonly shown = new WeakMap<Comparison, PatchRunReport>();
  /** runnable hunks per document, read once per document version */
  private readonly hunkCache = new Map<string, { version: number; hunks: Promise<RunnableHunk[]> }>();
  private readonly executing = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor('editor.rangeHighlightBackground'),
    borderColor: new vscode.ThemeColor('editor.rangeHighlightBorder'),
    borderStyle: 'solid',
    borderWidth: '1px 0',
  });
  /** the C line the last revealed step executed: uri, 0-based line, its text, and whether base and patched show side by side (tests) */
  revealed: { uri: string; line: number; text: string; diff: boolean } | undefined;

  /** dist/runPatchWorker.js: starts the child and reads its report off the host's thread */
  private readonly runWorker: string;
  private readonly runs = new Set<RunPatchRun>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly panel: ComparisonPanel,
  ) {
    this.runWorker = vscode.Uri.joinPath(context.extensionUri, 'dist', 'runPatchWorker.js').fsPath;
    this.disposables.push(
      this.executing,
      this.problems,
      vscode.workspace.registerTextDocumentContentProvider(SCHEME, {
        onDidChange: this.changed.event,
        provideTextDocumentContent: (uri) => this.texts.get(uri.path) ?? '',
      }),
      vscode.languages.registerCodeLensProvider(PATCH_SELECTOR, { provideCodeLenses: (doc, token) => this.lenses(doc, token) }),
      vscode.workspace.onDidCloseTextDocument((d) => this.hunkCache.delete(d.uri.toString())),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('mmExplorer.runPatch.codeLensMaxKB')) this.hunkCache.clear();
      }),
    );
  }

  dispose(): void {
    // a run under way: its child is killed, not left exploring after the extension ends
    for (const r of this.runs) r.cancel();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }

  /** a lens over each hunk of a function the engine runs interpreted in the patch's era */
  private async lenses(doc: vscode.TextDocument, token?: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    // the one CodeLens setting covers every lens in patches
    if (!vscode.workspace.getConfiguration('mmExplorer.annotations').get<boolean>('codeLens', true)) return [];
    const hunks = await this.runnableHunks(doc);
    if (token?.isCancellationRequested) return [];
    return hunks.map((h) => {
      const line = Math.max(0, Math.min(doc.lineCount - 1, h.line - 1));
      return new vscode.CodeLens(new vscode.Range(line, 0, line, 0), {
        title: 'Run on the engine',
        tooltip: `Run this patch: ${h.functions.join(', ')} run interpreted (${h.version})`,
        command: 'mmExplorer.runThisPatch',
        arguments: [doc.uri],
      });
    });
  }

  /** the hunks of a document the engine can run, read once per document version (and not at all above the size setting) */
  runnableHunks(doc: vscode.TextDocument): Promise<RunnableHunk[]> {
    const key = doc.uri.toString();
    const hit = this.hunkCache.get(key);
    if (hit && hit.version === doc.version) return hit.hunks;
    const maxKB = vscode.workspace.getConfiguration('mmExplorer').get<number>('runPatch.codeLensMaxKB') ?? DEFAULT_LENS_MAX_KB;
    const text = doc.getText();
    const hunks =
      text.length > maxKB * 1024
        ? Promise.resolve([])
        : loadRunPatchLibrary().then((lib) => {
            const out: RunnableHunk[] = [];
            for (const v of lib.patchVersions(text, doc.uri.fsPath)) {
              let runnable: Set<string>;
              try {
                runnable = new Set(lib.interpretableFunctions(v.version));
              } catch {
                continue;
              }
              for (const f of v.files) {
                if (!/\.c$/.test(f.path)) continue;
                const fns = lib.hunkFunctions(f);
                f.hunks.forEach((h, i) => {
                  const mine = fns[i].filter((n) => runnable.has(n));
                  if (mine.length) out.push({ line: h.src, version: v.version, file: f.path, functions: mine });
                });
              }
            }
            return out;
          });
    this.hunkCache.set(key, { version: doc.version, hunks });
    return hunks;
  }

  private async kernelTree(): Promise<string | undefined> {
    const cfg = vscode.workspace.getConfiguration('mmExplorer');
    const set = cfg.get<string>('kernelTree');
    if (set) return set;
    const pick = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      openLabel: 'Use as kernel tree',
      title: 'The kernel tree the patch applies to (mmExplorer.kernelTree)',
    });
    if (!pick?.[0]) return undefined;
    await cfg.update('kernelTree', pick[0].fsPath, vscode.ConfigurationTarget.Workspace);
    return pick[0].fsPath;
  }

  /** run the patch; `opts.reverse`: the tree already contains it */
  async run(uri?: vscode.Uri, opts: { reverse?: boolean; scenario?: string; tree?: string } = {}): Promise<PatchRunReport | undefined> {
    const doc = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
    if (!doc) {
      void vscode.window.showInformationMessage('Open a patch to run it.');
      return undefined;
    }
    if (doc.isDirty) await doc.save();
    const tree = opts.tree ?? (await this.kernelTree());
    if (!tree) return undefined;
    const cli = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'mmx.js').fsPath;
    const args = [
      cli,
      'run-patch',
      doc.uri.fsPath,
      '--tree',
      tree,
      '--json',
      '--sources',
      ...(opts.reverse ? ['--reverse'] : []),
      ...(vscode.workspace.getConfiguration('mmExplorer').get<boolean>('runPatch.baseFromPreimage') ? ['--base-from-preimage'] : []),
      ...(opts.scenario ? [opts.scenario] : []),
    ];
    const limit = vscode.workspace.getConfiguration('mmExplorer').get<number>('runPatch.timeLimitMs') ?? DEFAULT_TIME_LIMIT_MS;
    const report = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Running ${doc.uri.path.split('/').pop()} on the engine`,
        cancellable: true,
      },
      (_p, token) =>
        new Promise<PatchRunReport | undefined>((resolve, reject) => {
          // the child runs from a worker, which also reads and checks its JSON report (up to 512 MB)
          const run = startRunPatch(this.runWorker, args, limit, currentLimits().workerMemoryMb, MEMORY_SETTING);
          this.runs.add(run);
          token.onCancellationRequested(() => run.cancel());
          void run.done.then((m) => {
            this.runs.delete(run);
            if (m.type === 'report') resolve(m.report);
            else if (m.type === 'cancelled') resolve(undefined);
            else reject(new Error(m.message));
          });
        }),
    );
    if (!report) return undefined;
    this.last = report;
    this.showProblems(doc, report);
    this.keepFunctions(report);
    const runs = report.scenarios;
    if (!runs.length) {
      void vscode.window.showInformationMessage(
        `No scenario enters a function this patch changes. ${report.unseen.notEntered.length ? `Not entered: ${report.unseen.notEntered.join(', ')}.` : ''}`,
      );
      return report;
    }
    const pick =
      runs.length === 1
        ? runs[0]
        : (
            await vscode.window.showQuickPick(
              runs.map((s) => ({ label: s.scenario.split('/').pop() ?? s.scenario, description: s.verdict, detail: s.why, s })),
              { title: 'Show which scenario?' },
            )
          )?.s;
    if (pick) {
      this.shown.set(pick.comparison, report);
      this.panel.showComparison(pick.comparison);
    }
    const cannot = report.unseen.notObservable.map((n) => n.note);
    if (cannot.length) void vscode.window.showInformationMessage(cannot.join(' '));
    return report;
  }

  private showProblems(doc: vscode.TextDocument, r: PatchRunReport): void {
    // the extension's own samples are not the user's: no Problems in its folder
    if (inInstallFolder(this.context, doc.uri)) return this.problems.delete(doc.uri);
    const diags: vscode.Diagnostic[] = [];
    for (const v of r.versions) {
      for (const f of v.files) {
        if (f.status === 'no-base') continue;
        for (const h of f.hunks) {
          if (h.status !== 'failed') continue;
          const line = Math.max(0, Math.min(doc.lineCount - 1, h.patchLine - 1));
          const mismatch = (h.mismatch ?? [])
            .slice(0, 6)
            .map((m) => `\n  line ${m.line}: patch \`${m.want.trim()}\`, tree \`${m.got.trim()}\``)
            .join('');
          const d = new vscode.Diagnostic(
            doc.lineAt(line).range,
            `${f.path} hunk #${h.index} does not apply to ${r.tree}: ${h.reason}${mismatch}`,
            vscode.DiagnosticSeverity.Warning,
          );
          d.source = 'MM Explorer run-patch';
          diags.push(d);
        }
      }
    }
    this.problems.set(doc.uri, diags);
  }

  /** the run-patch report of the comparison the panel shows (undefined for other comparisons) */
  reportOf(c: Comparison | undefined): PatchRunReport | undefined {
    return c ? this.shown.get(c) : undefined;
  }

  /** A step of an interpreted column replays in the page-table view's worker: its variant, compiled
   * in the child, is compiled again there from the report's C. */
  replayColumn(sel: Selection): ColumnVariantSpec | undefined {
    const c = this.panel.comparison;
    const r = this.reportOf(c);
    if (sel.view !== 'comparison' || !c || !r) return undefined;
    const fault = c.runs[sel.run]?.variants.fault;
    const col = r.columns.find((x) => x.variant === fault);
    if (!col || !col.interpreted.length) return undefined;
    return {
      variant: col.variant,
      era: col.era,
      rules: col.rules,
      description: `${col.label} of a run patch, interpreted (${col.era}), the rest of the kernel following ${col.rules}`,
      sources: col.sources,
      names: col.interpreted.map((f) => f.name),
    };
  }

  /** A step of a run-patch column selected in the panel: its interpreted C line in base and patched
   * side by side (diff editor), the executing line highlighted on the column's side. */
  async revealStep(sel: Selection): Promise<boolean> {
    const c = this.panel.comparison;
    const r = this.reportOf(c);
    if (sel.view !== 'comparison' || !c || !r) return false;
    const run = c.runs[sel.run];
    const ev = run?.trace.filter((e) => e.step === sel.step && e.src).pop();
    const m = ev?.src && /^([^/]+)\/(.*):(\d+)$/.exec(ev.src);
    if (!m || !this.texts.has(`/${m[1]}/${m[2]}`)) return false;
    const [, label, file] = m;
    const line = Number(m[3]) - 1;
    const mine = vscode.Uri.from({ scheme: SCHEME, path: `/${label}/${file}` });
    // the other side: the base of the patched columns; for the base, the first patched column
    const other = r.columns.find(
      (x) => x.label !== label && (label === 'base' || x.label === 'base') && this.texts.has(`/${x.label}/${file}`),
    );
    const base = label === 'base' ? mine : other && vscode.Uri.from({ scheme: SCHEME, path: `/base/${file}` });
    const patched = label === 'base' ? other && vscode.Uri.from({ scheme: SCHEME, path: `/${other.label}/${file}` }) : mine;
    if (base && patched) {
      await vscode.commands.executeCommand('vscode.diff', base, patched, `${file}: base ↔ ${label === 'base' ? other!.label : label}`, {
        viewColumn: vscode.ViewColumn.Beside,
        preserveFocus: true,
        preview: true,
      } satisfies vscode.TextDocumentShowOptions);
    } else {
      await vscode.window.showTextDocument(mine, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true, preview: true });
    }
    const ed = await waitForEditor(mine.toString());
    if (!ed) return false;
    const range = ed.document.lineAt(Math.min(line, ed.document.lineCount - 1)).range;
    ed.setDecorations(this.executing, [range]);
    ed.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    this.revealed = { uri: mine.toString(), line, text: ed.document.lineAt(range.start.line).text, diff: !!(base && patched) };
    return true;
  }

  private keepFunctions(r: PatchRunReport): void {
    // each column's compiled files, named as its trace events name them (base/mm/memory.c)
    for (const col of r.columns) for (const s of col.sources) this.texts.set(`/${s.file}`, s.text);
    for (const v of r.versions) {
      for (const f of v.functions) {
        for (const side of ['base', 'patched'] as const) {
          const s = f[side];
          const p = `/${v.version}/${side}/${f.name}.c`;
          this.texts.set(p, s ? s.text : `/* ${f.name} does not exist on the ${side} side */\n`);
          this.changed.fire(vscode.Uri.from({ scheme: SCHEME, path: p }));
        }
      }
    }
  }

  /** base and patched text of a changed function in the diff editor */
  async showFunction(name?: string, version?: string): Promise<boolean> {
    const r = this.last;
    if (!r) {
      void vscode.window.showInformationMessage('Run a patch first (MM Explorer: Run This Patch).');
      return false;
    }
    const all = r.versions.flatMap((v) =>
      v.functions.map((f) => ({
        label: f.name,
        description: `${v.version}${f.reconstructed ? ', base reconstructed' : ''}${f.complete ? '' : ', a hunk did not apply'}`,
        v: v.version,
        f,
      })),
    );
    const pick = name
      ? all.find((x) => x.label === name && (!version || x.v === version))
      : await vscode.window.showQuickPick(all, { title: 'Changed function' });
    if (!pick) return false;
    const uri = (side: string) => vscode.Uri.from({ scheme: SCHEME, path: `/${pick.v}/${side}/${pick.label}.c` });
    await vscode.commands.executeCommand(
      'vscode.diff',
      uri('base'),
      uri('patched'),
      `${pick.label}: base ↔ ${pick.v === 'v1' ? 'patched' : pick.v}`,
    );
    return true;
  }
}

/** the visible editor of a document once the workbench shows it (a diff editor opens both sides a moment later) */
async function waitForEditor(uri: string, timeoutMs = 5000): Promise<vscode.TextEditor | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ed = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri);
    if (ed || Date.now() > deadline) return ed;
    await new Promise((r) => setTimeout(r, 50));
  }
}
