// The two sides of every hunk as C fragments: text for the parser, the facts read from it, and which
// function each line belongs to. A hunk that starts inside a function body learns the function from
// the hunk header (diff -p) or from the previous hunk of the same file that left a function open.
import type { FragmentFacts, Signature } from './cFacts';
import { ADDED, REMOVED, type DiffLine, type FileDiff, type Hunk } from './diffReader';
import type { FragmentCache } from './fragmentCache';

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

/** Function name from a diff -p section ("static int do_file_page(struct mm_struct"), or ''. */
export function sectionFunction(section: string): string {
  // "SYSCALL_DEFINE5(remap_file_pages, unsigned long, start," defines sys_remap_file_pages
  const sc = /\b(COMPAT_)?SYSCALL_DEFINE[0-6]\s*\(\s*([A-Za-z_]\w*)/.exec(section);
  if (sc) return (sc[1] ? 'compat_sys_' : 'sys_') + sc[2];
  const m = /([A-Za-z_]\w*(?:\s*\([A-Za-z_]\w*\))?)\s*\(/.exec(section);
  if (!m) return '';
  const name = m[1].replace(/\s+/g, '');
  if (/^(if|while|for|switch|return|sizeof)$/.test(name)) return '';
  return name;
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
