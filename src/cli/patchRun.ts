// Run a patch (the composition of src/kernelc and src/scenario, which do not know each other, so it
// lives with the command that uses it; the editor runs that command): its hunks applied at function level to a kernel tree (src/kernelc/patchApply.ts),
// the base and patched functions compiled by the kernel C interpreter, one column per side (one
// per version when a thread holds several), compared on the scenarios that exercise a changed
// function. The report says what applied, what ran interpreted and what stayed TypeScript, and
// what the run cannot see.
import { compareKernelVersions, laterLines } from '../kernelc/history';
import {
  compileWith,
  eraBindings,
  baseEraOf,
  eraNames,
  eraOf,
  formatDiagnostic,
  registerKernelCVariant,
  type CSource,
  type EraBindings,
  type KernelCProgram,
} from '../kernelc/index';
import { applyVersion, type ChangedFunction, type TreeReader, type VersionApplication } from '../kernelc/patchApply';
import type { Problem } from '../patch/analysisModel';
import { analyzeRead, readPatch, versionsOf } from '../patch/analyze';
import type { CParser } from '../patch/cParser';
import type { Comparison } from '../scenario/comparisonModel';
import { runSchedule } from '../scenario/explorer';
import { loadScenarioFile, scenarioFiles } from '../scenario/library';
import { compareScenario, machineFactory } from '../scenario/runner';
import type { Scenario, VariantColumn } from '../scenario/scenario';

export interface PatchRunOptions {
  parser: CParser;
  tree: TreeReader;
  reverse?: boolean;
  /** on a tree later than the patch, rebuild the base of a failed hunk from its own pre-image (src/kernelc/patchApply.ts) */
  preimageBase?: boolean;
  /** the kernel era the columns are compiled against (default: from the patch's version) */
  era?: string;
  /** scenarios to run (default: the bundled ones whose runs enter a changed function) */
  scenarios?: Scenario[];
  /** where the bundled scenarios are, for the default */
  scenarioDir?: string;
  maxFuzz?: number;
  explore?: boolean;
  maxSteps?: number;
  maxPreemptions?: number;
  timeLimitMs?: number;
  /** the schedule every column runs (a counterexample to replay), with exactly one scenario */
  schedule?: number[];
  /** filled with ms per phase: analyse, apply, compile, table, run */
  timings?: Record<string, number>;
}

export interface InterpretedFn {
  name: string;
  file: string;
  line: number;
  endLine: number;
  reconstructed: boolean;
}

export interface PatchColumn {
  label: string;
  /** the interpreted fault variant the column runs */
  variant: string;
  /** patch version (absent for the base) */
  version?: string;
  era: string;
  /** the hand-written variant whose rules the TypeScript rest of the kernel follows */
  rules: string;
  interpreted: InterpretedFn[];
  /** changed or fault-path functions that could not run interpreted, and why */
  notInterpreted: { name: string; why: string }[];
  /** the C files the column compiled (what its trace events' file:line point into) */
  sources: CSource[];
}

export interface ScenarioRun {
  scenario: string;
  /** why it runs: given, or the changed functions its runs enter */
  why: string;
  comparison: Comparison;
  /** per column label: kernel functions entered that ran TypeScript */
  typescript: Record<string, string[]>;
  /** per column label: interpreted functions entered */
  interpretedEntered: Record<string, string[]>;
  verdict: 'differs' | 'no difference' | 'no difference observable under sequential consistency' | typeof NOT_ANSWERED;
}

export interface Unseen {
  /** changed functions that no scenario's runs enter */
  notEntered: string[];
  /** hunks outside any function the interpreter runs */
  outside: { version: string; file: string; hunk: number; header: string; patchLine: number; why: string }[];
  /** functions whose change is only barriers or atomicity, or only moves statements it already has */
  notObservable: { version: string; name: string; file: string; note: string }[];
  /** changed functions a hunk of which did not apply: the patched column runs them as TypeScript (present when there are any) */
  notApplied?: { version: string; name: string; file: string; hunks: number[]; why: string }[];
  /** changed functions some column could not compile: they run as TypeScript there (present when there are any) */
  notCompiled?: { name: string; columns: string[]; why: string }[];
}

export interface PatchRunReport {
  patch: string;
  tree: string;
  treeVersion?: string;
  reverse: boolean;
  versions: (Omit<VersionApplication, 'files'> & { files: Omit<VersionApplication['files'][number], 'baseText' | 'patchedText'>[] })[];
  columns: PatchColumn[];
  scenarios: ScenarioRun[];
  unseen: Unseen;
  problems: string[];
  ok: boolean;
}

export class PatchRunError extends Error {}

const SC_NOTE = 'no difference observable under sequential consistency';
/** the columns agree, but a changed function they enter ran TypeScript (a hunk did not apply, or it did not compile): the sameness says nothing of the patch */
const NOT_ANSWERED = 'not answered: a changed function it enters did not apply or does not compile';

/** a text with barriers, atomic accessors, comments and spacing taken out (what a sequentially consistent engine can tell apart) */
export function underSequentialConsistency(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/.*$/gm, ' ')
    .replace(/\b(?:smp_)?(?:rmb|wmb|mb|read_barrier_depends)\(\)\s*;/g, ' ')
    .replace(/\bbarrier\(\)\s*;/g, ' ')
    .replace(/\bsmp_mb__(?:before|after)_\w+\(\)\s*;/g, ' ')
    .replace(/\batomic_read\(\s*&\s*([^()]+?)\)/g, '$1')
    .replace(/\b(?:ACCESS_ONCE|READ_ONCE)\(\s*([^()]+?)\)/g, '$1')
    .replace(/\b(?:atomic_set|WRITE_ONCE)\(\s*&?\s*([^(),]+?),\s*([^()]+?)\)/g, '$1 = $2')
    .replace(/\batomic_inc\(\s*&\s*([^()]+?)\)/g, '$1++')
    .replace(/\batomic_dec\(\s*&\s*([^()]+?)\)/g, '$1--')
    .replace(/\batomic_t\b/g, 'int')
    .replace(/\s+/g, ' ')
    .trim();
}

/** the statements of a function under sequential consistency, a label each its own statement */
function statementsOf(text: string): string[] {
  return underSequentialConsistency(text)
    .replace(/(^|[;{}])\s*([A-Za-z_]\w*)\s*:(?![:=])/g, '$1 $2:;')
    .split(/[;{}]/)
    .map((x) => x.trim())
    .filter(Boolean);
}

const LOCK_STATEMENT =
  /^(?:spin_(?:un)?lock\w*|read_(?:un)?lock\w*|write_(?:un)?lock\w*|(?:down|up)(?:_read|_write)?|(?:un)?lock_page|mutex_(?:un)?lock|preempt_(?:en|dis)able)\s*\(/;

/**
 * A change that only moves or repeats statements the function already has (McCracken's
 * truncate_count sample moved before spin_unlock): under sequential consistency a lock operation
 * orders nothing beyond what the interleavings show, so a sameness of the runs says nothing of the
 * weaker orderings the move is about. Returns the lock operations the moved statements cross.
 */
export function reordersOnly(baseText: string, patchedText: string): string[] | undefined {
  const a = statementsOf(baseText);
  const b = statementsOf(patchedText);
  if (a.join(';') === b.join(';')) return undefined;
  const setA = new Set(a);
  const setB = new Set(b);
  if (setA.size !== setB.size || [...setA].some((x) => !setB.has(x))) return undefined;
  // a lock operation whose neighbours changed is one a statement moved across
  const neighbours = (xs: string[], i: number) => `${xs[i - 1] ?? ''}|${xs[i + 1] ?? ''}`;
  const crossed = new Set<string>();
  a.forEach((x, i) => {
    if (!LOCK_STATEMENT.test(x)) return;
    const j = b.indexOf(x);
    if (j >= 0 && neighbours(a, i) !== neighbours(b, j)) crossed.add(x);
  });
  return [...crossed];
}

/** a copy without some keys (the whole-file texts stay out of the report) */
function omitKeys<T extends object, K extends keyof T>(o: T, keys: K[]): Omit<T, K> {
  const out = { ...o };
  for (const k of keys) delete out[k];
  return out;
}

function hashText(s: string): string {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** the era and rules of the base and of one version */
function erasFor(version: string, override?: string): { baseEra: string; baseRules: string } {
  const era = baseEraOf(version, override);
  // 2.6.11 reclaims through the object rmap (anon_vma, i_mmap): its own rules, not 2.6.0's pte_chains
  if (era === '2.6.11') return { baseEra: era, baseRules: '2.6.11' };
  // from 2.5.73-mm1 on, invalidations bump mapping->truncate_count (the TypeScript truncate-seq rules)
  const counted = !/^2\.5\./.test(override ?? version) || compareKernelVersions(version, '2.5.73-mm1') >= 0;
  return { baseEra: era, baseRules: counted ? 'truncate-seq' : '2.5.70' };
}

// ---- function -> scenarios table ----
const tableCache = new Map<string, Map<string, Set<string>>>();

/** kernel function -> the bundled scenarios whose runs (every column, default order) enter it */
export function functionScenarioTable(dir: string): Map<string, Set<string>> {
  const hit = tableCache.get(dir);
  if (hit) return hit;
  const table = new Map<string, Set<string>>();
  for (const file of scenarioFiles([dir])) {
    const r = loadScenarioFile(file);
    const s = r.scenario;
    if (!s) continue;
    for (const c of s.columns) {
      let m;
      try {
        m = runSchedule(machineFactory(s, c.selection, true), { lenient: true, maxSteps: s.bounds.steps }).machine;
      } catch {
        continue;
      }
      for (const e of m.trace)
        if (e.kind === 'enter') {
          let set = table.get(e.fn);
          if (!set) table.set(e.fn, (set = new Set()));
          set.add(file);
        }
    }
  }
  tableCache.set(dir, table);
  return table;
}

/** compile the names that compile: a function with a diagnostic is left out (with the reason) and the rest compiled again */
function compileWhatRuns(
  parser: CParser,
  era: EraBindings,
  sources: CSource[],
  names: string[],
): { program: KernelCProgram | null; dropped: { name: string; why: string }[] } {
  const dropped: { name: string; why: string }[] = [];
  let want = names.slice();
  for (let round = 0; round < 8 && want.length; round++) {
    const p = compileWith(parser, era, sources, want, { tolerant: true });
    if (p.diagnostics.length === 0) return { program: p, dropped };
    const bad = new Set<string>();
    for (const d of p.diagnostics) {
      const fn = d.fn ?? (d.kind === 'missing' ? d.construct : undefined);
      if (fn && want.includes(fn) && !bad.has(fn)) {
        bad.add(fn);
        dropped.push({ name: fn, why: formatDiagnostic(d) });
      }
    }
    if (bad.size === 0) {
      for (const n of want) dropped.push({ name: n, why: p.diagnostics.map(formatDiagnostic).join('; ') });
      return { program: null, dropped };
    }
    want = want.filter((n) => !bad.has(n));
  }
  return { program: null, dropped };
}

function definedIn(sources: CSource[]): Set<string> {
  const out = new Set<string>();
  for (const s of sources) for (const m of s.text.matchAll(/^(?:[A-Za-z_][\w\s*]*?[\s*])?([A-Za-z_]\w*)\s*\([^;]*$/gm)) out.add(m[1]);
  return out;
}

/** the hunks (1-based, of its file) of a changed function that did not apply */
function failedHunks(app: VersionApplication, fn: ChangedFunction): number[] {
  const file = app.files.find((f) => f.path === fn.file);
  return fn.hunks.filter((h) => file?.hunks[h - 1]?.status !== 'applied');
}

export function runPatch(patchText: string | Uint8Array, source: string, opts: PatchRunOptions): PatchRunReport {
  const tm = opts.timings;
  let mark = performance.now();
  const lap = (k: string): void => {
    if (!tm) return;
    const now = performance.now();
    tm[k] = (tm[k] ?? 0) + now - mark;
    mark = now;
  };
  const problems: Problem[] = [];
  // read once: the versions applied below and the analysis share the messages and diffs
  const read = readPatch(patchText, source, problems);
  const versions = versionsOf(read);
  if (versions.length === 0)
    throw new PatchRunError(`${source}: no diff found${problems.length ? ': ' + problems.map((p) => p.message).join('; ') : ''}`);
  // the report lists the reading's problems; the analysis keeps its own list
  const analysis = analyzeRead({ ...read, problems: [...problems] }, opts.parser);
  lap('analyse');
  const reverse = !!opts.reverse;
  const tree = opts.tree;
  const multi = versions.length > 1;
  const { baseEra, baseRules } = erasFor(versions[0].version, opts.era);
  const apps = versions.map((v) =>
    applyVersion(v.version, v.files, tree, {
      reverse,
      maxFuzz: opts.maxFuzz,
      rules: laterLines(tree.version, v.version),
      preimageBase: opts.preimageBase,
    }),
  );
  lap('apply');

  const changed = new Map<string, ChangedFunction[]>();
  for (const a of apps) for (const f of a.functions) (changed.get(f.name) ?? changed.set(f.name, []).get(f.name)!).push(f);
  // named after the patch text and direction only, so that outputs do not depend on where files are
  const tag = hashText(`${reverse}\u0000${typeof patchText === 'string' ? patchText : Buffer.from(patchText).toString('latin1')}`);
  const columns: PatchColumn[] = [];
  const faultDetail = (v: string): string | undefined =>
    analysis.variantDetails?.find((d) => d.family === 'fault' && (d.version === v || (!multi && d.version === undefined)))?.variant;

  const makeColumn = (
    label: string,
    version: string | undefined,
    eraName: string,
    rules: string,
    sources: CSource[],
    app: VersionApplication,
    side: 'base' | 'patched',
  ): void => {
    const era = eraBindings(eraName);
    const defined = definedIn(sources);
    const notInterpreted: { name: string; why: string }[] = [];
    const names: string[] = [];
    for (const n of new Set([...Object.keys(era.entries), ...changed.keys()])) {
      const mine = app.functions.find((f) => f.name === n);
      if (mine && !mine[side]) continue; // not on this side (added or removed by the patch)
      if (mine && side === 'patched' && !mine.complete) {
        notInterpreted.push({
          name: n,
          why: `hunk ${failedHunks(app, mine).join(', ')} of ${mine.file} did not apply: ${n} runs TypeScript under the ${rules} rules`,
        });
        continue;
      }
      if (!defined.has(n)) {
        if (changed.has(n)) notInterpreted.push({ name: n, why: `no definition of ${n} on the ${side} side (${tree.name})` });
        continue;
      }
      names.push(n);
    }
    const { program, dropped } = compileWhatRuns(opts.parser, era, sources, names);
    for (const d of dropped) notInterpreted.push({ name: d.name, why: `does not compile against the ${eraName} bindings: ${d.why}` });
    const variant = `patch-${tag}-${label}`;
    const interpreted: InterpretedFn[] = [];
    if (program && program.fns.size) {
      registerKernelCVariant({
        name: variant,
        base: rules,
        description: `${label} of ${source}, interpreted (${eraName}), the rest of the kernel following ${rules}`,
        program,
      });
      for (const [n] of program.fns) {
        const o = program.origin.get(n)!;
        interpreted.push({
          name: n,
          file: o.file,
          line: o.line,
          endLine: o.endLine,
          reconstructed: !!app.functions.find((f) => f.name === n)?.reconstructed || app.reconstructed,
        });
      }
    }
    columns.push({
      label,
      variant: program && program.fns.size ? variant : rules,
      version,
      era: eraName,
      rules,
      interpreted,
      notInterpreted,
      sources: program && program.fns.size ? sources : [],
    });
  };

  // each column's files are named after it (base/mm/memory.c, 2.5.70-mm2/mm/memory.c): trace events and the editor show them
  const sourcesOf = (a: VersionApplication, side: 'base' | 'patched', label: string): CSource[] =>
    a.files
      .filter((f) => f.status !== 'no-base' && /\.c$/.test(f.path))
      .map((f) => ({ file: `${label}/${f.path}`, text: (side === 'base' ? f.baseText : f.patchedText) ?? '' }));
  makeColumn('base', undefined, baseEra, baseRules, sourcesOf(apps[0], 'base', 'base'), apps[0], 'base');
  for (const a of apps) {
    const eraName = opts.era ?? (eraNames().includes(a.version) ? eraOf(a.version) : baseEra);
    const rules = faultDetail(a.version) ?? baseRules;
    const label = multi ? a.version : 'patched';
    makeColumn(label, a.version, eraName, rules, sourcesOf(a, 'patched', label), a, 'patched');
  }
  lap('compile');

  // scenarios
  let chosen: { s: Scenario; why: string }[];
  if (opts.scenarios?.length) chosen = opts.scenarios.map((s) => ({ s, why: 'given' }));
  else {
    if (!opts.scenarioDir) throw new PatchRunError('no scenarios given and no bundled scenario library found');
    const table = functionScenarioTable(opts.scenarioDir);
    const by = new Map<string, string[]>();
    for (const n of changed.keys()) for (const f of table.get(n) ?? []) (by.get(f) ?? by.set(f, []).get(f)!).push(n);
    chosen = [];
    for (const [file, fns] of [...by].sort()) {
      const r = loadScenarioFile(file);
      if (r.scenario) chosen.push({ s: r.scenario, why: `its runs enter ${fns.join(', ')}` });
    }
  }
  lap('table');

  const labels = columns.map((c) => c.label);
  const scenarioRuns: ScenarioRun[] = [];
  const entered = new Set<string>();
  const scOnly = new Set<string>();
  for (const a of apps)
    for (const f of a.functions)
      if (
        f.base &&
        f.patched &&
        f.base.text !== f.patched.text &&
        underSequentialConsistency(f.base.text) === underSequentialConsistency(f.patched.text)
      )
        scOnly.add(f.name);
  const realChange = [...changed.keys()].filter((n) => !scOnly.has(n));
  // functions whose change only reorders statements: they run, but a sameness is only under SC
  const reordered = new Map<string, string[]>();
  for (const a of apps)
    for (const f of a.functions)
      if (f.base && f.patched && !scOnly.has(f.name)) {
        const crossed = reordersOnly(f.base.text, f.patched.text);
        if (crossed) reordered.set(f.name, crossed);
      }
  const incomplete = new Set(apps.flatMap((a) => a.functions.filter((f) => !f.complete).map((f) => f.name)));
  // a real change that a column could not compile runs as TypeScript there: no comparison of it either
  const uncompiled = new Map<string, { columns: string[]; why: string }>();
  for (const c of columns)
    for (const n of c.notInterpreted)
      if (realChange.includes(n.name) && !incomplete.has(n.name) && / compile /.test(n.why)) {
        const u = uncompiled.get(n.name) ?? uncompiled.set(n.name, { columns: [], why: n.why }).get(n.name)!;
        u.columns.push(c.label);
      }
  let ok = true;
  for (const { s, why } of chosen) {
    const cols: VariantColumn[] = columns.map((c) => ({
      label: c.label,
      selection: { ...(s.columns[0]?.selection ?? {}), fault: c.variant },
    }));
    const taken = new Set(cols.map((c) => c.label));
    const s2: Scenario = {
      ...s,
      columns: [...s.columns.filter((c) => !taken.has(c.label)), ...cols],
      expect: Object.fromEntries(Object.entries(s.expect).filter(([k]) => !taken.has(k))),
    };
    const { comparison, ok: cok } = compareScenario(s2, {
      columns: labels,
      schedule: opts.schedule,
      explore: opts.explore ?? true,
      maxSteps: opts.maxSteps,
      maxPreemptions: opts.maxPreemptions,
      timeLimitMs: opts.timeLimitMs,
    });
    ok &&= cok;
    const typescript: Record<string, string[]> = {};
    const interpretedEntered: Record<string, string[]> = {};
    // the functions some column's run of this scenario enters (one scan of the traces)
    const enteredHere = new Set<string>();
    comparison.runs.forEach((r, i) => {
      const interp = new Set(columns[i].interpreted.map((f) => f.name));
      const fns = new Set<string>();
      for (const e of r.trace)
        if (e.kind === 'enter') {
          fns.add(e.fn);
          enteredHere.add(e.fn);
          entered.add(e.fn);
        }
      typescript[r.label] = [...fns].filter((f) => !interp.has(f)).sort();
      interpretedEntered[r.label] = [...fns].filter((f) => interp.has(f)).sort();
    });
    const sig = (i: number): string =>
      JSON.stringify([
        comparison.invariants.map((row) => row.explored?.[i] ?? row.counts[i]),
        comparison.runs[i].results.map((x) => [x.task, x.index, x.result, x.signal ?? '']),
      ]);
    const same = comparison.runs.every((_, i) => sig(i) === sig(0));
    const enteredChanged = [...changed.keys()].some((n) => enteredHere.has(n));
    const onlySC = scOnly.size > 0 && realChange.every((n) => !enteredHere.has(n));
    const onlyOrdering = reordered.size > 0 && realChange.every((n) => reordered.has(n) || !enteredHere.has(n));
    const unapplied = [...incomplete, ...uncompiled.keys()].some((n) => enteredHere.has(n));
    scenarioRuns.push({
      scenario: s.file,
      why,
      comparison,
      typescript,
      interpretedEntered,
      // a difference stands (what the run cannot see says which function ran TypeScript); a sameness does not
      verdict: !same
        ? 'differs'
        : unapplied
          ? NOT_ANSWERED
          : onlySC || onlyOrdering || (!enteredChanged && scOnly.size > 0)
            ? SC_NOTE
            : 'no difference',
    });
  }
  lap('run');

  const unseen: Unseen = { notEntered: [...changed.keys()].filter((n) => !entered.has(n)), outside: [], notObservable: [] };
  const interpretedAnywhere = new Set(columns.flatMap((c) => c.interpreted.map((f) => f.name)));
  for (const a of apps) {
    for (const f of a.files)
      for (const h of f.hunks) {
        let why: string | undefined;
        if (f.status === 'no-base') why = h.reason ?? `the tree has no ${f.path}`;
        else if (!/\.c$/.test(f.path)) why = `${f.path} is not C the interpreter runs (a header, build or config file)`;
        else if (h.outsideFunctions) why = 'outside any function (a declaration, macro or initializer)';
        else if (h.functions.length && h.functions.every((n) => !interpretedAnywhere.has(n)))
          why = `in ${h.functions.join(', ')}, which no column runs interpreted`;
        if (why) unseen.outside.push({ version: a.version, file: f.path, hunk: h.index, header: h.header, patchLine: h.patchLine, why });
      }
    for (const fn of a.functions)
      if (!fn.complete) {
        const failed = failedHunks(a, fn);
        const col = columns.find((c) => c.version === a.version);
        (unseen.notApplied ??= []).push({
          version: a.version,
          name: fn.name,
          file: fn.file,
          hunks: failed,
          why: `hunk ${failed.join(', ')} of ${fn.file} did not apply to ${tree.name}: ${col?.label ?? 'the patched column'} runs ${fn.name} as TypeScript (${col?.rules ?? baseRules} rules), not the patch's C, so no scenario that enters it compares this change`,
        });
      }
    for (const fn of a.functions)
      if (scOnly.has(fn.name))
        unseen.notObservable.push({
          version: a.version,
          name: fn.name,
          file: fn.file,
          note: `${fn.name}: the change is only barriers or atomicity: ${SC_NOTE}`,
        });
    for (const fn of a.functions) {
      const crossed = reordered.get(fn.name);
      if (crossed)
        unseen.notObservable.push({
          version: a.version,
          name: fn.name,
          file: fn.file,
          note: `${fn.name}: the change only moves or repeats statements it already has${crossed.length ? ` (across ${crossed.join(', ')})` : ''}; the runs compare its interleavings, but what a move orders on weakly ordered CPUs (a lock release, a barrier) is invisible: ${SC_NOTE}`,
        });
    }
  }
  for (const [name, u] of uncompiled) (unseen.notCompiled ??= []).push({ name, ...u });
  return {
    patch: source,
    tree: tree.name,
    ...(tree.version ? { treeVersion: tree.version } : {}),
    reverse,
    versions: apps.map((a) => ({ ...a, files: a.files.map((f) => omitKeys(f, ['baseText', 'patchedText'])) })),
    columns,
    scenarios: scenarioRuns,
    unseen,
    problems: problems.filter((p) => p.severity === 'error').map((p) => `${p.file}:${p.line}: ${p.message}`),
    ok,
  };
}
