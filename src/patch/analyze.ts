// analyzePatch: bytes of a mail, thread or diff in, Analysis out. Reads the messages, the diffs in
// them, parses both sides of every hunk as C, and derives API changes, per-function deltas, hook
// implementations, lock contracts, engine variants and version pairs. Bad input gives problems,
// never exceptions.
import type { Analysis, PatchInfo, Problem } from './analysisModel';
import { computeApiDelta, type FileSides } from './apiDelta';
import { loadCParser, type CParser, type CParserOptions } from './cParser';
import { findConversions } from './conversions';
import { readDiffs, type FileDiff } from './diffReader';
import { attachParser } from './fixCheck';
import { FragmentCache } from './fragmentCache';
import { buildSides } from './fragments';
import { analyseHooks } from './hookContracts';
import { parseSubject, readMessages, treeVersion, type MailMessage } from './mail';
import { callerReplacements } from './replacements';
import { foldQuoted, readQuoted, type QuotedUnit } from './reviewThread';
import { decodeInput } from './textDecode';
import { recogniseVariants } from './variantRecognition';
import { versionPairs, type PatchUnit } from './versions';

export { FragmentCache };
export { scanCSource } from './sourceScanner';
export { attachParser } from './fixCheck';

export interface AnalyzeOptions extends CParserOptions {
  /** a parser already loaded (tests, the extension) */
  parser?: CParser;
  /** C text handed to the parser at most (both sides of all hunks); beyond it hunks are read but not parsed */
  maxParsedBytes?: number;
  /** parsed fragments kept between analyses (re-analysing an edited patch parses only the hunks that changed) */
  cache?: FragmentCache;
  /** filled with the milliseconds spent per phase (read, C, delta, hooks, variants, versions) */
  timings?: Record<string, number>;
}

/** C text parsed per analysis by default (both sides of all hunks): a few seconds of parsing at most. */
export const DEFAULT_PARSE_BUDGET = 8 * 1024 * 1024;

interface Unit extends PatchUnit {
  info: PatchInfo;
}

export async function analyzePatch(bytes: Uint8Array | string, source: string, opts: AnalyzeOptions = {}): Promise<Analysis> {
  const problems: Problem[] = [];
  let parser = opts.parser;
  if (!parser) {
    try {
      parser = await loadCParser(opts);
    } catch (e) {
      problems.push({
        file: source,
        line: 0,
        message: `C parser unavailable, only the diff structure is analysed: ${(e as Error).message}`,
        severity: 'error',
      });
    }
  }
  return analyzeWith(bytes, source, parser, problems, opts);
}

/** A patch text read once: its messages, their diffs and the review comments quoted in them. Both
 * the analysis and run-patch's application start from it, so a patch is decoded and read once. */
export interface PatchRead {
  source: string;
  units: Unit[];
  comments: NonNullable<Analysis['reviewComments']>;
  coverage: Analysis['coverage'];
  problems: Problem[];
  /** the input could not be decoded */
  unreadable?: boolean;
}

/** Decode and read a mail, thread or diff; problems go to `problems` (the analysis reports them). */
export function readPatch(bytes: Uint8Array | string, source: string, problems: Problem[] = []): PatchRead {
  const coverage = { hunksSeen: 0, hunksRecovered: 0 };
  let text: string;
  try {
    text = decodeInput(bytes, source, problems);
  } catch (e) {
    problems.push({ file: source, line: 0, message: `cannot read input: ${(e as Error).message}`, severity: 'error' });
    return { source, units: [], comments: [], coverage, problems, unreadable: true };
  }
  const { units, comments } = readUnits(text, source, problems, coverage);
  // a patch without a version is v1
  for (const u of units) if (!u.version) u.info.version = u.version = 'v1';
  return { source, units, comments, coverage, problems };
}

/** The synchronous core, given a loaded parser (or none). */
export function analyzeWith(
  bytes: Uint8Array | string,
  source: string,
  parser: CParser | undefined,
  problems: Problem[] = [],
  opts: AnalyzeOptions = {},
): Analysis {
  return analyzeRead(readPatch(bytes, source, problems), parser, opts);
}

/** An analysis that found nothing yet: the start of every analysis, and what one that stopped shows. */
export function emptyAnalysis(
  source: string,
  coverage: Analysis['coverage'] = { hunksSeen: 0, hunksRecovered: 0 },
  problems: Problem[] = [],
): Analysis {
  return { source, patches: [], apiChanges: [], functions: [], lockContracts: [], implementations: [], variants: [], coverage, problems };
}

/** The analysis of a patch already read (run-patch reads once, applies and analyses). */
export function analyzeRead(read: PatchRead, parser: CParser | undefined, opts: AnalyzeOptions = {}): Analysis {
  const { source, units, comments, problems } = read;
  const tm = opts.timings;
  let mark = performance.now();
  const lap = (phase: string) => {
    if (!tm) return;
    const now = performance.now();
    tm[phase] = (tm[phase] ?? 0) + now - mark;
    mark = now;
  };
  const analysis = emptyAnalysis(source, { ...read.coverage }, problems);
  if (read.unreadable) return analysis;
  analysis.patches = units.map((u) => u.info);
  const multi = new Set(units.map((u) => u.version)).size > 1;
  if (comments.length) {
    for (const c of comments) {
      delete c.version;
      const v = units.find((u) => u.subject === c.patch)?.version;
      if (multi && v) c.version = v;
    }
    analysis.reviewComments = comments;
  }
  lap('read');

  // C facts per version
  const byVersion = cFactsByVersion(units, source, problems, parser, opts);
  lap('C');

  const details: NonNullable<Analysis['variantDetails']> = [];
  for (const [version, files] of byVersion) {
    const ver = multi ? version : undefined;
    try {
      const delta = computeApiDelta(files, ver);
      findConversions(delta, files, ver);
      lap('delta');
      const hooks = analyseHooks(delta, files, ver);
      lap('hooks');
      analysis.apiChanges.push(...delta.changes, ...hooks.changes);
      analysis.functions.push(...delta.functions);
      analysis.lockContracts.push(...hooks.contracts);
      analysis.implementations.push(...hooks.implementations);
      details.push(
        ...recogniseVariants({
          version: ver,
          changes: delta.changes.concat(hooks.changes),
          functions: delta.functions,
          contracts: hooks.contracts,
          files,
        }),
      );
      lap('variants');
    } catch (e) {
      problems.push({
        file: source,
        line: 0,
        message: `analysis of version ${version} failed: ${(e as Error).message}`,
        severity: 'error',
      });
    }
  }
  let withErrors = 0;
  let sides = 0;
  for (const f of byVersion.values())
    for (const s of f)
      for (const side of [s.old, s.new])
        for (const v of side) {
          sides++;
          if (v.facts.errors > 0) withErrors++;
          if (v.facts.skipped) {
            problems.push({
              file: source,
              line: v.hunk.src,
              message: `${v.file.path}: ${v.side} side of hunk -${v.hunk.oldStart},${v.hunk.oldCount} is too large to parse as C; its calls and declarations are not analysed`,
              severity: 'warning',
            });
          }
        }
  if (sides > 0) {
    analysis.coverage.cSides = sides;
    analysis.coverage.cSidesClean = sides - withErrors;
  }
  if (withErrors > 0) {
    problems.push({
      file: source,
      line: 0,
      message: `${withErrors} of ${sides} hunk sides have C syntax errors (fragments cut mid-construct); their facts come from error recovery`,
      severity: 'info',
    });
  }
  if (parser) attachParser(analysis, parser);
  const replacements = units.flatMap((u) => callerReplacements(u.files, multi ? u.version : undefined));
  if (replacements.length) analysis.callerReplacements = replacements;
  analysis.variants = [...new Set(details.map((d) => d.variant))];
  if (details.length) analysis.variantDetails = details;
  if (multi) analysis.versionPairs = versionPairs(units);
  lap('versions');
  return analysis;
}

/** The file diffs of each patch version in a mail, thread or diff, in order of appearance (run-patch applies them). */
export function patchVersions(
  bytes: Uint8Array | string,
  source: string,
  problems: Problem[] = [],
): { version: string; subjects: string[]; files: FileDiff[] }[] {
  return versionsOf(readPatch(bytes, source, problems));
}

/** The file diffs of each version of a patch already read. */
export function versionsOf(read: PatchRead): { version: string; subjects: string[]; files: FileDiff[] }[] {
  const out: { version: string; subjects: string[]; files: FileDiff[] }[] = [];
  for (const u of read.units) {
    let v = out.find((x) => x.version === u.version);
    if (!v) out.push((v = { version: u.version, subjects: [], files: [] }));
    v.subjects.push(u.subject);
    v.files.push(...u.files);
  }
  return out;
}

// Split out of analyzeWith, as readUnits is: one long function kept the optimizing compiler busy through the first analyses.
/** Both sides of every C-like file of each version, parsed within the parse budget. */
function cFactsByVersion(
  units: Unit[],
  source: string,
  problems: Problem[],
  parser: CParser | undefined,
  opts: AnalyzeOptions,
): Map<string, FileSides[]> {
  const cache = opts.cache ?? new FragmentCache(parser);
  let budget = opts.maxParsedBytes ?? DEFAULT_PARSE_BUDGET;
  let budgetReported = false;
  const byVersion = new Map<string, FileSides[]>();
  for (const u of units) {
    const list = byVersion.get(u.version) ?? [];
    for (const f of u.files) {
      if (f.binary || f.hunks.length === 0 || !isCLike(f)) continue;
      const size = f.hunks.reduce((n, h) => n + h.lines.reduce((k, l) => k + l.text.length + 1, 0), 0);
      if (size * 2 > budget) {
        if (!budgetReported) {
          problems.push({
            file: source,
            line: f.src,
            message: `C analysis stops at ${f.path}: the parse budget of ${opts.maxParsedBytes ?? DEFAULT_PARSE_BUDGET} bytes is spent; later hunks are only read`,
            severity: 'warning',
          });
          budgetReported = true;
        }
        continue;
      }
      budget -= size * 2;
      try {
        const sides = buildSides(f, cache);
        list.push({ file: f, old: sides.old, new: sides.new });
      } catch (e) {
        problems.push({ file: source, line: f.src, message: `${f.path}: C analysis failed: ${(e as Error).message}`, severity: 'error' });
      }
    }
    byVersion.set(u.version, list);
  }
  return byVersion;
}

/** The patches of a text: each message with a diff, its subject, version and files. */
function readUnits(
  text: string,
  source: string,
  problems: Problem[],
  coverage: Analysis['coverage'],
): { units: Unit[]; comments: NonNullable<Analysis['reviewComments']> } {
  const units: Unit[] = [];
  const quoted: { q: QuotedUnit; unit: Unit }[] = [];
  for (const m of readMessages(text, source, problems)) {
    const r = readDiffs(m.lines, m.lineNos, source, problems);
    coverage.hunksSeen += r.hunksSeen;
    coverage.hunksRecovered += r.hunksRecovered;
    if (r.files.length > 0) units.push(unitOf(m, r.files));
    const q = readQuoted(m, source, problems, coverage);
    if (q) {
      const unit = unitOf(m, q.files);
      units.push(unit);
      quoted.push({ q, unit });
    }
  }
  if (quoted.length === 0) return { units, comments: [] };
  return foldQuoted(units, quoted);
}

function unitOf(m: MailMessage, files: FileDiff[]): Unit {
  const r = { files };
  const mentioned = mentionedFunctions(m, files);
  if (mentioned.length) for (const f of files) f.mentioned = mentioned;
  const subj = parseSubject(m.subject);
  const tree = r.files.map((f) => treeVersion(f.oldPath) || treeVersion(f.newPath)).find((v) => v) ?? '';
  const version = /^v\d+$/.test(subj.version) ? subj.version : tree || subj.version;
  const info: PatchInfo = {
    subject: m.subject,
    version,
    ...(subj.index !== undefined ? { index: subj.index, total: subj.total } : {}),
    ...(m.author ? { author: m.author } : {}),
    ...(m.date ? { date: m.date } : {}),
    line: m.line,
    files: r.files.map((f) => ({
      path: f.path,
      status: f.status,
      hunks: f.hunks.length,
      ...(f.status === 'renamed' ? { oldPath: f.oldPath.replace(/^a\//, '') } : {}),
    })),
    ...(m.trailers.length ? { trailers: m.trailers } : {}),
  };
  return { info, subject: m.subject, title: subj.title, version, files: r.files };
}

/** "foo()" named in the subject or the description above the first diff. */
function mentionedFunctions(m: MailMessage, files: FileDiff[]): string[] {
  const first = files[0]?.src ?? Infinity;
  const out = new Set<string>();
  const scan = (t: string) => {
    for (const x of t.matchAll(/\b([A-Za-z_]\w*)\(\)/g)) out.add(x[1]);
  };
  scan(m.subject);
  for (let i = 0; i < m.lines.length && m.lineNos[i] < first && i < 400; i++) scan(m.lines[i]);
  return [...out];
}

function isCLike(f: FileDiff): boolean {
  return /\.(c|h|S|cc|cpp)$/.test(f.path) || (!/\.[A-Za-z]+$/.test(f.path.split('/').pop() ?? '') && !/^Documentation\//.test(f.path));
}
