// Annotations in patch files from the analyser's result: a CodeLens over each changed API, hovers with
// the before/after signatures and the lock contract, decorations on converted implementations and
// diagnostics on inconsistent ones. Lines of the Analysis are 1-based lines of the analysed file.
import * as vscode from 'vscode';
import type { Analysis, ApiChange, Implementation, LockContract } from '../patch/analysisModel';
import { LIMIT_SETTINGS } from './limits';
import type { PatchComparison } from './patchCompare';
import { isForced, isPatchDocument, PATCH_SELECTOR, type PatchStore } from './patchDocuments';
import { currentLimits, raiseHint } from './workspaceLimits';

/** The parameter list and the return type of a C declaration as the analyser prints it. */
export function signatureShape(sig: string): { params: number; returns: string } | undefined {
  const s = sig.replace(/\s+/g, ' ').trim();
  // the last top-level parenthesised group is the parameter list
  let depth = 0;
  let open = -1;
  let close = -1;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '(') {
      if (depth === 0) open = i;
      depth++;
    } else if (ch === ')') {
      depth--;
      if (depth === 0) close = i;
    }
  }
  if (open < 0 || close < open) return undefined;
  const inner = s.slice(open + 1, close).trim();
  let params = 0;
  if (inner && inner !== 'void') {
    params = 1;
    let d = 0;
    for (const ch of inner) {
      if (ch === '(') d++;
      else if (ch === ')') d--;
      else if (ch === ',' && d === 0) params++;
    }
  }
  const head = s.slice(0, s.indexOf('('));
  // "struct page *(*nopage)" -> "struct page *"; "static int foo" -> "int"
  const returns = head
    .replace(/\b(static|extern|inline|__inline__|const)\b/g, '')
    .replace(/[A-Za-z_]\w*\s*$/, '')
    .replace(/\(\s*\*\s*$/, '')
    .trim();
  return { params, returns: returns || head.trim() };
}

/** "vm_operations_struct.nopage" / "->nopage" -> "nopage" */
export function hookName(h: string): string {
  return (h.split('.').pop() ?? h).replace(/^->/, '');
}

function contractFor(a: Analysis, c: ApiChange): LockContract | undefined {
  // an implementation's signature change carries the contract of the hook it implements
  const impl = c.kind === 'signature' ? a.implementations.find((i) => i.line === c.line && i.function === c.name) : undefined;
  const hook = impl ? hookName(impl.hook) : hookName(c.name);
  const same = a.lockContracts.filter((l) => hookName(l.hook) === hook);
  return same.find((l) => l.version === c.version) ?? (c.version ? undefined : same[same.length - 1]);
}

export function lensTitle(a: Analysis, c: ApiChange): string {
  const name = c.kind === 'member-signature' ? `->${hookName(c.name)}` : c.name;
  const parts: string[] = [];
  switch (c.kind) {
    case 'signature':
    case 'member-signature': {
      const b = c.before ? signatureShape(c.before) : undefined;
      const f = c.after ? signatureShape(c.after) : undefined;
      if (b && f) {
        if (b.params !== f.params) parts.push(`${b.params} → ${f.params} parameters`);
        else parts.push('parameters changed');
        if (b.returns !== f.returns) parts.push(`now returns ${f.returns}`);
      } else parts.push('signature changed');
      break;
    }
    case 'return-convention':
      parts.push(`return convention: ${c.before ?? '?'} → ${c.after ?? '?'}`);
      break;
    case 'added-function':
    case 'added-macro':
    case 'added-export':
      parts.push(`${c.kind.replace('added-', '')} added`);
      break;
    case 'removed-function':
    case 'removed-macro':
    case 'removed-export':
      parts.push(`${c.kind.replace('removed-', '')} removed`);
      break;
    case 'comment':
      parts.push('comment changed');
      break;
  }
  const lc = contractFor(a, c);
  if (lc) parts.push(`${lc.lock} ${lc.atEntry} at entry${lc.atEntry === 'held' ? `, dropped by ${lc.droppedBy}` : ''}`);
  return `${name}: ${parts.join('; ')}${c.version ? ` [${c.version}]` : ''}`;
}

function lineRange(doc: vscode.TextDocument, line1: number): vscode.Range | undefined {
  const l = line1 - 1;
  if (l < 0 || l >= doc.lineCount) return undefined;
  return doc.lineAt(l).range;
}

const IMPORTANT: ApiChange['kind'][] = ['signature', 'member-signature', 'return-convention', 'added-function', 'removed-function', 'added-macro', 'removed-macro', 'added-export', 'removed-export', 'comment'];

export class PatchAnnotations implements vscode.CodeLensProvider, vscode.HoverProvider, vscode.Disposable {
  readonly diagnostics = vscode.languages.createDiagnosticCollection('mmExplorer.patch');
  private readonly lensChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensChanged.event;
  private readonly converted = vscode.window.createTextEditorDecorationType({
    after: { margin: '0 0 0 2em', color: new vscode.ThemeColor('editorCodeLens.foreground') },
    overviewRulerColor: new vscode.ThemeColor('charts.green'),
    overviewRulerLane: vscode.OverviewRulerLane.Left,
  });
  private readonly inconsistent = vscode.window.createTextEditorDecorationType({
    after: { margin: '0 0 0 2em', color: new vscode.ThemeColor('editorError.foreground') },
    overviewRulerColor: new vscode.ThemeColor('editorError.foreground'),
    overviewRulerLane: vscode.OverviewRulerLane.Left,
  });
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly store: PatchStore,
    /** the best comparison of a patch's variants (the main action, at the top of the patch) */
    private readonly bestComparison?: (a: Analysis) => Promise<PatchComparison | undefined>,
    /** files the user cannot edit (the extension's own samples): annotated, but no Problems entries */
    private readonly readOnlyPlace: (uri: vscode.Uri) => boolean = () => false,
  ) {
    this.disposables.push(
      vscode.languages.registerCodeLensProvider(PATCH_SELECTOR, this),
      vscode.languages.registerHoverProvider(PATCH_SELECTOR, this),
      vscode.window.onDidChangeVisibleTextEditors(() => this.refreshVisible()),
      vscode.workspace.onDidOpenTextDocument((d) => void this.annotate(d)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.diagnostics.delete(d.uri);
        this.store.forget(d.uri);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('mmExplorer.annotations')) {
          this.lensChanged.fire();
          this.refreshVisible();
        }
      }),
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (!isPatchDocument(e.document)) return;
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => void this.annotate(e.document), 400);
      }),
    );
    this.refreshVisible();
  }

  private setting(k: string): boolean {
    return vscode.workspace.getConfiguration('mmExplorer.annotations').get<boolean>(k, true);
  }

  private refreshVisible(): void {
    for (const d of new Set(vscode.window.visibleTextEditors.map((e) => e.document))) void this.annotate(d);
  }

  /** Analyse a patch document and update its diagnostics and decorations. */
  async annotate(doc: vscode.TextDocument): Promise<Analysis | undefined> {
    if (!isPatchDocument(doc)) return undefined;
    // a huge mbox is analysed when asked for, not whenever it is opened
    const length = doc.offsetAt(doc.lineAt(doc.lineCount - 1).range.end);
    const limits = currentLimits(doc.uri);
    if (!isForced(doc.uri) && !this.store.peek(doc) && length > limits.autoAnalysisBytes) return undefined;
    if (length > limits.patchBytes) {
      this.diagnostics.set(doc.uri, [new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), `Not analysed: more than the ${limits.patchBytes / (1024 * 1024)} MB a patch may have (${raiseHint(LIMIT_SETTINGS.patchSizeMB, limits)})`, vscode.DiagnosticSeverity.Information)]);
      return undefined;
    }
    let a: Analysis;
    try {
      a = await this.store.analyze(doc);
    } catch (e) {
      this.diagnostics.set(doc.uri, [new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), `The patch analyser failed: ${e instanceof Error ? e.message : String(e)}`, vscode.DiagnosticSeverity.Warning)]);
      return undefined;
    }
    const diags: vscode.Diagnostic[] = [];
    if (this.setting('patchDiagnostics') && !this.readOnlyPlace(doc.uri)) {
      for (const impl of a.implementations) {
        if (impl.consistent) continue;
        const r = lineRange(doc, impl.line);
        if (!r) continue;
        const d = new vscode.Diagnostic(r, `${impl.function} (->${hookName(impl.hook)}${impl.version ? `, ${impl.version}` : ''}) is not converted consistently: ${impl.problems.join('; ') || 'see the hook contract'}`, vscode.DiagnosticSeverity.Warning);
        d.source = 'mm-explorer';
        d.code = 'inconsistent-implementation';
        diags.push(d);
      }
      for (const p of a.problems) {
        const r = lineRange(doc, p.line);
        if (!r) continue;
        const sev = p.severity === 'error' ? vscode.DiagnosticSeverity.Error : p.severity === 'info' ? vscode.DiagnosticSeverity.Information : vscode.DiagnosticSeverity.Warning;
        const d = new vscode.Diagnostic(p.column ? new vscode.Range(r.start.line, Math.max(0, p.column - 1), r.end.line, r.end.character) : r, p.message, sev);
        d.source = 'mm-explorer (parse)';
        diags.push(d);
      }
    }
    this.diagnostics.set(doc.uri, diags);
    for (const ed of vscode.window.visibleTextEditors) if (ed.document === doc) this.decorate(ed, a);
    this.lensChanged.fire();
    return a;
  }

  private decorate(ed: vscode.TextEditor, a: Analysis): void {
    const on = this.setting('patchDecorations');
    const ok: vscode.DecorationOptions[] = [];
    const bad: vscode.DecorationOptions[] = [];
    if (on) {
      for (const impl of a.implementations) {
        const r = lineRange(ed.document, impl.line);
        if (!r) continue;
        const text = impl.consistent ? `✓ ->${hookName(impl.hook)} implementation converted` : `✗ ${impl.problems[0] ?? 'inconsistent conversion'}`;
        (impl.consistent ? ok : bad).push({ range: r, renderOptions: { after: { contentText: text } } });
      }
    }
    ed.setDecorations(this.converted, ok);
    ed.setDecorations(this.inconsistent, bad);
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!this.setting('codeLens') || !isPatchDocument(doc)) return [];
    const a = await this.annotateOnce(doc);
    if (!a) return [];
    const lenses: vscode.CodeLens[] = [];
    // the main action where a reader starts: the first line of the mail or of the diff
    const best = a.variants.length ? await this.bestComparison?.(a).catch(() => undefined) : undefined;
    if (best) {
      let top = 0;
      while (top < doc.lineCount - 1 && doc.lineAt(top).isEmptyOrWhitespace) top++;
      lenses.push(new vscode.CodeLens(doc.lineAt(top).range, {
        title: `$(git-compare) ${best.title}`,
        command: 'mmExplorer.compareVariantsForPatch',
        arguments: [doc.uri, best.scenarioPath, best.columns],
        tooltip: `Run ${best.name} under ${best.columns.join(', ')} and show them side by side`,
      }));
    }
    const seen = new Set<string>();
    for (const c of a.apiChanges) {
      if (!IMPORTANT.includes(c.kind)) continue;
      const r = lineRange(doc, c.line);
      if (!r) continue;
      const key = `${c.line}:${c.kind}:${c.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      lenses.push(new vscode.CodeLens(r, { title: lensTitle(a, c), command: 'mmExplorer.showApiChange', arguments: [doc.uri, c.line], tooltip: c.after ?? c.before ?? c.name }));
      // the hook itself, or an API function (not one of the hook's implementations), gets the actions
      const isImpl = c.kind === 'signature' && a.implementations.some((i) => i.function === c.name && i.line === c.line);
      if ((c.kind === 'signature' && !isImpl) || c.kind === 'member-signature') {
        if (a.variants.length) {
          lenses.push(new vscode.CodeLens(r, { title: `$(git-compare) Compare variants (${a.variants.join(', ')})`, command: 'mmExplorer.compareVariantsForPatch', arguments: [doc.uri] }));
        }
        const impls = a.implementations.filter((i) => hookName(i.hook) === hookName(c.name) && (!c.version || !i.version || i.version === c.version));
        if (impls.length) {
          const bad = impls.filter((i) => !i.consistent).length;
          lenses.push(new vscode.CodeLens(r, {
            title: `${impls.length} implementation${impls.length === 1 ? '' : 's'}${bad ? `, ${bad} inconsistent` : ''}`,
            command: 'editor.action.showReferences',
            arguments: [doc.uri, r.start, impls.map((i) => new vscode.Location(doc.uri, lineRange(doc, i.line)?.start ?? new vscode.Position(0, 0)))],
          }));
        }
      }
    }
    return lenses;
  }

  private annotateOnce(doc: vscode.TextDocument): Promise<Analysis | undefined> {
    return this.store.peek(doc) ?? this.annotate(doc);
  }

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    if (!this.setting('hovers') || !isPatchDocument(doc)) return undefined;
    const a = await this.annotateOnce(doc);
    if (!a) return undefined;
    const line = pos.line + 1;
    const md = new vscode.MarkdownString();
    let any = false;
    for (const c of a.apiChanges.filter((x) => x.line === line)) {
      any = true;
      md.appendMarkdown('**');
      md.appendText(lensTitle(a, c));
      md.appendMarkdown('**\n\n');
      if (c.before) {
        md.appendText('before:');
        md.appendCodeblock(c.before, 'c');
      }
      if (c.after) {
        md.appendText('after:');
        md.appendCodeblock(c.after, 'c');
      }
      const lc = contractFor(a, c);
      if (lc) {
        md.appendText(`Lock contract: ${lc.lock} ${lc.atEntry} when ->${hookName(lc.hook)} is entered; dropped by the ${lc.droppedBy}.`);
        md.appendMarkdown('\n\n');
        for (const e of lc.evidence.slice(0, 4)) md.appendCodeblock(`${e.file}:${e.line}: ${e.text}`, 'c');
      }
    }
    for (const impl of a.implementations.filter((i: Implementation) => i.line === line)) {
      any = true;
      md.appendText(`${impl.function}: implementation of ->${hookName(impl.hook)}${impl.version ? ` (${impl.version})` : ''}, ${impl.consistent ? 'converted consistently' : `inconsistent: ${impl.problems.join('; ')}`}`);
      md.appendMarkdown('\n\n');
    }
    return any ? new vscode.Hover(md, doc.lineAt(pos.line).range) : undefined;
  }

  dispose(): void {
    this.diagnostics.dispose();
    this.converted.dispose();
    this.inconsistent.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
