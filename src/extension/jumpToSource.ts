// Jump from a kernel function named in a trace to where an analysed patch defines or changes it.
import * as vscode from 'vscode';
import type { Analysis } from '../patch/analysisModel';
import type { PatchStore } from './patchDocuments';

const highlight = vscode.window.createTextEditorDecorationType({
  isWholeLine: true,
  backgroundColor: new vscode.ThemeColor('editor.rangeHighlightBackground'),
});

/** 1-based line where the analysis places `fn`, else the first line that calls or defines it. */
export function findFunctionLine(a: Analysis | undefined, text: string, fn: string): number | undefined {
  const bare = fn.replace(/^->/, '');
  if (a) {
    const hits = [
      ...a.functions.filter((f) => f.function === bare).map((f) => f.line),
      ...a.implementations.filter((i) => i.function === bare).map((i) => i.line),
      ...a.apiChanges.filter((c) => c.name.replace(/^->/, '') === bare).map((c) => c.line),
    ];
    if (hits.length) return Math.min(...hits);
  }
  const re = new RegExp(`\\b${bare.replace(/[^\w]/g, '')}\\s*\\(`);
  const lines = text.split('\n');
  // a definition (a line that starts with the name or a type before it) first, then any mention
  for (let i = 0; i < lines.length; i++) if (re.test(lines[i]) && /^[+\- ]?[A-Za-z_].*\)\s*\{?\s*$/.test(lines[i])) return i + 1;
  for (let i = 0; i < lines.length; i++) if (re.test(lines[i])) return i + 1;
  return undefined;
}

/** Reveal `fn` in an open analysed patch. `focus` false keeps the panel focused (follow mode). */
export async function revealFunction(store: PatchStore, fn: string, focus: boolean): Promise<vscode.Location | undefined> {
  const candidates = vscode.workspace.textDocuments.filter((d) => store.peek(d) !== undefined);
  // the patch in a visible editor wins
  candidates.sort((a, b) => Number(vscode.window.visibleTextEditors.some((e) => e.document === b)) - Number(vscode.window.visibleTextEditors.some((e) => e.document === a)));
  for (const doc of candidates) {
    const a = await store.peek(doc)?.catch(() => undefined);
    const line = findFunctionLine(a, doc.getText(), fn);
    if (line === undefined) continue;
    const visible = vscode.window.visibleTextEditors.find((e) => e.document === doc);
    if (!focus && !visible) continue;
    // beside the panel, never over it: the panel's tab stays in view
    const ed = visible && !focus ? visible : await vscode.window.showTextDocument(doc, { preserveFocus: !focus, preview: true, viewColumn: visible?.viewColumn ?? vscode.ViewColumn.Beside });
    const range = doc.lineAt(line - 1).range;
    ed.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    ed.setDecorations(highlight, [range]);
    if (focus) ed.selection = new vscode.Selection(range.start, range.start);
    return new vscode.Location(doc.uri, range);
  }
  if (focus) void vscode.window.showInformationMessage(`No open analysed patch mentions ${fn}. Open a patch (or run MM Explorer: Analyze Patch) first.`);
  return undefined;
}
