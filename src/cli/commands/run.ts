// mmx run FILE: one schedule (default order, --schedule or --seed) per column, with its trace.
import type { Machine } from '../../engine/index';
import type { ExpectationOutcome } from '../../scenario/comparisonModel';
import { checkRunExpectations, checkSingleRunViolations, withRunShown } from '../../scenario/expectations';
import { runSchedule } from '../../scenario/explorer';
import { selectionText } from '../../scenario/format';
import { defaultScheduleOf, machineFactory, onDefaultSchedule } from '../../scenario/runner';
import { describeSchedule, formatSchedule, ScheduleError } from '../../scenario/schedule';
import { exitFor } from '../exitCodes';
import { expectationLines, table } from '../format';
import type { Io } from '../io';
import { intOpt, loadOne, parse, pickColumns, progressOpt, scheduleOpt, SEARCH_OPTIONS, timeLimitOpt } from '../options';

export function cmdRun(io: Io, args: string[]): number {
  const { values, positionals } = parse('run', args, {
    schedule: { type: 'string' },
    seed: { type: 'string' },
    steps: { type: 'string' },
    trace: { type: 'boolean' },
    'no-trace': { type: 'boolean' },
    ...SEARCH_OPTIONS,
  });
  const s = loadOne(io, 'run', positionals);
  if (!s) return 2;
  const cols = pickColumns(s, 'run', values.variant);
  const given = scheduleOpt('run', s, values.schedule);
  const seed = intOpt('run', 'seed', values.seed);
  const maxSteps = intOpt('run', 'steps', values.steps, 1) ?? s.bounds.steps;
  const usesDefault = given === undefined && seed === undefined;
  // a scenario whose schedule is a counterexample searches for it, within the time limit
  const progress = progressOpt('run', io, values.progress, values.json);
  const d = usesDefault
    ? defaultScheduleOf(s, {
        timeLimitMs: timeLimitOpt('run', values['time-limit']),
        ...progress.of(`${s.file}: the counterexample of ${s.scheduleFrom?.column}`),
      })
    : undefined;
  progress.done();
  const schedule = given ?? d?.schedule;
  const showTrace = values['no-trace'] ? false : values.trace || !values.json;
  const names = s.world.tasks.map((t) => t.name);
  const outcomes: ExpectationOutcome[] = [];
  for (const col of cols) {
    let m: Machine;
    let sched: number[];
    let done: boolean;
    try {
      // the scenario's schedule may come from another column: where its task cannot run, go on by default
      const r = runSchedule(machineFactory(s, col.selection, true), { schedule, seed, maxSteps, lenient: given === undefined });
      m = r.machine;
      sched = r.schedule;
      done = r.done;
    } catch (e) {
      if (e instanceof ScheduleError) {
        io.err(`mmx run: ${s.file} [${col.label}]: ${e.message}`);
        return 2;
      }
      throw e;
    }
    // a violation in this run breaks a never/clean expectation; results/signals hold for the default schedule
    const ex = s.expect[col.label] ?? {};
    const expectations: ExpectationOutcome[] = checkSingleRunViolations(ex, m);
    if (usesDefault && d) {
      const checked = checkRunExpectations(ex, m, d.source);
      expectations.push(...withRunShown(onDefaultSchedule(s, d, checked), checked, true));
    }
    outcomes.push(...expectations);
    if (values.json) {
      io.out(
        JSON.stringify({
          variant: col.label,
          selection: col.selection,
          schedule: sched,
          done,
          violations: m.violations,
          results: m.results,
          expectations,
          ...(showTrace ? { trace: m.trace } : {}),
        }),
      );
      continue;
    }
    io.out(`${s.title} [${col.label} ${selectionText(col.selection as Record<string, string>)}]`);
    const full = sched.length <= 60 ? `${formatSchedule(sched)}  ` : '';
    io.out(
      `schedule: ${full}(${describeSchedule(sched, names)}, ${sched.length} steps)${done ? '' : '  -- tasks did not finish'}${s.scheduleFrom && d ? `  [${d.source}]` : ''}`,
    );
    if (showTrace)
      io.out(
        table(
          ['step', 'task', 'kind', 'function', 'detail', 'locks held'],
          m.trace.map((t) => [String(t.step), names[t.task] ?? '-', t.kind, t.fn, t.detail, t.locks.join(', ')]),
        ),
      );
    io.out('results:');
    io.out(
      table(
        null,
        m.results.map((r) => [`  ${r.task}#${r.index}`, r.op, r.result + (r.signal ? ` (${r.signal})` : '')]),
      ) || '  (none)',
    );
    if (m.violations.length === 0) io.out('violations: none');
    else {
      io.out('violations:');
      for (const v of m.violations)
        io.out(`  ${v.invariant} at step ${v.step}${v.task ? ` (${v.task}${v.fn ? `, ${v.fn}` : ''})` : ''}: ${v.message}`);
    }
    for (const l of expectationLines(expectations)) io.out(l);
    io.out('');
  }
  return exitFor(outcomes);
}
