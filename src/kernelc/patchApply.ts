// A patch applied at function level: each C file of one patch version is applied to the kernel
// tree's file (patch(1)-like, src/patch/hunkApply.ts), and every function a hunk touches comes out
// twice, its base text and its patched text. With `reverse` the tree holds the patched side and
// the reverse-applied text is the base. When the tree is newer than the patch's own tree, lines
// the patch's tree did not have yet are left out by named rules (history.ts) and every function
// read from that base is marked reconstructed.
import type { FileDiff, Hunk } from '../patch/diffReader';
import { ADDED } from '../patch/diffReader';
import { sectionFunction } from '../patch/fragments';
import { applyHunks, norm, type HunkOutcome, type ResultLine } from '../patch/hunkApply';
import { lineAt, lineStarts } from '../patch/lineStarts';
import { splitFunctions } from '../patch/sourceScanner';

import { compareKernelVersions, knownVersion } from './history';
import { omitLines, type OmitRule, type SrcLine } from './reconstruct';

/** the files of a kernel tree, by path inside the tree (mm/memory.c) */
export interface TreeReader {
  /** shown in reports: a directory, or "reconstructed from ..." */
  name: string;
  /** the tree's kernel version when known (Makefile, directory name) */
  version?: string;
  read(path: string): string | undefined;
}

export interface FunctionSide {
  /** path inside the tree, and the 1-based lines of the definition in that side's text */
  file: string;
  line: number;
  endLine: number;
  text: string;
}

export interface ChangedFunction {
  name: string;
  file: string;
  /** absent: the function does not exist on that side (added or removed by the patch) */
  base?: FunctionSide;
  patched?: FunctionSide;
  /** indexes of the hunks (in file) that touch it */
  hunks: number[];
  /** every hunk that touches it applied */
  complete: boolean;
  /** the base side was rebuilt (nearest tree, lines omitted by rules) */
  reconstructed: boolean;
  /** base lines left out and why */
  omitted: { line: number; endLine: number; why: string }[];
  /** lines of the patched function that came from the patch (1-based in the patched side's text) */
  patchLines: number[];
}

export interface HunkReport extends HunkOutcome {
  file: string;
  /** functions the hunk's changed lines fall in (the base's or the result's) */
  functions: string[];
  /** its changed lines are outside every function definition (declarations, macros, initializers) */
  outsideFunctions?: boolean;
}

export interface FileReport {
  path: string;
  /** applied: every hunk applied; partial; failed: none applied; no-base: the tree has no such file */
  status: 'applied' | 'partial' | 'failed' | 'no-base';
  hunks: HunkReport[];
  /** the whole file on each side (what the interpreter compiles) */
  baseText?: string;
  patchedText?: string;
}

export interface VersionApplication {
  version: string;
  tree: string;
  reverse: boolean;
  reconstructed: boolean;
  files: FileReport[];
  functions: ChangedFunction[];
}

const KEYWORDS = /^(if|while|for|switch|return|sizeof|do|else|case|goto)$/;

/** function definitions of a whole text with their 1-based line spans */
function spans(text: string): { name: string; line: number; endLine: number }[] {
  const starts = lineStarts(text);
  const lineOf = (off: number): number => lineAt(starts, off) + 1;
  return splitFunctions(text).fns.map((f) => ({
    name: f.name,
    line: lineOf(f.headerStart),
    endLine: lineOf(Math.max(f.headerStart, f.bodyEnd - 1)),
  }));
}

/** the function a failed hunk was meant for: the diff -p section, else a definition head in its text */
function hunkFunctionGuess(h: Hunk): string | undefined {
  const s = sectionFunction(h.section);
  if (s) return s;
  for (let i = 0; i < h.lines.length; i++) {
    const t = h.lines[i].text;
    const m = /^\s*(?:static\s+|inline\s+|extern\s+)*(?:(?:struct\s+)?[A-Za-z_]\w*[\s*]+)?\**([A-Za-z_]\w*)\s*\([^;]*$/.exec(t);
    if (!m || KEYWORDS.test(m[1])) continue;
    const typed =
      /[\w*]\s+\**[A-Za-z_]\w*\s*\(/.test(t) ||
      (i > 0 && /^\s*(?:static\s+|inline\s+)*[A-Za-z_][\w\s*]*$/.test(h.lines[i - 1].text) && !/;/.test(h.lines[i - 1].text));
    if (typed) return m[1];
  }
  return undefined;
}

const lineText = (ls: readonly ResultLine[]): string => ls.map((l) => l.text).join('\n');

export interface ApplyVersionOptions {
  reverse?: boolean;
  maxFuzz?: number;
  /** base lines the patch's own tree did not have yet (applied to the tree's text before the hunks) */
  rules?: readonly OmitRule[];
  /** a hunk that fails on a tree later than the patch: the tree's lines between its first and last
   * context lines are replaced by the hunk's own pre-image (the base is then reconstructed) */
  preimageBase?: boolean;
}

export function applyVersion(
  version: string,
  files: readonly FileDiff[],
  tree: TreeReader,
  opts: ApplyVersionOptions = {},
): VersionApplication {
  const reverse = !!opts.reverse;
  const rules = opts.rules ?? [];
  const out: VersionApplication = { version, tree: tree.name, reverse, reconstructed: rules.length > 0, files: [], functions: [] };
  for (const f of files) {
    if (f.binary || f.hunks.length === 0) continue;
    const treeText = tree.read(f.path);
    if (treeText === undefined) {
      out.files.push({
        path: f.path,
        status: 'no-base',
        hunks: f.hunks.map((h, i) => ({
          index: i + 1,
          header: `@@ -${h.oldStart},${h.oldCount} +${h.newStart},${h.newCount} @@`,
          patchLine: h.src,
          status: 'failed',
          offset: 0,
          fuzz: 0,
          reason: `the tree (${tree.name}) has no ${f.path}`,
          file: f.path,
          functions: [hunkFunctionGuess(h)].filter((x): x is string => !!x),
        })),
      });
      continue;
    }
    let standIns = false;
    // the tree's text, less the lines a rule says the patch's tree did not have
    const omitted: { line: number; endLine: number; why: string }[] = [];
    let treeLines: SrcLine[] = treeText.split('\n').map((text, i) => ({ text, file: f.path, no: i + 1, from: 'base' as const }));
    if (rules.length) {
      const o: { file: string; start: number; end: number; why: string }[] = [];
      treeLines = omitLines(treeLines, rules, o);
      for (const x of o) omitted.push({ line: x.start, endLine: x.end, why: x.why });
    }
    let treeSide = treeLines.map((l) => l.text);
    let app = applyHunks(treeSide, f.hunks, { reverse, maxFuzz: opts.maxFuzz });
    if (opts.preimageBase && !reverse && app.outcomes.some((o) => o.status === 'failed') && laterThan(tree, version)) {
      const sub = preimageStandIns(treeLines, f.hunks, app.outcomes, tree, version);
      if (sub.omitted.length) {
        treeLines = sub.lines;
        omitted.push(...sub.omitted);
        standIns = true;
        out.reconstructed = true;
        treeSide = treeLines.map((l) => l.text);
        app = applyHunks(treeSide, f.hunks, { reverse, maxFuzz: opts.maxFuzz });
      }
    }
    const resultText = lineText(app.lines);
    const startText = treeSide.join('\n');
    const treeSpans = spans(startText);
    const resultSpans = spans(resultText);
    // which functions each hunk touches: removed lines in the starting text, added lines in the result
    const hunks: HunkReport[] = app.outcomes.map((o, i) => {
      const names = new Set<string>();
      let changed = 0;
      if (o.status === 'applied') {
        app.lines.forEach((l, k) => {
          if (l.hunk !== o.index || l.from !== 'patch') return;
          changed++;
          const s = resultSpans.find((x) => k + 1 >= x.line && k + 1 <= x.endLine);
          if (s) names.add(s.name);
        });
        for (const n of o.removed ?? []) {
          changed++;
          const s = treeSpans.find((x) => n >= x.line && n <= x.endLine);
          if (s) names.add(s.name);
        }
      } else {
        const g =
          hunkFunctionGuess(f.hunks[i]) ??
          (o.closest !== undefined ? treeSpans.find((x) => o.closest! >= x.line && o.closest! <= x.endLine)?.name : undefined);
        if (g) names.add(g);
      }
      const r: HunkReport = { ...o, file: f.path, functions: [...names] };
      if (o.status === 'failed') {
        const missing = [...names].filter((n) => !treeSpans.some((x) => x.name === n));
        if (missing.length) r.reason = `${tree.name}'s ${f.path} has no definition of ${missing.join(', ')}; ${o.reason}`;
        else r.reason = `${o.reason}${versionGap(tree, version, reverse, [...names], rules.length > 0, !!opts.preimageBase)}`;
      }
      if (o.status === 'applied' && names.size === 0 && changed > 0) r.outsideFunctions = true;
      return r;
    });
    const applied = hunks.filter((h) => h.status === 'applied').length;
    // the base side and the patched side of the file
    const baseText = reverse ? resultText : startText;
    const patchedText = reverse ? startText : resultText;
    out.files.push({
      path: f.path,
      status: applied === hunks.length ? 'applied' : applied === 0 ? 'failed' : 'partial',
      hunks,
      baseText,
      patchedText,
    });
    const baseSpans = reverse ? resultSpans : treeSpans;
    const patchedSpans = reverse ? treeSpans : resultSpans;
    const baseLines = baseText.split('\n');
    const patchedLines = patchedText.split('\n');
    const names: string[] = [];
    for (const h of hunks) for (const n of h.functions) if (!names.includes(n)) names.push(n);
    for (const name of names) {
      const b = baseSpans.find((s) => s.name === name);
      const p = patchedSpans.find((s) => s.name === name);
      const touching = hunks.filter((h) => h.functions.includes(name));
      const side = (s: { line: number; endLine: number } | undefined, ls: string[]): FunctionSide | undefined =>
        s && { file: f.path, line: s.line, endLine: s.endLine, text: ls.slice(s.line - 1, s.endLine).join('\n') + '\n' };
      // lines of the patched function written by the patch (forward) or kept from the tree (reverse)
      const patchLines: number[] = [];
      if (p && !reverse) for (let k = p.line; k <= p.endLine; k++) if (app.lines[k - 1]?.from === 'patch') patchLines.push(k - p.line + 1);
      const bo = b
        ? omitted.filter(
            (x) => !reverse && x.line >= (treeLines[b.line - 1]?.no ?? 0) && x.endLine <= (treeLines[b.endLine - 1]?.no ?? 0) + 1,
          )
        : [];
      out.functions.push({
        name,
        file: f.path,
        base: side(b, baseLines),
        patched: side(p, patchedLines),
        hunks: touching.map((h) => h.index),
        complete: touching.every((h) => h.status === 'applied'),
        reconstructed: (rules.length > 0 || standIns) && !!b,
        omitted: bo,
        patchLines,
      });
    }
  }
  return out;
}

/** why a hunk of a function the tree has cannot meet it: the tree is of another version than the patch's */
function laterThan(tree: TreeReader, version: string): boolean {
  return knownVersion(tree.version) && knownVersion(version) && compareKernelVersions(tree.version!, version) > 0;
}

/** a context line distinctive enough to anchor on (not blank, not a lone brace or comment edge) */
const anchor = (t: string): boolean => norm(t).length >= 8 && !/^[\s{}*/]*$/.test(t);

/** For each failed hunk, the tree's lines from its first to its last distinctive context line (each
 * found once, in order, in the same function, no more than 12 lines longer than the hunk's) replaced
 * by the hunk's pre-image: inside a hunk the patch's own text is the old tree, verbatim. */
function preimageStandIns(
  lines: SrcLine[],
  hunks: readonly Hunk[],
  outcomes: readonly HunkOutcome[],
  tree: TreeReader,
  version: string,
): { lines: SrcLine[]; omitted: { line: number; endLine: number; why: string }[] } {
  let out = lines.slice();
  const omitted: { line: number; endLine: number; why: string }[] = [];
  // last hunk first: earlier indexes stay valid
  for (let i = hunks.length - 1; i >= 0; i--) {
    if (outcomes[i]?.status !== 'failed') continue;
    const pre = hunks[i].lines.filter((l) => l.kind !== ADDED);
    const a = pre.findIndex((l) => anchor(l.text));
    let z = pre.length - 1;
    while (z > a && !anchor(pre[z].text)) z--;
    if (a < 0 || z <= a) continue;
    // the function the hunk names, else the one function that holds both context lines
    const want = hunkFunctionGuess(hunks[i]);
    const fnSpans = spans(out.map((l) => l.text).join('\n')).filter((x) => !want || x.name === want);
    const places = fnSpans.flatMap((fn) => {
      const find = (t: string): number[] => {
        const k: number[] = [];
        for (let j = fn.line - 1; j < fn.endLine; j++) if (norm(out[j].text) === norm(t)) k.push(j);
        return k;
      };
      const ta = find(pre[a].text);
      const tz = find(pre[z].text);
      return ta.length === 1 && tz.length === 1 && tz[0] > ta[0] && tz[0] - ta[0] <= z - a + 12 ? [[ta, tz]] : [];
    });
    if (places.length !== 1) continue;
    const [ta, tz] = places[0];
    const from = out[ta[0]].no;
    const to = out[tz[0]].no;
    omitted.push({
      line: from,
      endLine: to,
      why: `${tree.name} lines ${from}-${to} (${tree.version}) stand replaced by hunk #${i + 1}'s own pre-image (${version}), between its context lines \`${pre[a].text.trim()}\` and \`${pre[z].text.trim()}\``,
    });
    const repl: SrcLine[] = pre.slice(a, z + 1).map((l) => ({ text: l.text, file: out[ta[0]].file, no: from, from: 'patch' }));
    out = [...out.slice(0, ta[0]), ...repl, ...out.slice(tz[0] + 1)];
  }
  return { lines: out, omitted: omitted.sort((x, y) => x.line - y.line) };
}

function versionGap(
  tree: TreeReader,
  version: string,
  reverse: boolean,
  fns: string[],
  reconstructed: boolean,
  triedPreimage: boolean,
): string {
  if (!knownVersion(tree.version) || !knownVersion(version)) return '';
  const d = compareKernelVersions(tree.version!, version);
  const fn = fns.length ? fns.join(', ') : 'the code';
  // forward, the tree should be the patch's own; reversed, a tree that already has the patch
  if (!reverse && d > 0)
    return (
      `; the tree is ${tree.version}, later than the patch's ${version}: ${fn} changed after the patch was made, ` +
      `by changes src/kernelc/history.ts does not name${reconstructed ? ' (it takes out only the ones it names)' : ''}, so its text is no ${version} base. ` +
      `An honest base needs a ${version} tree (--tree)${triedPreimage ? '' : ", or --base-from-preimage to rebuild it from the hunks' own pre-image where their outer context lines are found"}; ` +
      `on ${tree.version}, --reverse a patch written against it asks the question the other way round`
    );
  if (!reverse && d < 0)
    return `; the tree is ${tree.version}, earlier than the patch's ${version}: it lacks changes the patch's context shows`;
  if (reverse && d < 0)
    return `; reversed on ${tree.version}, earlier than the patch's ${version}: the tree does not contain the patch yet`;
  return '';
}
