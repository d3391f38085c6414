// A diff whose newlines were turned into spaces (a whole mail on one line, as some web copies keep it).
// Hunk headers, file headers and "-"/"+" markers survive; line breaks do not. The markers that start
// a line are told from minus signs inside code by what precedes and follows them, and the choice is
// checked against the hunk header's counts (old - removed must equal new - added). Context lines are
// cut at C statement boundaries, which is what the C parser downstream needs.
import { matchingParen } from './parens';

const HUNK_G = /@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/g;

export function unjoinFlattenedLine(s: string): string[] {
  const out: string[] = [];
  const heads: { at: number; end: number; old: number; nw: number }[] = [];
  HUNK_G.lastIndex = 0;
  for (let m = HUNK_G.exec(s); m; m = HUNK_G.exec(s)) {
    heads.push({ at: m.index, end: m.index + m[0].length, old: m[2] === undefined ? 1 : Number(m[2]), nw: m[4] === undefined ? 1 : Number(m[4]) });
  }
  if (heads.length === 0) return [s];
  // text before the first hunk: prose and the first file header
  emitHeaderRegion(s.slice(0, heads[0].at), out);
  for (let k = 0; k < heads.length; k++) {
    const h = heads[k];
    out.push(s.slice(h.at, h.end));
    const segEnd = k + 1 < heads.length ? heads[k + 1].at : s.length;
    let seg = s.slice(h.end, segEnd);
    // the next file's header, or the signature, ends this hunk's body
    let tail = '';
    const fh = findFileHeader(seg);
    const sig = seg.indexOf(' -- ');
    let cut = fh >= 0 ? fh : -1;
    if (sig >= 0 && (cut < 0 || sig < cut)) cut = sig;
    if (cut >= 0) {
      tail = seg.slice(cut);
      seg = seg.slice(0, cut);
    }
    for (const l of splitBody(seg, h.old, h.nw)) out.push(l);
    if (tail) emitHeaderRegion(tail, out);
  }
  return out;
}

/** Position of " diff -..." (followed by --- and +++) or of " --- x +++ y" in a segment, or -1. */
function findFileHeader(seg: string): number {
  // a header needs a " +++ " after its " --- ": nothing after the last one can start a header
  const lastPlus = seg.lastIndexOf(' +++ ');
  if (lastPlus < 0) return -1;
  const d = seg.indexOf(' diff ');
  const m = seg.indexOf(' --- ');
  const cand = d >= 0 && (m < 0 || d < m) ? d : m;
  if (cand < 0) return -1;
  const minus = cand === d ? seg.indexOf(' --- ', cand) : cand;
  return minus >= 0 && minus < lastPlus ? cand : -1;
}

function emitHeaderRegion(text: string, out: string[]): void {
  let t = text.trim();
  if (!t) return;
  const sig = t.startsWith('-- ') ? 0 : -1;
  if (sig === 0) {
    out.push('-- ');
    t = t.slice(3);
  }
  let d = t.startsWith('diff ') ? 0 : t.indexOf(' diff ');
  if (d < 0) {
    const m = t.startsWith('--- ') ? 0 : t.indexOf(' --- ');
    if (m < 0 || t.indexOf(' +++ ', m) < 0) {
      out.push(t);
      return;
    }
    d = m;
  }
  if (d > 0) out.push(t.slice(0, d).trim());
  const rest = t.slice(d).trim();
  const minus = rest.startsWith('--- ') ? 0 : rest.indexOf(' --- ');
  const plus = minus >= 0 ? rest.indexOf(' +++ ', minus) : -1;
  if (minus < 0 || plus < 0) {
    out.push(rest);
    return;
  }
  if (minus > 0) out.push(rest.slice(0, minus).trim());
  out.push(rest.slice(minus, plus).trim());
  out.push(rest.slice(plus).trim());
}

const STRONG_PREV = ';{}';

/** Split one hunk body into diff lines: markers first (checked against the counts), then statements. */
export function splitBody(body: string, oldCount: number, newCount: number): string[] {
  const strong: number[] = [];
  const weak: number[] = [];
  const n = body.length;
  for (let p = 0; p < n; p++) {
    const c = body.charCodeAt(p);
    if (c !== 45 && c !== 43) continue;
    if (p > 0 && body.charCodeAt(p - 1) !== 32) continue;
    // "+out:" or "+}": a marker glued to an unindented line
    const glued = p + 1 < n && body.charCodeAt(p + 1) !== 32;
    let q = p - 1;
    while (q >= 0 && body.charCodeAt(q) === 32) q--;
    const prev = q >= 0 ? body[q] : '';
    let r = p + 1;
    while (r < n && body.charCodeAt(r) === 32) r++;
    const next = body.slice(r, r + 2);
    const prevIsMarker = (prev === '+' || prev === '-') && (q === 0 || body.charCodeAt(q - 1) === 32);
    if (glued) {
      const nc = body[p + 1];
      if ((q < 0 || STRONG_PREV.includes(prev) || prevIsMarker) && /[A-Za-z_#}{/]/.test(nc)) strong.push(p);
      continue;
    }
    if (q < 0 || STRONG_PREV.includes(prev) || (prev === '/' && q > 0 && body[q - 1] === '*') || prevIsMarker ||
      next.startsWith('*') || next === '/*' || next.startsWith('#') || next.startsWith('}') || r >= n) {
      strong.push(p);
    } else if (prev === ')' || prev === ',' || prev === ':' || prev === '*' || prev === '.') {
      weak.push(p);
    }
  }
  const fits = (marks: number[]) => {
    let rem = 0;
    let add = 0;
    for (const p of marks) {
      if (body.charCodeAt(p) === 45) rem++;
      else add++;
    }
    return rem <= oldCount && add <= newCount && oldCount - rem === newCount - add;
  };
  let marks = strong;
  if (!fits(strong)) {
    const both = strong.concat(weak).sort((a, b) => a - b);
    if (fits(both)) marks = both;
  }
  const out: string[] = [];
  const first = marks.length > 0 ? marks[0] : n;
  splitStatements(body.slice(0, first), out, ' ');
  for (let k = 0; k < marks.length; k++) {
    const p = marks[k];
    const end = k + 1 < marks.length ? marks[k + 1] : n;
    const piece = body.slice(p + 1, end);
    const marker = body[p];
    // the marked line is the first statement; what follows it up to the next marker is context
    let t = piece.replace(/^ +/, '');
    if (t.trim() === '') {
      out.push(marker);
      continue;
    }
    const e = lineEnd(t, 0);
    out.push(marker + ' ' + t.slice(0, e).trim());
    t = t.slice(e);
    splitStatements(t, out, ' ');
  }
  return out;
}

function splitStatements(text: string, out: string[], prefix: string): void {
  let pos = 0;
  const n = text.length;
  const f = new Finder(text);
  while (pos < n) {
    while (pos < n && text.charCodeAt(pos) === 32) pos++;
    if (pos >= n) break;
    const e = lineEnd(text, pos, f);
    const line = text.slice(pos, e).trim();
    if (line) out.push(prefix + line);
    pos = e > pos ? e : n;
  }
}

const KW_PAREN = /^(?:if|while|for|switch|else if)\s*\(/;

/**
 * Next occurrence of a delimiter at or after `from`, remembered per text: callers move forward
 * through the text, so each delimiter is searched for once overall instead of once per line.
 */
export class Finder {
  private at = new Map<string, number>();
  private from = new Map<string, number>();
  constructor(private t: string) {}
  next(pat: string, from: number): number {
    const known = this.at.get(pat);
    const knownFrom = this.from.get(pat) ?? Infinity;
    if (known !== undefined && knownFrom <= from && (known < 0 || known >= from)) return known;
    const r = this.t.indexOf(pat, from);
    this.at.set(pat, r);
    this.from.set(pat, from);
    return r;
  }
}

/** End (exclusive) of the C line that starts at `from` in flattened text. */
export function lineEnd(t: string, from: number, f: Finder = new Finder(t)): number {
  const n = t.length;
  const head = t.slice(from, from + 12);
  if (head.startsWith('/*')) {
    const close = f.next('*/', from + 2);
    const cont = f.next(' * ', from + 2);
    if (close >= 0 && (cont < 0 || close < cont)) return close + 2;
    return cont >= 0 ? cont : n;
  }
  if (head.startsWith('*/')) return from + 2;
  if (head.startsWith('*') && (head.length === 1 || head[1] === ' ')) {
    const cont = f.next(' * ', from + 1);
    const close = f.next(' */', from + 1);
    let e = n;
    if (cont >= 0) e = cont;
    if (close >= 0 && close < e) e = close;
    // a lone "*" line (empty comment line) ends right away
    if (head === '*' || head.startsWith('* *') || head.startsWith('* */')) return from + 1;
    return e;
  }
  if (head.startsWith('}')) {
    let e = from + 1;
    if (t[e] === ';') e++;
    return e;
  }
  if (head.startsWith('{')) return from + 1;
  const kw = KW_PAREN.exec(t.slice(from, from + 16));
  if (kw) {
    const open = from + kw[0].length - 1;
    const close = matchingParen(t, open);
    if (close > 0) {
      let e = close + 1;
      let r = e;
      while (r < n && t.charCodeAt(r) === 32) r++;
      if (t[r] === '{') e = r + 1;
      return e;
    }
  }
  if (/^else\b/.test(head)) {
    let e = from + 4;
    let r = e;
    while (r < n && t.charCodeAt(r) === 32) r++;
    if (t[r] === '{') e = r + 1;
    return e;
  }
  const label = /^([A-Za-z_]\w*):(?!:)/.exec(t.slice(from, from + 64));
  if (label && label[1] !== 'default' && label[1] !== 'case') return from + label[0].length;
  if (head.startsWith('#')) {
    // a preprocessor line runs to the next statement boundary or directive
    const nextHash = f.next(' #', from + 1);
    const stmt = statementEnd(t, from);
    return nextHash >= 0 && nextHash < stmt ? nextHash : stmt;
  }
  return statementEnd(t, from);
}

function statementEnd(t: string, from: number): number {
  let depth = 0;
  const n = t.length;
  for (let i = from; i < n; i++) {
    const c = t.charCodeAt(i);
    if (c === 34 /* " */ || c === 39 /* ' */) {
      const q = c;
      i++;
      while (i < n && t.charCodeAt(i) !== q) {
        if (t.charCodeAt(i) === 92) i++;
        i++;
      }
      continue;
    }
    if (c === 40 || c === 91) depth++;
    else if (c === 41 || c === 93) { if (depth > 0) depth--; }
    else if (depth === 0) {
      if (c === 59 /* ; */ || c === 123 /* { */) return i + 1;
      if (c === 125 /* } */) return i;
      if (c === 47 && t.charCodeAt(i + 1) === 42 && i > from) return i; // a comment starts a new line
    }
  }
  return n;
}

