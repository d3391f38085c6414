// Scenarios on the engine: machines per variant column, checking a column against its expect block,
// and comparing columns side by side (the Comparison model).
import { createMachine, getVariant, listVariants } from '../engine/index';
import type { Machine, TraceEvent, VariantSelection } from '../engine/index';

import type { Comparison, Divergence, ExpectationOutcome, InvariantRow, VariantRun } from './comparisonModel';
import { checkExplorationExpectations, checkRunExpectations, lockOpCounts, withRunShown } from './expectations';
import { explore, exploreAsync, runSchedule, type ExploreOptions, type ExploreResult, type MachineFactory } from './explorer';
import type { Scenario, VariantColumn } from './scenario';
import { loadScenarioText, type LoadOptions, type LoadResult, type VariantCatalogue } from './scenarioFile';
import { describeSchedule } from './schedule';

/** family -> variant names, as the scenario loader checks them */
export function variantCatalogue(): VariantCatalogue {
  const out: Record<string, string[]> = {};
  for (const v of listVariants()) (out[v.family] ??= []).push(v.name);
  return out;
}

/** what the loader checks names against: the engine's variants, and those a walker may be written for */
export function scenarioCheckOptions(): LoadOptions {
  const walkVariants = listVariants()
    .filter((v) => v.family === 'gup' && (getVariant('gup', v.name)?.rules as { api?: string } | undefined)?.api === 'walk')
    .map((v) => v.name);
  return { variants: variantCatalogue(), walkVariants };
}

/** load a scenario text, checking variant names against the engine's catalogue */
export function loadScenario(text: string, file: string): LoadResult {
  return loadScenarioText(text, file, scenarioCheckOptions());
}

/** The engine refused to build a scenario's world (what the loader's checks did not catch). */
export class EngineRefusal extends Error {}

/** Machines for a scenario's world; throws EngineRefusal at once if the engine cannot build it. The
 * machine built to find that out is the first one handed out. */
export function machineFactory(s: Scenario, selection: VariantSelection, trace = false): MachineFactory {
  let first: Machine | undefined;
  try {
    first = createMachine(s.world, selection, { trace });
  } catch (e) {
    throw new EngineRefusal(`${s.file}: the engine cannot build this world: ${(e as Error).message}`);
  }
  return () => {
    const m = first ?? createMachine(s.world, selection, { trace });
    first = undefined;
    return m;
  };
}

export function columnOf(s: Scenario, label: string): VariantColumn | undefined {
  return s.columns.find((c) => c.label === label);
}

/** exploration options from the scenario's bounds, overridden by the caller's */
export function exploreOptions(s: Scenario, opts: ExploreOptions = {}): ExploreOptions {
  return {
    maxSteps: s.bounds.steps,
    maxPreemptions: s.bounds.preemptions,
    ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)),
  };
}

export interface ColumnCheck {
  label: string;
  selection: VariantSelection;
  exploration?: ExploreResult;
  /** the default-schedule run (traced) */
  run: Machine;
  schedule: number[];
  /** where the default schedule came from (a counterexample search reports how far it got) */
  defaultSchedule: DefaultSchedule;
  expectations: ExpectationOutcome[];
  ok: boolean;
}

/** The schedule a scenario runs by default, and where it came from. */
export interface DefaultSchedule {
  /** undefined: the default order */
  schedule?: number[];
  /** e.g. "scenario schedule", "counterexample of 2.5.70", "default order (...)" */
  source: string;
  /** the search for the counterexample, when one ran: it obeys the caller's limits and cancellation */
  search?: ExploreResult;
}

/** found counterexamples per scenario and bounds; a search cut short is not remembered */
const counterexamples = new WeakMap<Scenario, Map<string, number[] | null>>();

function counterexampleSearch(
  s: Scenario,
  opts: ExploreOptions,
): { key: string; cached?: number[] | null; options: ExploreOptions; col?: VariantColumn } {
  const from = s.scheduleFrom!;
  const o = exploreOptions(s, {
    maxSteps: opts.maxSteps,
    maxPreemptions: opts.maxPreemptions,
    timeLimitMs: opts.timeLimitMs,
    signal: opts.signal,
    onProgress: opts.onProgress,
    progressIntervalMs: opts.progressIntervalMs,
    stopAtFirst: true,
    only: from.invariant ? [from.invariant] : undefined,
  });
  const key = `${o.maxSteps ?? ''}|${o.maxPreemptions ?? ''}`;
  return { key, cached: counterexamples.get(s)?.get(key), options: o, col: columnOf(s, from.column) };
}

function counterexampleOutcome(s: Scenario, key: string, x: ExploreResult | undefined): DefaultSchedule {
  const from = s.scheduleFrom!;
  const found = x?.violations[0]?.schedule;
  if (x && (found || !(x.cancelled || x.timedOut))) {
    const m = counterexamples.get(s) ?? new Map<string, number[] | null>();
    m.set(key, found ?? null);
    counterexamples.set(s, m);
  }
  if (found) return { schedule: found, source: `counterexample of ${from.column}`, search: x };
  const why = !x
    ? 'no such column'
    : x.cancelled
      ? 'search cancelled'
      : x.timedOut
        ? 'search incomplete (time limit)'
        : 'no counterexample';
  return { source: `default order (${why})`, search: x };
}

function fromCache(s: Scenario, cached: number[] | null): DefaultSchedule {
  return cached
    ? { schedule: cached, source: `counterexample of ${s.scheduleFrom!.column}` }
    : { source: 'default order (no counterexample)' };
}

/**
 * The scenario's default schedule: its own, or the first counterexample (fewest preemptions, shrunk)
 * found in the column it names, which follows the engine when its steps change. That search obeys
 * the caller's bounds, time limit and cancellation; `search: false` (no exploration asked) skips it.
 */
export function defaultScheduleOf(s: Scenario, opts: ExploreOptions & { search?: boolean } = {}): DefaultSchedule {
  if (!s.scheduleFrom) return { schedule: s.schedule, source: s.schedule ? 'scenario schedule' : 'default order' };
  const q = counterexampleSearch(s, opts);
  if (q.cached !== undefined) return fromCache(s, q.cached);
  if (opts.search === false) return { source: 'default order (counterexample not searched: exploration off)' };
  return counterexampleOutcome(s, q.key, q.col && explore(machineFactory(s, q.col.selection), q.options));
}

/** The same, searching in slices so that the event loop (progress, cancellation) keeps running. */
export async function defaultScheduleAsync(s: Scenario, opts: ExploreOptions & { search?: boolean } = {}): Promise<DefaultSchedule> {
  if (!s.scheduleFrom) return defaultScheduleOf(s, opts);
  const q = counterexampleSearch(s, opts);
  if (q.cached !== undefined) return fromCache(s, q.cached);
  if (opts.search === false) return { source: 'default order (counterexample not searched: exploration off)' };
  return counterexampleOutcome(s, q.key, q.col && (await exploreAsync(machineFactory(s, q.col.selection), q.options)));
}

/** The default schedule alone (undefined: the default order). */
export function defaultSchedule(s: Scenario, opts: ExploreOptions & { search?: boolean } = {}): number[] | undefined {
  return defaultScheduleOf(s, opts).schedule;
}

function needsExploration(s: Scenario, label: string): boolean {
  const e = s.expect[label];
  return !!e && (e.violation !== undefined || e.never !== undefined || e.clean !== undefined);
}

/** run a column's default schedule and, if its expect block needs one, an exploration */
export interface CheckOptions extends ExploreOptions {
  /** 'needed' (default): only when the expect block asks for it; 'always'; 'never': the exploration
   * expectations (violation/never/clean) are left out */
  explore?: 'always' | 'needed' | 'never';
}

function shouldExplore(s: Scenario, col: VariantColumn, mode: CheckOptions['explore'] = 'needed'): boolean {
  return mode === 'always' || (mode === 'needed' && needsExploration(s, col.label));
}

/** One time limit for all the searches of a command: each gets what the ones before it left. */
export function deadline<T extends ExploreOptions>(opts: T): () => T {
  const limit = opts.timeLimitMs;
  if (limit === undefined) return () => opts;
  const end = performance.now() + limit;
  return () => ({ ...opts, timeLimitMs: Math.max(1, end - performance.now()) });
}

export function checkColumn(s: Scenario, col: VariantColumn, opts: CheckOptions = {}): ColumnCheck {
  const { explore: mode, ...xo } = opts;
  const left = deadline(xo);
  const exploration = shouldExplore(s, col, mode) ? explore(machineFactory(s, col.selection), exploreOptions(s, left())) : undefined;
  return finishColumn(s, col, exploration, mode !== 'never', defaultScheduleOf(s, { ...left(), search: mode !== 'never' }));
}

export async function checkColumnAsync(s: Scenario, col: VariantColumn, opts: CheckOptions = {}): Promise<ColumnCheck> {
  const { explore: mode, ...xo } = opts;
  const left = deadline(xo);
  const exploration = shouldExplore(s, col, mode)
    ? await exploreAsync(machineFactory(s, col.selection), exploreOptions(s, left()))
    : undefined;
  return finishColumn(s, col, exploration, mode !== 'never', await defaultScheduleAsync(s, { ...left(), search: mode !== 'never' }));
}

/**
 * Results, signals and lock counts hold for the default schedule. When that is a counterexample whose
 * search stopped early (time limit, cancel), the run took the default order instead: what it did not
 * meet there is undecided, not failed.
 */
export function onDefaultSchedule(s: Scenario, d: DefaultSchedule, outcomes: ExpectationOutcome[]): ExpectationOutcome[] {
  const x = d.search;
  if (!s.scheduleFrom || d.schedule || !x || !(x.timedOut || x.cancelled)) return outcomes;
  const why = `checked on the default order: the search for the counterexample of ${s.scheduleFrom.column} stopped (${x.schedules} schedules, ${x.states} states, ${x.timedOut ? 'time limit' : 'cancelled'})`;
  return outcomes.map((o) => (o.met ? o : { ...o, undecided: true as const, detail: `${o.detail}; ${why}` }));
}

function finishColumn(
  s: Scenario,
  col: VariantColumn,
  exploration: ExploreResult | undefined,
  explored: boolean,
  d: DefaultSchedule,
): ColumnCheck {
  const ex = s.expect[col.label] ?? {};
  const r = runSchedule(machineFactory(s, col.selection, true), { schedule: d.schedule, lenient: true, maxSteps: s.bounds.steps });
  const expectations = [
    ...(explored ? checkExplorationExpectations(ex, exploration) : []),
    ...onDefaultSchedule(s, d, checkRunExpectations(ex, r.machine, d.source)),
  ];
  return {
    label: col.label,
    selection: col.selection,
    exploration,
    run: r.machine,
    schedule: r.schedule,
    defaultSchedule: d,
    expectations,
    ok: expectations.every((e) => e.met),
  };
}

// ---- comparison ----

export interface CompareOptions extends ExploreOptions {
  /** labels of the columns to compare (default: all) */
  columns?: string[];
  /** the schedule every column runs (default: the first counterexample found, else the scenario's) */
  schedule?: number[];
  /** explore each column (default true); false compares one run only */
  explore?: boolean;
  /** after each column's check (async comparison): its label, and how many of how many are done */
  onColumn?: (label: string, done: number, of: number) => void;
}

function sameEvent(a: TraceEvent | undefined, b: TraceEvent | undefined): boolean {
  return !!a && !!b && a.task === b.task && a.kind === b.kind && a.fn === b.fn && a.detail === b.detail;
}

export function firstDivergence(runs: { label: string; trace: TraceEvent[] }[], taskNames: readonly string[]): Divergence | null {
  if (runs.length < 2) return null;
  const longest = Math.max(...runs.map((r) => r.trace.length));
  for (let k = 0; k < longest; k++) {
    const first = runs[0].trace[k];
    if (runs.every((r) => sameEvent(r.trace[k], first))) continue;
    const present = runs.map((r) => r.trace[k]).filter((e): e is TraceEvent => !!e);
    const step = Math.min(...present.map((e) => e.step));
    // group the runs that agree at this event
    const groups = new Map<string, string[]>();
    for (const r of runs) {
      const e = r.trace[k];
      const text = e
        ? `${taskNames[e.task] ?? e.task} ${e.kind} ${e.fn}${e.detail && e.detail !== e.fn ? ` ${e.detail}` : ''}`
        : '(trace ended)';
      groups.set(text, [...(groups.get(text) ?? []), r.label]);
    }
    const summary = [...groups].map(([text, labels]) => `${labels.join(', ')}: ${text}`).join(' | ');
    return { step, eventIndex: runs.map((r) => (k < r.trace.length ? k : -1)), summary: `step ${step}: ${summary}` };
  }
  return null;
}

export interface ComparisonResult {
  comparison: Comparison;
  checks: ColumnCheck[];
  ok: boolean;
}

function buildComparison(s: Scenario, checks: ColumnCheck[], opts: CompareOptions): ComparisonResult {
  // the schedule everyone runs: the caller's, else the first counterexample, else the scenario's default
  let schedule = opts.schedule;
  let source = opts.schedule ? 'given schedule' : '';
  if (!schedule) {
    for (const c of checks) {
      const v = c.exploration?.violations[0];
      if (v) {
        schedule = v.schedule;
        source = `counterexample of ${c.label} (${v.invariant})`;
        break;
      }
    }
  }
  if (!schedule) {
    // every column computed the same default schedule with the same limits
    const d = checks[0]?.defaultSchedule ?? defaultScheduleOf(s, { search: false });
    schedule = d.schedule ?? [];
    source = d.source;
  }
  const taskNames = s.world.tasks.map((t) => t.name);
  const runs: VariantRun[] = checks.map((c) => {
    const r = runSchedule(machineFactory(s, c.selection, true), { schedule, lenient: true, maxSteps: s.bounds.steps });
    const m = r.machine;
    const x = c.exploration;
    // the run expectations were checked on the column's default schedule; the card shows this run
    const same = r.schedule.length === c.schedule.length && r.schedule.every((t, i) => t === c.schedule[i]);
    // (withRunShown keeps only met and detail of these: where the run came from is the card's)
    const shown = checkRunExpectations(s.expect[c.label] ?? {}, m, '');
    return {
      label: c.label,
      variants: c.selection,
      schedule: r.schedule,
      trace: m.trace.slice(),
      violations: m.violations.slice(),
      results: m.results.slice(),
      snapshot: m.snapshot(),
      lockOps: lockOpCounts(m.trace),
      expectations: withRunShown(c.expectations, shown, same),
      exploration: x && {
        schedules: x.schedules,
        states: x.states,
        complete: x.complete,
        timeMs: x.timeMs,
        violations: x.violations.map((v) => ({ invariant: v.invariant, message: v.message, schedule: v.schedule })),
      },
    };
  });
  const names = new Set<string>();
  for (const r of runs) for (const v of r.violations) names.add(v.invariant);
  for (const c of checks) for (const v of c.exploration?.violations ?? []) names.add(v.invariant);
  for (const c of checks)
    for (const n of [...(s.expect[c.label]?.violation ?? []), ...(s.expect[c.label]?.never ?? [])]) if (n !== 'any') names.add(n);
  const invariants: InvariantRow[] = [...names].sort().map((inv) => ({
    invariant: inv,
    counts: runs.map((r) => r.violations.filter((v) => v.invariant === inv).length),
    explored: checks.map((c) => {
      const x = c.exploration;
      if (!x) return 'not explored';
      if (x.violations.some((v) => v.invariant === inv)) return 'violated';
      return x.complete ? 'held' : 'not found';
    }),
  }));
  const comparison: Comparison = {
    scenario: s.file,
    title: s.title,
    description: s.description,
    tasks: taskNames,
    runs,
    invariants,
    firstDivergence: firstDivergence(runs, taskNames),
    schedule: { source, schedule, text: describeSchedule(schedule, taskNames) },
  };
  return { comparison, checks, ok: checks.every((c) => c.ok) };
}

function columnsFor(s: Scenario, labels?: string[]): VariantColumn[] {
  if (!labels) return s.columns;
  return labels.map((l) => {
    const c = columnOf(s, l);
    if (!c) throw new Error(`no column '${l}' in ${s.file}; columns: ${s.columns.map((x) => x.label).join(', ')}`);
    return c;
  });
}

export function compareScenario(s: Scenario, opts: CompareOptions = {}): ComparisonResult {
  const { columns, schedule, explore: doExplore, onColumn, ...xo } = opts;
  const cols = columnsFor(s, columns);
  const left = deadline(xo);
  const checks = cols.map((c, i) => {
    const check = checkColumn(s, c, { ...left(), explore: doExplore === false ? 'never' : 'always' });
    onColumn?.(c.label, i + 1, cols.length);
    return check;
  });
  return buildComparison(s, checks, { schedule });
}

export async function compareScenarioAsync(s: Scenario, opts: CompareOptions = {}): Promise<ComparisonResult> {
  const { columns, schedule, explore: doExplore, onColumn, ...xo } = opts;
  const cols = columnsFor(s, columns);
  const checks: ColumnCheck[] = [];
  const left = deadline(xo);
  for (const c of cols) {
    if (xo.signal?.aborted) break;
    checks.push(await checkColumnAsync(s, c, { ...left(), explore: doExplore === false ? 'never' : 'always' }));
    // a column cut by the cancel is not finished: its search covered only part of the schedules
    if (!xo.signal?.aborted) onColumn?.(c.label, checks.length, cols.length);
  }
  const result = buildComparison(s, checks, { schedule });
  if (xo.signal?.aborted)
    markCancelled(
      result,
      cols.map((c) => c.label),
    );
  return result;
}

/** A cancelled comparison: partial, and what a cut-short search could not decide is undecided, not failed. */
function markCancelled(result: ComparisonResult, requested: string[]): void {
  const c = result.comparison;
  c.partial = { reason: 'cancelled', requested };
  for (const run of c.runs) {
    if (!run.exploration || run.exploration.complete) continue;
    for (const x of run.expectations) {
      // a violation found stays a decided failure; only what the cut-short search left open is undecided
      if (x.met || x.scope === 'run' || !x.detail.includes('incomplete')) continue;
      x.undecided = true;
      x.detail = `cancelled before the search could decide (${run.exploration.schedules} schedules so far)`;
    }
  }
  result.ok = false;
}
