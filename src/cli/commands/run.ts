// mmx run FILE: one schedule (default order, --schedule or --seed) per column, with its trace.
import type { Machine } from '../../engine/index';
import type { ExpectationOutcome } from '../../scenario/comparisonModel';
import { checkRunExpectations, checkSingleRunViolations } from '../../scenario/expectations';
import { runSchedule } from '../../scenario/explorer';
import { selectionText } from '../../scenario/format';
import { defaultSchedule, machineFactory } from '../../scenario/runner';
import { describeSchedule, formatSchedule, ScheduleError } from '../../scenario/schedule';
import { expectationLines, table } from '../format';
import type { Io } from '../io';
import { intOpt, loadOne, parse, pickColumns, scheduleOpt } from '../options';

export function cmdRun(io: Io, args: string[]): number {
  const { values, positionals } = parse('run', args, {
    schedule: { type: 'string' },
    seed: { type: 'string' },
    steps: { type: 'string' },
    trace: { type: 'boolean' },
    'no-trace': { type: 'boolean' },
  });
  const s = loadOne(io, 'run', positionals);
  if (!s) return 2;
  const cols = pickColumns(s, 'run', values.variant);
  const given = scheduleOpt('run', s, values.schedule);
  const seed = intOpt('run', 'seed', values.seed);
  const maxSteps = intOpt('run', 'steps', values.steps, 1) ?? s.bounds.steps;
  const usesDefault = given === undefined && seed === undefined;
  const schedule = given ?? (seed === undefined ? defaultSchedule(s) : undefined);
  const showTrace = values['no-trace'] ? false : values.trace || !values.json;
  const names = s.world.tasks.map((t) => t.name);
  let failed = false;
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
    if (usesDefault) expectations.push(...checkRunExpectations(ex, m));
    failed ||= expectations.some((x) => !x.met);
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
    io.out(`schedule: ${full}(${describeSchedule(sched, names)}, ${sched.length} steps)${done ? '' : '  -- tasks did not finish'}`);
    if (showTrace)
      io.out(
        table(
          ['step', 'task', 'kind', 'function', 'detail', 'locks held'],
          m.trace.map((t) => [String(t.step), names[t.task] ?? '-', t.kind, t.fn, t.detail, t.locks.join(', ')]),
        ),
      );
    io.out('results:');
    io.out(table(null, m.results.map((r) => [`  ${r.task}#${r.index}`, r.op, r.result + (r.signal ? ` (${r.signal})` : '')])) || '  (none)');
    if (m.violations.length === 0) io.out('violations: none');
    else {
      io.out('violations:');
      for (const v of m.violations) io.out(`  ${v.invariant} at step ${v.step}${v.task ? ` (${v.task}${v.fn ? `, ${v.fn}` : ''})` : ''}: ${v.message}`);
    }
    for (const l of expectationLines(expectations)) io.out(l);
    io.out('');
  }
  return failed ? 1 : 0;
}
