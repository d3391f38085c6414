// The two sides of every hunk as C fragments: text for the parser, the facts read from it, and which
// function each line belongs to. A hunk that starts inside a function body learns the function from
// the hunk header (diff -p) or from the previous hunk of the same file that left a function open.
import type { Edit, Tree } from 'web-tree-sitter';
import type { CParser } from './cParser';
import { factsOf, type CommentFact, type FragmentFacts, type InitFact, type Signature } from './cFacts';
import { ADDED, CONTEXT, REMOVED, type DiffLine, type FileDiff, type Hunk } from './diffReader';

export type Side = 'old' | 'new';

export interface SideView {
  side: Side;
  file: FileDiff;
  hunk: Hunk;
  /** the diff lines present on this side, in order (fragment row k is lines[k]) */
  lines: DiffLine[];
  facts: FragmentFacts;
  /** enclosing function per fragment row ('' when at file scope or unknown) */
  fnOfRow: string[];
  /** brace depth at the start of each row, relative to the fragment start */
  depthOfRow: Int32Array;
  /** depth of the enclosing function's body level per row (1 inside its outermost block), -1 when unknown */
  bodyDepthOfRow: Int32Array;
  /** the function headers visible per function name */
  sigOf: Map<string, Signature>;
}

/** The largest fragment handed to the parser; bigger hunks are analysed without C facts. */
export const MAX_FRAGMENT = 512 * 1024;

const emptyFacts = (): FragmentFacts => ({ sigs: [], calls: [], returns: [], macros: [], exports: [], comments: [], inits: [], decls: [], gotoLines: [], errors: 0 });

interface Entry {
  facts: FragmentFacts;
  lex: Lexed;
  prepared: string;
}

export class FragmentCache {
  private map = new Map<string, Entry>();
  constructor(private parser: CParser | undefined) {}

  /** Lexer view and parsed facts of a fragment given as lines, parsed once per distinct text. */
  get(lines: string[]): Entry {
    return this.pair(lines, undefined).old;
  }

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

  private read(lines: string[], text: string, base: Tree | undefined, basePrepared: string | undefined, keep: boolean): { entry: Entry; tree?: Tree } {
    const lex = lexFragment(lines);
    let facts: FragmentFacts;
    let tree: Tree | undefined;
    const prepared = this.parser && text.length <= MAX_FRAGMENT ? prepareFragment(text, lines.length, lex) : text;
    if (!this.parser || text.length > MAX_FRAGMENT) {
      facts = emptyFacts();
      if (this.parser) facts.skipped = true;
    }
    else {
      if (base && basePrepared !== undefined) base.edit(editBetween(basePrepared, prepared));
      tree = this.parser.parse(prepared, base);
      try {
        facts = factsOf(tree, prepared, 0, lines.length);
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

function pointAt(t: string, index: number): { row: number; column: number } {
  let row = 0;
  let lineStart = 0;
  for (let i = t.indexOf('\n'); i >= 0 && i < index; i = t.indexOf('\n', i + 1)) {
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
  return {
    startIndex: p,
    oldEndIndex: a.length - q,
    newEndIndex: b.length - q,
    startPosition: pointAt(a, p),
    oldEndPosition: pointAt(a, a.length - q),
    newEndPosition: pointAt(b, b.length - q),
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
    if (/^\s*\./.test(firstCode) || (firstClose >= 0 && /^\s*\}\s*;/.test(lines[firstClose] ?? ''))) opener = 'int __fragment[] = ' + opener;
  }
  const prefix = opener + (lex.startsInComment ? '/*' : '');
  const open = lex.depth[rows] - min;
  // close what is left open; the ';' ends an initializer (and is harmless after a body)
  const suffix = open > 0 || lex.endsInComment ? '\n' + (lex.endsInComment ? '*/' : '') + '}'.repeat(Math.min(Math.max(open, 0), 64)) + (open > 0 ? ';' : '') : '';
  return prefix + text + suffix;
}

/** Function name from a diff -p section ("static int do_file_page(struct mm_struct"), or ''. */
export function sectionFunction(section: string): string {
  const m = /([A-Za-z_]\w*(?:\s*\([A-Za-z_]\w*\))?)\s*\(/.exec(section);
  if (!m) return '';
  const name = m[1].replace(/\s+/g, '');
  if (/^(if|while|for|switch|return|sizeof)$/.test(name)) return '';
  return name;
}

export interface Lexed {
  /** brace depth at the start of each row (and after the last) */
  depth: Int32Array;
  startsInComment: boolean;
  endsInComment: boolean;
  comments: CommentFact[];
  /** ".member = value" and "->member = value" */
  inits: InitFact[];
}

const INIT_RE = /(?:\.|->)\s*([A-Za-z_]\w*)\s*=(?!=)\s*([^,;}]+?)\s*(?=[,;}]|$)/g;

/**
 * One pass over a fragment's lines: brace depths, comments (with their text) and member assignments,
 * skipping strings and character literals. A fragment whose first comment delimiter is a closing one
 * starts inside a comment.
 */
export function lexFragment(lines: string[]): Lexed {
  let startsInComment = false;
  for (const l of lines) {
    const c = l.indexOf('*/');
    const o = l.indexOf('/*');
    if (c >= 0 && (o < 0 || c < o)) { startsInComment = true; break; }
    if (o >= 0) break;
  }
  const depth = new Int32Array(lines.length + 1);
  const comments: CommentFact[] = [];
  const inits: InitFact[] = [];
  let d = 0;
  let inComment = startsInComment;
  let commentStart = 0;
  let commentText: string[] = [];
  for (let r = 0; r < lines.length; r++) {
    depth[r] = d;
    const s = lines[r];
    const n = s.length;
    let segStart = inComment ? 0 : -1;
    let code = '';
    let codeFrom = 0;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (inComment) {
        if (c === 42 && s.charCodeAt(i + 1) === 47) {
          inComment = false;
          i++;
          commentText.push(s.slice(segStart < 0 ? 0 : segStart, i + 1));
          comments.push({ line: commentStart, endLine: r, text: (startsInComment && comments.length === 0 && commentStart === 0 ? '/*' : '') + commentText.join('\n') });
          commentText = [];
          segStart = -1;
          codeFrom = i + 1;
        }
        continue;
      }
      if (c === 47) {
        const c2 = s.charCodeAt(i + 1);
        if (c2 === 42) {
          code += s.slice(codeFrom, i);
          inComment = true;
          commentStart = r;
          segStart = i;
          i++;
          continue;
        }
        if (c2 === 47) {
          code += s.slice(codeFrom, i);
          codeFrom = n;
          comments.push({ line: r, endLine: r, text: s.slice(i) });
          break;
        }
      } else if (c === 34 || c === 39) {
        i++;
        while (i < n && s.charCodeAt(i) !== c) {
          if (s.charCodeAt(i) === 92) i++;
          i++;
        }
      } else if (c === 123) d++;
      else if (c === 125) d--;
      else if (c === 35 && s.slice(0, i).trim() === '') { codeFrom = n; break; } // preprocessor line: no braces that count
    }
    if (inComment) commentText.push(s.slice(segStart < 0 ? 0 : segStart));
    if (codeFrom < n) code += s.slice(codeFrom);
    if (code.indexOf('=') > 0) {
      INIT_RE.lastIndex = 0;
      for (let m = INIT_RE.exec(code); m; m = INIT_RE.exec(code)) inits.push({ member: m[1], value: m[2].replace(/\s+/g, ' '), line: r });
    }
  }
  depth[lines.length] = d;
  return { depth, startsInComment, endsInComment: inComment, comments, inits };
}

interface OpenState {
  fn: string;
  /** depth of the function body relative to where the next fragment starts */
  level: number;
}

/** Build both sides of every hunk of a file and attribute lines to functions. */
export function buildSides(file: FileDiff, cache: FragmentCache): { old: SideView[]; new: SideView[] } {
  const out = { old: [] as SideView[], new: [] as SideView[] };
  const sides = file.hunks.map((hunk) => {
    const oldLines = hunk.lines.filter((l) => l.kind !== ADDED);
    const newLines = hunk.lines.filter((l) => l.kind !== REMOVED);
    const e = cache.pair(oldLines.map((l) => l.text), newLines.map((l) => l.text));
    return { old: { lines: oldLines, ...e.old }, new: { lines: newLines, ...e.new } };
  });
  for (const side of ['old', 'new'] as Side[]) {
    let open: OpenState | undefined;
    for (let k = 0; k < file.hunks.length; k++) {
      const hunk = file.hunks[k];
      const { lines, facts, lex } = sides[k][side];
      const depth = lex.depth;
      const fnOfRow = new Array<string>(lines.length).fill('');
      const bodyDepthOfRow = new Int32Array(lines.length).fill(-1);
      const sigOf = new Map<string, Signature>();
      const defs = facts.sigs.filter((s) => s.kind === 'definition' && s.bodyStart !== undefined);
      for (const s of facts.sigs) if (!sigOf.has(s.name)) sigOf.set(s.name, s);
      // leading region: the function the hunk starts in
      const sectionFn = sectionFunction(hunk.section);
      const lead = sectionFn || open?.fn || '';
      const firstDef = defs.length > 0 ? defs[0].line : lines.length;
      if (lead) {
        // the function goes on until its closing brace takes the depth below the fragment start
        const base = open && open.fn === lead ? open.level : 1;
        for (let r = 0; r < firstDef; r++) {
          if (depth[r] <= -base) break;
          fnOfRow[r] = lead;
          bodyDepthOfRow[r] = depth[r] + base;
          if (depth[r + 1] <= -base && r + 1 <= firstDef) {
            // this row holds the closing brace
            break;
          }
        }
      }
      let nextOpen: OpenState | undefined;
      if (lead && defs.length === 0 && depth[lines.length] > -(open && open.fn === lead ? open.level : 1)) {
        nextOpen = { fn: lead, level: (open && open.fn === lead ? open.level : 1) + depth[lines.length] };
      }
      for (const d of defs) {
        const end = d.bodyClosed ? d.bodyEnd! : lines.length - 1;
        const startDepth = depth[d.bodyStart!];
        for (let r = d.line; r <= end && r < lines.length; r++) {
          fnOfRow[r] = d.name;
          bodyDepthOfRow[r] = depth[r] - startDepth;
        }
        if (!d.bodyClosed) nextOpen = { fn: d.name, level: depth[lines.length] - startDepth };
        else if (nextOpen && nextOpen.fn !== d.name) nextOpen = undefined;
      }
      // a definition header at the end of the fragment: its body follows in the next hunks
      const lastHeader = facts.sigs.filter((s) => s.headerOnly).pop();
      if (lastHeader && !defs.some((d) => d.line > lastHeader.line)) {
        for (let r = lastHeader.line; r <= lastHeader.endLine && r < lines.length; r++) fnOfRow[r] = lastHeader.name;
        nextOpen = { fn: lastHeader.name, level: 1 };
      }
      open = nextOpen && nextOpen.level > 0 ? nextOpen : undefined;
      out[side].push({ side, file, hunk, lines, facts, fnOfRow, depthOfRow: depth, bodyDepthOfRow, sigOf });
    }
  }
  return out;
}

/** A diff line as evidence text: marker and text. */
export function evidenceText(l: DiffLine): string {
  const m = l.kind === ADDED ? '+' : l.kind === REMOVED ? '-' : ' ';
  return (m + l.text).slice(0, 200);
}
