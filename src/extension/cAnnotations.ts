// Annotations in the workspace's C files once a patch is analysed: old-style implementations of a
// changed hook, callers of a changed API (get_user_pages still passing vmas), put_page on pages from
// get_user_pages. Hovers, Problems entries and, where the analyser's replacements convert a whole
// function (cFixes.ts checks the result), a quick fix applied as one undoable WorkspaceEdit after which
// the findings are recomputed at once. A setting turns each kind on or off.
import * as vscode from 'vscode';
import type { Analysis, SourceFinding } from '../patch/analysisModel';
import { DocumentScan, KIND_SETTING, type KindSettings } from './cFindings';
import { planFixes, type FixPlan, type FixRefusal } from './cFixes';
import { syntaxErrorCounter } from './cSyntax';
import { loadPatchLibrary } from './libraries';
import type { CFindingsSource } from './cFindingsSource';

export const C_SELECTOR: vscode.DocumentSelector = [{ language: 'c' }, { language: 'cpp' }, { pattern: '**/*.{c,h}' }];

function isC(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'c' || doc.languageId === 'cpp' || /\.(c|h)$/.test(doc.fileName);
}

function rangeOf(f: { line: number; column: number; endLine: number; endColumn: number }): vscode.Range {
  return new vscode.Range(f.line - 1, f.column, f.endLine - 1, f.endColumn);
}

export class CAnnotations implements vscode.HoverProvider, vscode.CodeActionProvider, vscode.Disposable {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];
  readonly diagnostics = vscode.languages.createDiagnosticCollection('mmExplorer.c');
  private readonly findings = new Map<string, { version: number; findings: SourceFinding[]; analysis: Analysis; settings: KindSettings }>();
  private readonly fixes = new Map<string, { findings: SourceFinding[]; plan: Promise<{ plans: FixPlan[]; refused: FixRefusal[] }> }>();
  private readonly scans = new Map<string, DocumentScan>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly source: CFindingsSource) {
    this.disposables.push(
      vscode.languages.registerHoverProvider(C_SELECTOR, this),
      vscode.languages.registerCodeActionsProvider(C_SELECTOR, this, { providedCodeActionKinds: CAnnotations.providedCodeActionKinds }),
      // only the chosen source changes the findings: opening or auto-analysing other patches does not
      source.onDidChange(() => this.refreshOpen()),
      vscode.workspace.onDidOpenTextDocument((d) => void this.annotate(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.findings.delete(d.uri.toString());
        this.fixes.delete(d.uri.toString());
        this.scans.delete(d.uri.toString());
        this.diagnostics.delete(d.uri);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('mmExplorer.annotations')) this.refreshOpen();
      }),
    );
  }

  private setting(k: string): boolean {
    return vscode.workspace.getConfiguration('mmExplorer.annotations').get<boolean>(k, true);
  }

  private refreshOpen(): void {
    for (const d of vscode.workspace.textDocuments) void this.annotate(d);
  }

  private schedule(doc: vscode.TextDocument): void {
    if (!isC(doc) || !this.source.active) return;
    const key = doc.uri.toString();
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.set(key, setTimeout(() => void this.annotate(doc), 150));
  }

  /** Scan a C document against the patch chosen as the source of C findings; returns the findings shown. */
  async annotate(doc: vscode.TextDocument): Promise<SourceFinding[]> {
    if (!isC(doc)) return [];
    this.timers.delete(doc.uri.toString());
    const latest = await this.source.current();
    if (!latest) {
      this.findings.delete(doc.uri.toString());
      this.fixes.delete(doc.uri.toString());
      this.diagnostics.delete(doc.uri);
      return [];
    }
    const lib = await loadPatchLibrary();
    const key = doc.uri.toString();
    let scan = this.scans.get(key);
    if (!scan) this.scans.set(key, (scan = new DocumentScan(lib.scanCSource)));
    const version = doc.version;
    const cfg = vscode.workspace.getConfiguration('mmExplorer.annotations');
    const settings: KindSettings = {
      cImplementations: cfg.get<boolean>('cImplementations', true),
      cCallers: cfg.get<boolean>('cCallers', true),
      cPinnedReleases: cfg.get<boolean>('cPinnedReleases', true),
    };
    const { findings: shown, diagnostics } = scan.run(doc.getText(), vscode.workspace.asRelativePath(doc.uri), latest.analysis, settings);
    if (doc.isClosed || doc.version !== version) return [];
    this.findings.set(key, { version, findings: shown, analysis: latest.analysis, settings });
    this.diagnostics.set(
      doc.uri,
      diagnostics.map((p) => {
        const d = new vscode.Diagnostic(rangeOf(p), p.message, p.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information);
        d.source = 'mm-explorer';
        d.code = p.code;
        return d;
      }),
    );
    return shown;
  }

  findingsOf(doc: vscode.TextDocument): SourceFinding[] {
    return this.findings.get(doc.uri.toString())?.findings ?? [];
  }

  /** The quick fixes of a document at its current version (planned on first request, then cached). */
  fixesOf(doc: vscode.TextDocument): Promise<{ plans: FixPlan[]; refused: FixRefusal[] }> {
    const key = doc.uri.toString();
    const f = this.findings.get(key);
    // findings of an older text would put their edits in the wrong place
    if (!f || f.version !== doc.version) return Promise.resolve({ plans: [], refused: [] });
    const hit = this.fixes.get(key);
    // planned for exactly these findings (a re-scan at the same version makes new ones)
    if (hit && hit.findings === f.findings) return hit.plan;
    const text = doc.getText();
    const file = vscode.workspace.asRelativePath(doc.uri);
    const plan = loadPatchLibrary().then(async (lib) => {
      let syntaxErrors: ((t: string) => number) | undefined;
      try {
        syntaxErrors = syntaxErrorCounter(await lib.loadCParser());
      } catch {
        // without the parser no result can be checked: no fix is offered
        return { plans: [], refused: f.findings.map((x) => ({ function: x.function, findings: [x], reason: 'the C parser is not available to check the result' })) };
      }
      const rescan = (t: string) => lib.scanCSource(t, file, f.analysis, { fns: new Map() }).filter((x) => f.settings[KIND_SETTING[x.kind]] !== false);
      return planFixes(text, f.findings, { analysis: f.analysis, rescan, syntaxErrors });
    });
    this.fixes.set(key, { findings: f.findings, plan });
    return plan;
  }

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    if (!this.setting('hovers')) return undefined;
    const hits = this.findingsOf(doc).filter((f) => rangeOf(f).contains(pos));
    if (!hits.length) return undefined;
    const src = await this.source.current();
    const a: Analysis | undefined = src?.analysis;
    const md = new vscode.MarkdownString();
    for (const f of hits) {
      md.appendMarkdown('**');
      md.appendText(f.api);
      md.appendMarkdown('** — ');
      md.appendText(f.message);
      md.appendMarkdown('\n\n');
      const member = f.api.split('.').pop() ?? f.api;
      // the last version's change: the one the scanner converts to
      const change = a?.apiChanges.filter((c) => (c.kind === 'member-signature' || c.kind === 'signature') && c.name.replace(/^->/, '') === member).pop();
      if (change?.before) {
        md.appendText('before:');
        md.appendCodeblock(change.before, 'c');
      }
      if (change?.after) {
        md.appendText('after:');
        md.appendCodeblock(change.after, 'c');
      }
      const { plans, refused } = await this.fixesOf(doc);
      const same = (g: SourceFinding) => g.kind === f.kind && g.line === f.line && g.column === f.column;
      const plan = plans.find((p) => p.findings.some(same));
      const no = refused.find((r) => r.findings.some(same));
      if (plan) md.appendText(`Quick fix: ${plan.title}.`);
      else if (no) md.appendText(`No quick fix: ${no.reason}.`);
      md.appendMarkdown('\n\n');
    }
    if (src) {
      md.appendMarkdown('\n\n');
      md.appendText(`From the analysis of ${vscode.workspace.asRelativePath(src.uri)} (the C findings source; change it from the status bar).`);
    }
    return new vscode.Hover(md, rangeOf(hits[0]));
  }

  async provideCodeActions(doc: vscode.TextDocument, range: vscode.Range | vscode.Selection): Promise<vscode.CodeAction[]> {
    if (!this.setting('quickFixes')) return [];
    const version = doc.version;
    const { plans } = await this.fixesOf(doc);
    if (doc.version !== version) return [];
    const out: vscode.CodeAction[] = [];
    const diags = this.diagnostics.get(doc.uri) ?? [];
    for (const p of plans) {
      if (!p.findings.some((f) => rangeOf(f).intersection(range))) continue;
      const action = new vscode.CodeAction(p.title, vscode.CodeActionKind.QuickFix);
      const edit = new vscode.WorkspaceEdit();
      for (const e of p.edits) edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.start), doc.positionAt(e.end)), e.newText);
      action.edit = edit;
      // the findings are recomputed from the new text right after the edit, not on the next keystroke
      action.command = { command: 'mmExplorer.refreshCFindings', title: 'Recompute C findings', arguments: [doc.uri] };
      action.diagnostics = diags.filter((d) => p.findings.some((f) => d.range.isEqual(rangeOf(f)) && d.code === f.kind));
      action.isPreferred = true;
      out.push(action);
    }
    return out;
  }

  /** Recompute a document's findings now (after a quick fix). */
  async refresh(uri: vscode.Uri): Promise<SourceFinding[]> {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    return doc ? this.annotate(doc) : [];
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.diagnostics.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
