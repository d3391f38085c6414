// The two sides of every hunk as C fragments: text for the parser, the facts read from it, and which
// function each line belongs to. A hunk that starts inside a function body learns the function from
// the hunk header (diff -p) or from the previous hunk of the same file that left a function open.
import type { CParser } from './cParser';
import { factsOf, type FragmentFacts, type Signature } from './cFacts';
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
export const MAX_FRAGMENT = 2_000_000;

const emptyFacts = (): FragmentFacts => ({ sigs: [], calls: [], returns: [], macros: [], exports: [], comments: [], inits: [], decls: [], gotoLines: [], errors: 0 });

export class FragmentCache {
  private map = new Map<string, FragmentFacts>();
  constructor(private parser: CParser | undefined) {}
  facts(text: string): FragmentFacts {
    if (!this.parser || text.length > MAX_FRAGMENT) return emptyFacts();
    const hit = this.map.get(text);
    if (hit) return hit;
    const tree = this.parser.parse(prepareFragment(text));
    let f: FragmentFacts;
    try {
      f = factsOf(tree, rowCount(text));
    } finally {
      tree.delete();
    }
    if (this.map.size > 4096) this.map.clear();
    this.map.set(text, f);
    return f;
  }
}

/**
 * Make a fragment that starts inside a comment or a block parse like the file it came from: open the
 * comment, and open as many blocks as the fragment closes before opening, all on its first line so
 * rows stay the same.
 */
export function prepareFragment(text: string): string {
  const inComment = startsInComment(text);
  let min = 0;
  const lines = text.split('\n');
  const { depth: d, inComment: endsInComment } = braceDepths(lines, inComment);
  for (let r = 0; r <= lines.length; r++) if (d[r] < min) min = d[r];
  const prefix = '{'.repeat(Math.min(-min, 64)) + (inComment ? '/*' : '');
  // close what the fragment leaves open on an extra last row, so bodies cut by the hunk end still parse
  const open = d[lines.length] - min;
  const suffix = open > 0 || endsInComment ? '\n' + (endsInComment ? '*/' : '') + '}'.repeat(Math.min(Math.max(open, 0), 64)) : '';
  return prefix + text + suffix;
}

/** A fragment whose first comment delimiter is a closing one starts inside a comment. */
export function startsInComment(text: string): boolean {
  const close = text.indexOf('*/');
  if (close < 0) return false;
  const open = text.indexOf('/*');
  return open < 0 || close < open;
}

function rowCount(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Function name from a diff -p section ("static int do_file_page(struct mm_struct"), or ''. */
export function sectionFunction(section: string): string {
  const m = /([A-Za-z_]\w*(?:\s*\([A-Za-z_]\w*\))?)\s*\(/.exec(section);
  if (!m) return '';
  const name = m[1].replace(/\s+/g, '');
  if (/^(if|while|for|switch|return|sizeof)$/.test(name)) return '';
  return name;
}

/** Brace depth at the start of each line, skipping comments, strings and character literals. */
export function braceDepths(lines: string[], startInComment = false): { depth: Int32Array; inComment: boolean } {
  const depth = new Int32Array(lines.length + 1);
  let d = 0;
  let inComment = startInComment;
  for (let r = 0; r < lines.length; r++) {
    depth[r] = d;
    const s = lines[r];
    const n = s.length;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (inComment) {
        if (c === 42 && s.charCodeAt(i + 1) === 47) { inComment = false; i++; }
        continue;
      }
      if (c === 47) {
        const c2 = s.charCodeAt(i + 1);
        if (c2 === 42) { inComment = true; i++; continue; }
        if (c2 === 47) break;
      } else if (c === 34 || c === 39) {
        i++;
        while (i < n && s.charCodeAt(i) !== c) {
          if (s.charCodeAt(i) === 92) i++;
          i++;
        }
      } else if (c === 123) d++;
      else if (c === 125) d--;
      else if (c === 35 && s.slice(0, i).trim() === '') break; // preprocessor line: no braces that count
    }
  }
  depth[lines.length] = d;
  return { depth, inComment };
}

interface OpenState {
  fn: string;
  /** depth of the function body relative to where the next fragment starts */
  level: number;
}

/** Build both sides of every hunk of a file and attribute lines to functions. */
export function buildSides(file: FileDiff, cache: FragmentCache): { old: SideView[]; new: SideView[] } {
  const out = { old: [] as SideView[], new: [] as SideView[] };
  for (const side of ['old', 'new'] as Side[]) {
    let open: OpenState | undefined;
    for (const hunk of file.hunks) {
      const lines = hunk.lines.filter((l) => l.kind === CONTEXT || l.kind === (side === 'old' ? REMOVED : ADDED));
      const texts = lines.map((l) => l.text);
      const facts = cache.facts(texts.join('\n'));
      const { depth } = braceDepths(texts, startsInComment(texts.join('\n')));
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
