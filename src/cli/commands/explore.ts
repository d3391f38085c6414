// mmx explore FILE: every schedule up to the bounds, per column; each violation with a minimal counterexample.
import type { ExploreOptions } from '../../scenario/explorer';
import { explorationModel } from '../../scenario/exploration';
import type { Exploration } from '../../scenario/explorationModel';
import { selectionText } from '../../scenario/format';
import { checkColumn, exploreOptions } from '../../scenario/runner';
import type { Scenario } from '../../scenario/scenario';
import { formatSchedule } from '../../scenario/schedule';
import { expectationLines, ms } from '../format';
import { stdio, type Io } from '../io';
import { intOpt, loadOne, parse, pickColumns, UsageError } from '../options';

export function cmdExplore(io: Io, args: string[]): number {
  const { values, positionals } = parse('explore', args, {
    steps: { type: 'string' },
    preemptions: { type: 'string' },
    random: { type: 'string' },
    seed: { type: 'string' },
    first: { type: 'boolean' },
    'no-reduction': { type: 'boolean' },
    'no-shrink': { type: 'boolean' },
    'time-limit': { type: 'string' },
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
    reduction: values['no-reduction'] ? 'none' : 'state',
    shrink: !values['no-shrink'],
    timeLimitMs: intOpt('explore', 'time-limit', values['time-limit'], 1),
    // a live count on a terminal; nothing when the output goes to a file or a program
    onProgress: io === stdio && process.stderr.isTTY && !values.json ? (p) => process.stderr.write(`\r  ${p.schedules} schedules, ${p.states} states, ${Math.round(p.elapsedMs)} ms `) : undefined,
    progressIntervalMs: 200,
  });
  let failed = false;
  for (const col of cols) {
    const c = checkColumn(s, col, { ...opts, explore: 'always' });
    if (opts.onProgress) process.stderr.write('\r\x1b[K');
    const x = explorationModel(s, col, c.exploration!);
    failed ||= !x.ok;
    if (values.json) io.out(JSON.stringify(x));
    else printExploration(io, s, x, opts);
  }
  return failed ? 1 : 0;
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
          : 'incomplete';
  io.out(`${x.variant} ${selectionText(x.selection as Record<string, string>)}: ${x.schedules} schedules, ${x.states} states, ${ms(x.timeMs)}, ${status}`);
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
