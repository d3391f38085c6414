// mmx explore FILE: every schedule up to the bounds, per column; each violation with a minimal counterexample.
import { availableParallelism } from 'node:os';

import type { ExpectationOutcome } from '../../scenario/comparisonModel';
import { explorationModel } from '../../scenario/exploration';
import type { Exploration } from '../../scenario/explorationModel';
import type { ExploreOptions } from '../../scenario/explorer';
import { selectionText } from '../../scenario/format';
import { checkColumnAsync, deadline, exploreOptions } from '../../scenario/runner';
import type { Scenario } from '../../scenario/scenario';
import { formatSchedule } from '../../scenario/schedule';
import { exitFor } from '../exitCodes';
import { expectationLines, ms } from '../format';
import type { Io } from '../io';
import { intOpt, loadOne, parse, pickColumns, progressOpt, SEARCH_OPTIONS, timeLimitOpt, UsageError } from '../options';

export async function cmdExplore(io: Io, args: string[]): Promise<number> {
  const { values, positionals } = parse('explore', args, {
    steps: { type: 'string' },
    preemptions: { type: 'string' },
    random: { type: 'string' },
    seed: { type: 'string' },
    first: { type: 'boolean' },
    'no-reduction': { type: 'boolean' },
    reduction: { type: 'string' },
    jobs: { type: 'string' },
    'no-shrink': { type: 'boolean' },
    'no-state-cache': { type: 'boolean' },
    'no-sleep-sets': { type: 'boolean' },
    ...SEARCH_OPTIONS,
  });
  const s = loadOne(io, 'explore', positionals);
  if (!s) return 2;
  const cols = pickColumns(s, 'explore', values.variant);
  const runs = intOpt('explore', 'random', values.random, 1);
  const seed = intOpt('explore', 'seed', values.seed) ?? 1;
  if (values.seed !== undefined && runs === undefined) throw new UsageError('mmx explore: --seed goes with --random N');
  const opts: ExploreOptions = exploreOptions(s, {
    maxSteps: intOpt('explore', 'steps', values.steps, 1),
    maxPreemptions: intOpt('explore', 'preemptions', values.preemptions),
    random: runs === undefined ? undefined : { runs, seed },
    stopAtFirst: values.first,
    reduction: reductionOpt(values.reduction, values['no-reduction']),
    // the partial-order reduced search split over worker threads: the same result for any number
    jobs: intOpt('explore', 'jobs', values.jobs, 1) ?? availableParallelism(),
    shrink: !values['no-shrink'],
    stateCache: !values['no-state-cache'],
    sleepSets: !values['no-sleep-sets'],
    // one limit for the searches of all columns
    timeLimitMs: timeLimitOpt('explore', values['time-limit']),
  });
  // sleep sets belong to the state search without a preemption bound: say when the flag changes nothing
  if (values['no-sleep-sets'] && (opts.reduction !== 'state' || opts.maxPreemptions !== undefined || opts.stopAtFirst || opts.random))
    io.err('mmx explore: --no-sleep-sets has no effect here (sleep sets are used only by --reduction state without a preemption bound)');
  const progress = progressOpt('explore', io, values.progress, values.json);
  const left = deadline(opts);
  const outcomes: ExpectationOutcome[] = [];
  for (const col of cols) {
    const c = await checkColumnAsync(s, col, {
      ...left(),
      ...progress.of(`${s.file} [${col.label}]`),
      recipe: { world: s.world, selection: col.selection },
      explore: 'always',
    });
    progress.done();
    const x = explorationModel(s, col, c.exploration!);
    outcomes.push(...x.expectations);
    if (values.json) io.out(JSON.stringify(x));
    else printExploration(io, s, x, opts);
  }
  return exitFor(outcomes);
}

const REDUCTIONS = ['dpor', 'state', 'none'] as const;

function reductionOpt(v: string | undefined, none: boolean | undefined): ExploreOptions['reduction'] {
  if (none && v !== undefined && v !== 'none') throw new UsageError('mmx explore: --no-reduction and --reduction disagree');
  if (none) return 'none';
  if (v === undefined) return 'dpor';
  if (!(REDUCTIONS as readonly string[]).includes(v))
    throw new UsageError(`mmx explore: --reduction takes ${REDUCTIONS.join(', ')}, not '${v}'`);
  return v as ExploreOptions['reduction'];
}

function printExploration(io: Io, s: Scenario, x: Exploration, opts: ExploreOptions): void {
  const status = x.cancelled
    ? 'cancelled'
    : x.complete
      ? x.preemptionBounded
        ? `complete up to ${opts.maxPreemptions} preemptions`
        : 'complete'
      : x.timedOut
        ? 'incomplete (time limit)'
        : opts.random
          ? `incomplete (${opts.random.runs} random runs, seed ${opts.random.seed})`
          : `incomplete (${x.incompleteReason})`;
  io.out(
    `${x.variant} ${selectionText(x.selection as Record<string, string>)}: ${x.schedules} schedules, ${x.states} states, ${ms(x.timeMs)}, ${status}${x.reduction === 'dpor' ? '' : `, reduction: ${x.reduction}`}`,
  );
  if (x.violations.length === 0) io.out('  no violation');
  for (const v of x.violations) {
    const where = [v.task, v.fn].filter(Boolean).join(' in ');
    const held = v.locksHeld.length ? `, holding ${v.locksHeld.join(', ')}` : '';
    io.out(`  VIOLATION ${v.invariant} at step ${v.step}${where ? ` (${where}${held})` : ''}: ${v.message}`);
    io.out(`    counterexample (${v.preemptions} preemption${v.preemptions === 1 ? '' : 's'}): ${v.scheduleText || '(default order)'}`);
    io.out(`    replay: mmx run ${s.file} --variant ${x.variant} --schedule ${formatSchedule(v.schedule) || '""'}`);
  }
  for (const l of expectationLines(x.expectations)) io.out(l);
}
