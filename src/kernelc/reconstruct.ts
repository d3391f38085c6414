// The C of a patched function when no tree of the patch's era exists: a function whose whole
// definition is in a hunk's post-image is taken from the patch; otherwise it is rebuilt from the
// nearest readable tree (the "base") and the hunks, and marked reconstructed, with the lines that
// came from where. Lines of the base that the patch's own tree did not have yet (a later fix) are
// omitted by named rules, and the omission is recorded too.

import type { FileDiff, Hunk } from '../patch/diffReader';
import { ADDED, REMOVED } from '../patch/diffReader';
import { norm } from '../patch/hunkApply';
import { lineAt, lineStarts } from '../patch/lineStarts';
import { splitFunctions } from '../patch/sourceScanner';

import type { CSource } from './program';

export interface LineOrigin {
  /** "patch" (a hunk's post-image) or "base" (the nearest tree) */
  from: 'patch' | 'base';
  /** lines of the assembled function (1-based, inclusive) */
  start: number;
  end: number;
  /** where they were read: the patch file's lines, or the base file's */
  file: string;
  fileStart: number;
  fileEnd: number;
}

export interface BuiltFunction {
  name: string;
  text: string;
  reconstructed: boolean;
  origins: LineOrigin[];
  /** base lines left out, and why */
  omitted: { file: string; start: number; end: number; why: string }[];
}

/** base statements the patch's tree did not have (their first line matches; the statement's block and the comment above go too) */
export interface OmitRule {
  match: RegExp;
  why: string;
  /** the matching line alone (a label), not the statement it starts */
  single?: boolean;
}

export interface SrcLine {
  text: string;
  file: string;
  no: number;
  from: 'patch' | 'base';
}

function postLines(h: Hunk, patchFile: string): SrcLine[] {
  return h.lines.filter((l) => l.kind !== REMOVED).map((l) => ({ text: l.text, file: patchFile, no: l.src, from: 'patch' as const }));
}

/** the function definitions of a text with their line ranges (0-based, inclusive) */
function functionsOf(lines: string[]): { name: string; first: number; last: number; closed: boolean }[] {
  const text = lines.join('\n');
  const starts = lineStarts(text);
  const lineOf = (off: number): number => lineAt(starts, off);
  const out = splitFunctions(text).fns.map((f) => ({
    name: f.name,
    first: lineOf(f.headerStart),
    last: lineOf(f.bodyEnd - 1),
    closed: true,
  }));
  // a definition whose body the text leaves open: "name(...)" at a line start, then "{" with no match
  const open = /^\s*(?:static\s+|inline\s+)*(?:[A-Za-z_]\w*[\s*]+)*([A-Za-z_]\w*)\s*\([^;]*$/;
  for (let i = 0; i < lines.length; i++) {
    const m = open.exec(lines[i]);
    if (!m || /^(if|while|for|switch|return)$/.test(m[1]) || out.some((f) => i >= f.first && i <= f.last)) continue;
    let depth = 0;
    let opened = false;
    for (let j = i; j < lines.length; j++) {
      for (const ch of lines[j].replace(/\/\*.*?\*\/|\/\/.*$|"(?:\\.|[^"\\])*"/g, '')) {
        if (ch === '{') {
          depth++;
          opened = true;
        } else if (ch === '}') depth--;
      }
      if (opened && depth <= 0) break;
    }
    if (opened && depth > 0) {
      let first = i;
      if (
        first > 0 &&
        /^\s*(?:static\s+|inline\s+)*[A-Za-z_][\w\s*]*$/.test(lines[first - 1]) &&
        !/[;{}]/.test(lines[first - 1]) &&
        !/\*\//.test(lines[first - 1])
      )
        first--;
      out.push({ name: m[1], first, last: lines.length - 1, closed: false });
      break;
    }
  }
  return out;
}

/** remove the statements the rules name (with their block and the comment right above) */
export function omitLines(lines: SrcLine[], rules: readonly OmitRule[], omitted: BuiltFunction['omitted']): SrcLine[] {
  const out = lines.slice();
  for (const rule of rules) {
    for (let i = 0; i < out.length; i++) {
      if (!rule.match.test(out[i].text)) continue;
      if (rule.single) {
        omitted.push({ file: out[i].file, start: out[i].no, end: out[i].no, why: rule.why });
        out.splice(i--, 1);
        continue;
      }
      // a continuation line: the statement starts where the previous line left an expression open
      let first = i;
      while (first > 0 && /(&&|\|\||\(|,)\s*$/.test(out[first - 1].text)) first--;
      let end = first;
      let depth = 0;
      let opened = false;
      for (let j = first; j < out.length; j++) {
        for (const ch of out[j].text) {
          if (ch === '{') {
            depth++;
            opened = true;
          } else if (ch === '}') depth--;
        }
        end = j;
        if (opened ? depth <= 0 : /;\s*(\/\*.*)?$/.test(out[j].text)) break;
      }
      let start = first;
      if (start > 0 && /\*\/\s*$/.test(out[start - 1].text)) {
        while (start > 0 && !/\/\*/.test(out[start - 1].text)) start--;
        start--;
      }
      omitted.push({ file: out[start].file, start: out[start].no, end: out[end].no, why: rule.why });
      out.splice(start, end - start + 1);
      i = start - 1;
    }
  }
  return out;
}

function build(name: string, lines: SrcLine[], reconstructed: boolean, omitted: BuiltFunction['omitted']): BuiltFunction {
  const origins: LineOrigin[] = [];
  lines.forEach((l, i) => {
    const last = origins[origins.length - 1];
    if (last && last.from === l.from && last.file === l.file && l.no === last.fileEnd + 1) {
      last.end = i + 1;
      last.fileEnd = l.no;
    } else origins.push({ from: l.from, start: i + 1, end: i + 1, file: l.file, fileStart: l.no, fileEnd: l.no });
  });
  return { name, text: lines.map((l) => l.text).join('\n') + '\n', reconstructed, origins, omitted };
}

/**
 * The post-patch text of `names` in one file: from the hunks of `diff` where they hold the whole
 * definition, else rebuilt from `base` (the nearest tree's file) and the hunks.
 */
export function patchedFunctions(
  diff: FileDiff,
  patchFile: string,
  base: CSource,
  names: readonly string[],
  rules: readonly OmitRule[] = [],
): BuiltFunction[] {
  const baseLines: SrcLine[] = base.text.split('\n').map((text, i) => ({ text, file: base.file, no: i + 1, from: 'base' }));
  const baseFns = functionsOf(baseLines.map((l) => l.text));
  const out: BuiltFunction[] = [];
  for (const name of names) {
    const omitted: BuiltFunction['omitted'] = [];
    let done = false;
    // 1. the whole definition, or its head, in one hunk's post-image
    for (const h of diff.hunks) {
      const post = postLines(h, patchFile);
      const f = functionsOf(post.map((l) => l.text)).find((x) => x.name === name);
      if (!f) continue;
      const head = post.slice(f.first, f.last + 1);
      if (f.closed) out.push(build(name, head, false, omitted));
      else {
        // the rest follows the head's last line in the base
        const anchor = norm(head[head.length - 1].text);
        const bf = baseFns.find((b) => baseLines.slice(b.first, b.last + 1).some((l) => norm(l.text) === anchor));
        if (!bf)
          throw new Error(
            `${name}: the hunk leaves the definition open after \`${anchor}\`, and ${base.file} has no function with that line`,
          );
        const bl = baseLines.slice(bf.first, bf.last + 1);
        const at = bl.findIndex((l) => norm(l.text) === anchor);
        out.push(build(name, [...head, ...omitLines(bl.slice(at + 1), rules, omitted)], true, omitted));
      }
      done = true;
      break;
    }
    if (done) continue;
    // 2. the base's definition with the hunks that fall inside it applied (whitespace-blind)
    const bf = baseFns.find((b) => b.name === name);
    if (!bf) throw new Error(`${name}: neither the patch nor ${base.file} defines it`);
    let body = omitLines(baseLines.slice(bf.first, bf.last + 1), rules, omitted);
    let applied = 0;
    for (const h of diff.hunks) {
      const pre = h.lines.filter((l) => l.kind !== ADDED);
      const key = pre.map((l) => norm(l.text));
      // leading and trailing blank context lines may differ: match on the non-blank span
      let lo = 0;
      let hi = key.length;
      while (lo < hi && key[lo] === '') lo++;
      while (hi > lo && key[hi - 1] === '') hi--;
      const want = key.slice(lo, hi);
      if (want.length === 0) continue;
      const at = body.findIndex((_, i) => want.every((k, j) => body[i + j] !== undefined && norm(body[i + j].text) === k));
      if (at < 0) continue;
      const firstKept = h.lines.indexOf(pre[lo]);
      const lastKept = h.lines.indexOf(pre[hi - 1]);
      const repl: SrcLine[] = [];
      h.lines.forEach((l, i) => {
        if (i < firstKept || i > lastKept || l.kind === REMOVED) return;
        if (l.kind === ADDED) repl.push({ text: l.text, file: patchFile, no: l.src, from: 'patch' });
        else repl.push(body[at + pre.slice(lo).indexOf(l)]);
      });
      body = [...body.slice(0, at), ...repl, ...body.slice(at + want.length)];
      applied++;
    }
    out.push(build(name, body, true, omitted));
    if (applied === 0) out[out.length - 1].reconstructed = true;
  }
  return out;
}

/** the functions as one C source for compileProgram (each function's lines are its own) */
export function asSource(file: string, fns: readonly BuiltFunction[]): CSource {
  return { file, text: fns.map((f) => f.text).join('\n') };
}
