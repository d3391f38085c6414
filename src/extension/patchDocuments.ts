// Which documents are patches, and their analyses (cached per document version). The analyser is
// loaded on first use so activation stays light.
import * as vscode from 'vscode';
import type { Analysis } from '../patch/analysisModel';
import { loadPatchLibrary } from './libraries';

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

export class PatchStore {
  private readonly cache = new Map<string, { version: number; analysis: Promise<Analysis> }>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidAnalyze = this.changed.event;

  analyze(doc: vscode.TextDocument): Promise<Analysis> {
    const key = doc.uri.toString();
    const hit = this.cache.get(key);
    if (hit && hit.version === doc.version) return hit.analysis;
    const text = doc.getText();
    const source = vscode.workspace.asRelativePath(doc.uri, false);
    const analysis = loadPatchLibrary().then(async (lib) => {
      const a = await lib.analyzePatch(text, source);
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
