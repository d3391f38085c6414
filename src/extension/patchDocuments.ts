// Which documents are patches, and their analyses (cached per document version). The analyser runs in
// a worker thread (patchAnalyses.ts), so a large patch never blocks the extension host; the C parser
// the quick fixes check with is loaded here on first use.
import * as vscode from 'vscode';

import type { Analysis } from '../patch/analysisModel';

import { loadPatchLibrary } from './libraries';
import { PatchAnalyses } from './patchAnalyses';

const PATCH_EXT = /\.(patch|diff|mbox|eml)$/i;
const PATCH_LANGS = new Set(['diff', 'mm-patch']);
/** a unified diff: a file header pair or a hunk header at the start of a line */
const LOOKS_LIKE_PATCH = /^(?:diff (?:-|--git )|--- \S[^\n]*\n\+\+\+ \S|@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@)/m;

/** how much of a plain-text document is sniffed for a patch */
const SNIFF_CHARS = 400_000;

export function looksLikePatch(text: string): boolean {
  return LOOKS_LIKE_PATCH.test(text.length > SNIFF_CHARS ? text.slice(0, SNIFF_CHARS) : text);
}

/** documents the user asked to analyse although they do not look like a patch */
const forced = new Set<string>();

export function forcePatch(uri: vscode.Uri): void {
  forced.add(uri.toString());
}

export function isForced(uri: vscode.Uri): boolean {
  return forced.has(uri.toString());
}

export function isPatchDocument(doc: vscode.TextDocument): boolean {
  if (forced.has(doc.uri.toString())) return true;
  if (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'untitled' && doc.uri.scheme !== 'vscode-remote') return false;
  if (PATCH_LANGS.has(doc.languageId) || PATCH_EXT.test(doc.fileName)) return true;
  if (doc.languageId !== 'plaintext') return false;
  // only the head is sniffed: no copy of a huge document's whole text (this runs on every hover)
  return looksLikePatch(doc.getText(new vscode.Range(new vscode.Position(0, 0), doc.positionAt(SNIFF_CHARS))));
}

export const PATCH_SELECTOR: vscode.DocumentSelector = [
  { language: 'diff' },
  { language: 'mm-patch' },
  { language: 'plaintext' },
  { pattern: '**/*.{patch,diff,mbox,eml}' },
];

export class PatchStore implements vscode.Disposable {
  private readonly cache = new Map<string, { version: number; analysis: Promise<Analysis> }>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidAnalyze = this.changed.event;
  private readonly analyses: PatchAnalyses;

  /** `workerFile`: dist/patchAnalysisWorker.js; `limits`: an analysis's time limit and the workers' memory cap now */
  constructor(workerFile: string, limits: () => { timeLimitMs: number; memoryMb: number }, memorySetting?: string) {
    this.analyses = new PatchAnalyses(workerFile, limits, memorySetting);
  }

  dispose(): void {
    this.analyses.dispose();
    this.changed.dispose();
  }

  analyze(doc: vscode.TextDocument): Promise<Analysis> {
    const key = doc.uri.toString();
    const hit = this.cache.get(key);
    if (hit && hit.version === doc.version) return hit.analysis;
    const text = doc.getText();
    const source = vscode.workspace.asRelativePath(doc.uri, false);
    const analysis = this.analyses.analyze(key, text, source).then(async (o): Promise<Analysis> => {
      // an edit queued a newer text before this one ran: its analysis answers
      if (o.kind === 'superseded') return this.analyze(doc);
      const lib = await loadPatchLibrary();
      // a stopped analysis shows nothing found, and why in its problems
      const a =
        o.kind === 'done'
          ? o.analysis
          : lib.emptyAnalysis(source, undefined, [{ file: source, line: 0, message: o.message, severity: 'error' }]);
      // the quick fixes check their edits with the parser the analysis was made with (the same grammar here)
      await lib
        .loadCParser()
        .then((p) => lib.attachParser(a, p))
        .catch(() => undefined);
      this.changed.fire(doc.uri);
      return a;
    });
    this.cache.set(key, { version: doc.version, analysis });
    return analysis;
  }

  /** the analysis of a document if it was analysed at its current version */
  peek(doc: vscode.TextDocument): Promise<Analysis> | undefined {
    const hit = this.cache.get(doc.uri.toString());
    return hit && hit.version === doc.version ? hit.analysis : undefined;
  }

  forget(uri: vscode.Uri): void {
    this.cache.delete(uri.toString());
  }

  analysedUris(): vscode.Uri[] {
    return [...this.cache.keys()].map((k) => vscode.Uri.parse(k));
  }
}
