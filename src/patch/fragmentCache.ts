// Parsing fragments, once per distinct text: the balancing that makes a hunk side parse like the
// file it came from, and the incremental parse of a hunk's new side from its old side's tree.
import type { Edit, Tree } from 'web-tree-sitter';

import { emptyFacts, factsOf, type FragmentFacts } from './cFacts';
import type { CParser } from './cParser';
import { lexFragment, type Lexed } from './fragmentLexer';

/** The largest fragment handed to the parser; bigger hunks are analysed without C facts. */
export const MAX_FRAGMENT = 512 * 1024;

interface Entry {
  facts: FragmentFacts;
  lex: Lexed;
  prepared: string;
}

export class FragmentCache {
  private map = new Map<string, Entry>();
  constructor(private parser: CParser | undefined) {}

  /**
   * Both sides of a hunk. The new side is parsed incrementally from the old side's tree, edited by the
   * span where the two texts differ, so tree-sitter re-reads only the changed lines and their context.
   */
  pair(oldLines: string[], newLines: string[] | undefined): { old: Entry; new: Entry } {
    const ot = oldLines.join('\n');
    let o = this.map.get(ot);
    const nt = newLines ? newLines.join('\n') : undefined;
    let n = nt !== undefined ? this.map.get(nt) : undefined;
    let oldTree: Tree | undefined;
    try {
      if (!o) {
        const r = this.read(oldLines, ot, undefined, undefined, !!newLines && !n);
        o = r.entry;
        oldTree = r.tree;
      }
      if (newLines && nt !== undefined && !n) n = this.read(newLines, nt, oldTree, o.prepared, false).entry;
    } finally {
      oldTree?.delete();
    }
    if (this.map.size > 4096) this.map.clear();
    return { old: o, new: n ?? o };
  }

  private read(
    lines: string[],
    text: string,
    base: Tree | undefined,
    basePrepared: string | undefined,
    keep: boolean,
  ): { entry: Entry; tree?: Tree } {
    const lex = lexFragment(lines);
    let facts: FragmentFacts;
    let tree: Tree | undefined;
    const prepared = this.parser && text.length <= MAX_FRAGMENT ? prepareFragment(text, lines.length, lex) : text;
    if (!this.parser || text.length > MAX_FRAGMENT) {
      facts = emptyFacts();
      if (this.parser) facts.skipped = true;
    } else {
      if (base && basePrepared !== undefined) base.edit(editBetween(basePrepared, prepared));
      tree = this.parser.parse(prepared, base);
      try {
        facts = factsOf(tree, prepared, lines.length);
      } catch (e) {
        tree.delete();
        throw e;
      }
      if (!keep) {
        tree.delete();
        tree = undefined;
      }
    }
    facts.comments = lex.comments;
    facts.inits = lex.inits;
    const entry = { facts, lex, prepared };
    this.map.set(text, entry);
    return { entry, tree };
  }
}

/** row and column of `index` in t, counting on from `from` (a point at or before it) */
function pointAfter(t: string, from: { row: number; column: number; index: number }, index: number): { row: number; column: number } {
  let row = from.row;
  let lineStart = from.index - from.column;
  for (let i = t.indexOf('\n', from.index); i >= 0 && i < index; i = t.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: index - lineStart };
}

/** The single edit turning a into b: common prefix and suffix kept. */
export function editBetween(a: string, b: string): Edit {
  const max = Math.min(a.length, b.length);
  let p = 0;
  while (p < max && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  let q = 0;
  while (q < max - p && a.charCodeAt(a.length - 1 - q) === b.charCodeAt(b.length - 1 - q)) q++;
  // the texts agree up to p: count lines once to there, then through each changed span
  const start = pointAfter(a, { row: 0, column: 0, index: 0 }, p);
  const from = { ...start, index: p };
  return {
    startIndex: p,
    oldEndIndex: a.length - q,
    newEndIndex: b.length - q,
    startPosition: start,
    oldEndPosition: pointAfter(a, from, a.length - q),
    newEndPosition: pointAfter(b, from, b.length - q),
  };
}

/**
 * Make a fragment that starts inside a comment or a block parse like the file it came from: open the
 * comment, and open as many blocks as the fragment closes before opening, all on its first line so
 * rows stay the same; close what it leaves open on an extra last row.
 */
export function prepareFragment(text: string, rows: number, lex: Lexed): string {
  let min = 0;
  let firstClose = -1;
  for (let r = 0; r <= rows; r++) {
    if (lex.depth[r] < min) {
      min = lex.depth[r];
      if (firstClose < 0) firstClose = r - 1;
    }
  }
  let opener = '{'.repeat(Math.min(-min, 64));
  if (opener) {
    // the fragment starts inside an initializer ("};" closes it, or ".member = ..." opens it): keep it one
    const lines = text.split('\n', Math.max(firstClose + 1, 1));
    const firstCode = lines.find((l) => l.trim() !== '') ?? '';
    if (/^\s*\./.test(firstCode) || (firstClose >= 0 && /^\s*\}\s*;/.test(lines[firstClose] ?? '')))
      opener = 'int __fragment[] = ' + opener;
  }
  const prefix = opener + (lex.startsInComment ? '/*' : '');
  const open = lex.depth[rows] - min;
  // close what is left open; the ';' ends an initializer (and is harmless after a body)
  const suffix =
    open > 0 || lex.endsInComment
      ? '\n' + (lex.endsInComment ? '*/' : '') + '}'.repeat(Math.min(Math.max(open, 0), 64)) + (open > 0 ? ';' : '')
      : '';
  return prefix + text + suffix;
}
