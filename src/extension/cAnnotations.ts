// Annotations in the workspace's C files once a patch is analysed: old-style implementations of a
// changed hook, callers of a changed API (get_user_pages still passing vmas), put_page on pages from
// get_user_pages. Hovers, Problems entries and, where the analyser has a mechanical replacement, a
// quick fix applied as one undoable WorkspaceEdit. A setting turns each kind on or off.
import * as vscode from 'vscode';
import type { Analysis, SourceFinding } from '../patch/analysisModel';
import { DocumentScan } from './cFindings';
import { loadPatchLibrary } from './libraries';
import type { PatchStore } from './patchDocuments';

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
  private readonly findings = new Map<string, { version: number; findings: SourceFinding[] }>();
  private readonly scans = new Map<string, DocumentScan>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly store: PatchStore) {
    this.disposables.push(
      vscode.languages.registerHoverProvider(C_SELECTOR, this),
      vscode.languages.registerCodeActionsProvider(C_SELECTOR, this, { providedCodeActionKinds: CAnnotations.providedCodeActionKinds }),
      store.onDidAnalyze(() => this.refreshOpen()),
      vscode.workspace.onDidOpenTextDocument((d) => void this.annotate(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.findings.delete(d.uri.toString());
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
    if (!isC(doc) || !this.store.latest) return;
    const key = doc.uri.toString();
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.set(key, setTimeout(() => void this.annotate(doc), 150));
  }

  /** Scan a C document against the latest analysed patch; returns the findings shown. */
  async annotate(doc: vscode.TextDocument): Promise<SourceFinding[]> {
    if (!isC(doc)) return [];
    this.timers.delete(doc.uri.toString());
    const latest = this.store.latest;
    if (!latest) return [];
    const lib = await loadPatchLibrary();
    const key = doc.uri.toString();
    let scan = this.scans.get(key);
    if (!scan) this.scans.set(key, (scan = new DocumentScan(lib.scanCSource)));
    const version = doc.version;
    const cfg = vscode.workspace.getConfiguration('mmExplorer.annotations');
    const { findings: shown, diagnostics } = scan.run(doc.getText(), vscode.workspace.asRelativePath(doc.uri), latest.analysis, {
      cImplementations: cfg.get<boolean>('cImplementations', true),
      cCallers: cfg.get<boolean>('cCallers', true),
      cPinnedReleases: cfg.get<boolean>('cPinnedReleases', true),
    });
    if (doc.isClosed || doc.version !== version) return [];
    this.findings.set(key, { version, findings: shown });
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

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    if (!this.setting('hovers')) return undefined;
    const hits = this.findingsOf(doc).filter((f) => rangeOf(f).contains(pos));
    if (!hits.length) return undefined;
    const a: Analysis | undefined = this.store.latest?.analysis;
    const md = new vscode.MarkdownString();
    for (const f of hits) {
      md.appendMarkdown('**');
      md.appendText(f.api);
      md.appendMarkdown('** — ');
      md.appendText(f.message);
      md.appendMarkdown('\n\n');
      const member = f.api.split('.').pop() ?? f.api;
      const change = a?.apiChanges.find((c) => (c.kind === 'member-signature' || c.kind === 'signature') && c.name.replace(/^->/, '') === member);
      if (change?.before) {
        md.appendText('before:');
        md.appendCodeblock(change.before, 'c');
      }
      if (change?.after) {
        md.appendText('after:');
        md.appendCodeblock(change.after, 'c');
      }
      if (f.edit) md.appendText('A quick fix applies the mechanical conversion.');
    }
    if (this.store.latest) {
      md.appendMarkdown('\n\n');
      md.appendText(`From the analysis of ${vscode.workspace.asRelativePath(this.store.latest.uri)}`);
    }
    return new vscode.Hover(md, rangeOf(hits[0]));
  }

  provideCodeActions(doc: vscode.TextDocument, range: vscode.Range | vscode.Selection): vscode.CodeAction[] {
    if (!this.setting('quickFixes')) return [];
    const out: vscode.CodeAction[] = [];
    const diags = this.diagnostics.get(doc.uri) ?? [];
    for (const f of this.findingsOf(doc)) {
      if (!f.edit || !rangeOf(f).intersection(range)) continue;
      const action = new vscode.CodeAction(`Convert for the patched ${f.api}`, vscode.CodeActionKind.QuickFix);
      const edit = new vscode.WorkspaceEdit();
      edit.replace(doc.uri, rangeOf(f.edit), f.edit.newText);
      action.edit = edit;
      action.diagnostics = diags.filter((d) => d.range.isEqual(rangeOf(f)) && d.code === f.kind);
      action.isPreferred = true;
      out.push(action);
    }
    return out;
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.diagnostics.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
