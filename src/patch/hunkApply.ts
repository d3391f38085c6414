// Applying the hunks of one file diff to a base text the way patch(1) does: each hunk where its
// pre-image matches exactly, else whitespace-blind (web-archive copies lose indentation and the
// leading space of context lines), at the expected line or the nearest offset, then with fuzz
// (up to `maxFuzz` outer context lines ignored at each end). Every hunk gets an outcome; a hunk
// that does not apply says why, with its context against the closest place in the base.
import { ADDED, REMOVED, type Hunk } from './diffReader';

export interface HunkMismatch {
  /** 1-based line in the base where the line was expected */
  line: number;
  /** the hunk's pre-image line, and what the base has there ('' past the end) */
  want: string;
  got: string;
}

export interface HunkOutcome {
  /** 1-based index of the hunk in its file diff */
  index: number;
  header: string;
  /** line of the hunk header in the patch file */
  patchLine: number;
  status: 'applied' | 'failed';
  /** how the pre-image matched: byte for byte, or with whitespace differences ignored */
  match?: 'exact' | 'whitespace';
  /** lines between where the header says and where it applied */
  offset: number;
  fuzz: number;
  /** 1-based first line of the (unfuzzed) pre-image in the base, when applied */
  at?: number;
  reason?: string;
  /** failed: the pre-image against the base at the closest place (lines that differ) */
  mismatch?: HunkMismatch[];
  /** failed: the 1-based base line of that closest place */
  closest?: number;
  /** applied: the base lines (1-based) the hunk took out */
  removed?: number[];
}

/** a line of the result: from the base (its 1-based line) or from a hunk (patch line) */
export interface ResultLine {
  text: string;
  from: 'base' | 'patch';
  /** base line, or the patch file's line */
  no: number;
  /** the hunk that wrote or kept it (1-based), when it is inside an applied hunk */
  hunk?: number;
}

export interface FileApplication {
  lines: ResultLine[];
  outcomes: HunkOutcome[];
}

export interface ApplyOptions {
  /** apply the hunks backwards (the base holds the post-image) */
  reverse?: boolean;
  /** outer context lines that may be ignored at each end, as patch -F (default 2) */
  maxFuzz?: number;
}

export const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();

function headerOf(h: Hunk): string {
  return `@@ -${h.oldStart},${h.oldCount} +${h.newStart},${h.newCount} @@${h.section ? ' ' + h.section : ''}`;
}

/**
 * Apply `hunks` to `base` (lines of the file). Hunks that fail leave the text as it was; the others
 * are applied in order, each searched from where the previous offset puts it.
 */
export function applyHunks(base: readonly string[], hunks: readonly Hunk[], opts: ApplyOptions = {}): FileApplication {
  const rev = !!opts.reverse;
  const maxFuzz = opts.maxFuzz ?? 2;
  const gone = rev ? ADDED : REMOVED;
  const comes = rev ? REMOVED : ADDED;
  let lines: ResultLine[] = base.map((text, i) => ({ text, from: 'base', no: i + 1 }));
  const outcomes: HunkOutcome[] = [];
  // offset: how far the last hunk was from its header; delta: lines earlier hunks added or removed
  let offset = 0;
  let delta = 0;
  hunks.forEach((h, n) => {
    const index = n + 1;
    const pre = h.lines.filter((l) => l.kind !== comes);
    const start = (rev ? h.newStart : h.oldStart) - 1;
    // context lines before the first and after the last change: what fuzz may drop
    let lead = 0;
    while (lead < h.lines.length && h.lines[lead].kind !== gone && h.lines[lead].kind !== comes) lead++;
    let trail = 0;
    while (
      trail < h.lines.length - lead &&
      h.lines[h.lines.length - 1 - trail].kind !== gone &&
      h.lines[h.lines.length - 1 - trail].kind !== comes
    )
      trail++;
    const base0: HunkOutcome = { index, header: headerOf(h), patchLine: h.src, status: 'failed', offset: 0, fuzz: 0 };
    let found: { at: number; lo: number; hi: number; match: 'exact' | 'whitespace'; fuzz: number } | undefined;
    const exactKeys = pre.map((l) => l.text);
    const wsKeys = exactKeys.map(norm);
    const cur = lines.map((l) => l.text);
    const curWs = cur.map(norm);
    search: for (let fuzz = 0; fuzz <= maxFuzz; fuzz++) {
      const lo = Math.min(fuzz, lead);
      const hi = pre.length - Math.min(fuzz, trail);
      if (fuzz > 0 && lo === 0 && hi === pre.length) break;
      for (const match of ['exact', 'whitespace'] as const) {
        const want = match === 'exact' ? exactKeys : wsKeys;
        const have = match === 'exact' ? cur : curWs;
        const expected = Math.max(0, Math.min(cur.length, start + delta + offset + lo));
        const at = nearest(have, want, lo, hi, expected);
        if (at >= 0) {
          found = { at, lo, hi, match, fuzz };
          break search;
        }
      }
    }
    if (!found) {
      outcomes.push({
        ...base0,
        ...explainFailure(
          cur,
          pre.map((l) => l.text),
          Math.max(0, start + delta + offset),
          pre.length === 0,
        ),
      });
      return;
    }
    // replace the matched span with the post-image, keeping the base's own text of context lines
    const { at, lo, hi } = found;
    const repl: ResultLine[] = [];
    const removed: number[] = [];
    let k = at;
    let pi = 0;
    for (const l of h.lines) {
      if (l.kind === comes) {
        repl.push({ text: l.text, from: 'patch', no: l.src, hunk: index });
        continue;
      }
      const inSpan = pi >= lo && pi < hi;
      pi++;
      if (!inSpan) continue;
      if (l.kind !== gone) repl.push({ ...lines[k], hunk: index });
      else if (lines[k].from === 'base') removed.push(lines[k].no);
      k++;
    }
    lines = [...lines.slice(0, at), ...repl, ...lines.slice(at + (hi - lo))];
    offset = at - lo - (start + delta);
    outcomes.push({ ...base0, status: 'applied', match: found.match, offset, fuzz: found.fuzz, at: at - lo + 1, removed });
    delta += h.lines.filter((l) => l.kind === comes).length - h.lines.filter((l) => l.kind === gone).length;
  });
  return { lines, outcomes };
}

/** the position nearest `expected` where want[lo..hi) matches, or -1 */
function nearest(have: readonly string[], want: readonly string[], lo: number, hi: number, expected: number): number {
  const n = hi - lo;
  if (n === 0) return Math.min(expected, have.length);
  const fits = (p: number): boolean => {
    if (p < 0 || p + n > have.length) return false;
    for (let j = 0; j < n; j++) if (have[p + j] !== want[lo + j]) return false;
    return true;
  };
  for (let d = 0; d <= have.length; d++) {
    if (fits(expected + d)) return expected + d;
    if (d > 0 && fits(expected - d)) return expected - d;
  }
  return -1;
}

/** why a pre-image does not apply: the closest place (most lines equal, whitespace-blind) and the lines that differ there */
function explainFailure(cur: readonly string[], want: readonly string[], expected: number, empty: boolean): Partial<HunkOutcome> {
  if (empty) return { reason: 'the hunk has no pre-image to place' };
  const w = want.map(norm);
  const have = cur.map(norm);
  let best = -1;
  let bestScore = 0;
  let bestDist = Infinity;
  for (let p = -want.length + 1; p < cur.length; p++) {
    let score = 0;
    for (let j = 0; j < w.length; j++) if (w[j] !== '' && have[p + j] === w[j]) score++;
    const dist = Math.abs(p - expected);
    if (score > bestScore || (score === bestScore && score > 0 && dist < bestDist)) {
      best = p;
      bestScore = score;
      bestDist = dist;
    }
  }
  const nonBlank = w.filter((x) => x !== '').length;
  if (best < -want.length || bestScore === 0) return { reason: `none of the hunk's ${nonBlank} pre-image lines is in the base` };
  const mismatch: HunkMismatch[] = [];
  for (let j = 0; j < want.length; j++) {
    const p = best + j;
    if (p >= 0 && p < cur.length && have[p] === w[j]) continue;
    mismatch.push({ line: p + 1, want: want[j], got: p >= 0 && p < cur.length ? cur[p] : '' });
  }
  return {
    reason: `${mismatch.length} of ${want.length} pre-image lines differ from the base at its closest place (line ${Math.max(1, best + 1)})`,
    mismatch,
    closest: Math.max(1, best + 1),
  };
}
