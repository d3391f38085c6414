// Every line of a comparison's run card speaks of what it says it speaks of: on every bundled scenario
// and column, a results/signals/lockOps line about the run the card shows agrees with that run's
// results and lock counts; a line checked on another run (the scenario's default schedule, when the
// comparison shares another column's counterexample) says so, and what the run shown gives; the
// violation/never/clean lines say they are about some or all schedules. The truth of each line is
// computed here from the expect entries and the runs, not read from the lines.
import { describe, expect, it } from 'vitest';

import type { OpResult } from '../../../src/engine/index';
import type { ExpectationOutcome } from '../../../src/scenario/comparisonModel';
import { compareScenario } from '../../../src/scenario/runner';
import type { Expectation } from '../../../src/scenario/scenario';

import { bundled, loadBundled } from './fixtures/bundled';

interface RunFacts {
  results: readonly OpResult[];
  lockOps: Record<string, Record<string, number>>;
}

/** each results/signals/lockOps entry of the expect block, in the order the lines list them, and whether it holds in a run */
function runEntries(ex: Expectation): ((r: RunFacts) => boolean)[] {
  const of = (r: RunFacts, task: string, op?: number) => r.results.filter((x) => x.task === task && (op === undefined || x.index === op));
  return [
    ...(ex.results ?? []).map((e) => (r: RunFacts) => {
      const got = of(r, e.task, e.op)[0];
      if (!got) return false;
      return e.result !== undefined ? got.result === e.result : e.contains !== undefined ? got.result.includes(e.contains) : true;
    }),
    ...(ex.signals ?? []).map((e) => (r: RunFacts) => {
      const rs = of(r, e.task, e.op);
      return e.signal === 'none' ? rs.every((x) => !x.signal) : rs.some((x) => x.signal === e.signal);
    }),
    ...(ex.lockOps ?? []).map((e) => (r: RunFacts) => {
      let n = 0;
      for (const [fn, ops] of Object.entries(r.lockOps)) if (e.fn === undefined || e.fn === fn) n += ops[e.lock] ?? 0;
      return (e.count === undefined || n === e.count) && (e.min === undefined || n >= e.min) && (e.max === undefined || n <= e.max);
    }),
  ];
}

const isRunLine = (x: ExpectationOutcome) => /^(result|signal|lockOps) /.test(x.text);

describe('run cards: each expectation line is true of what it speaks of', () => {
  for (const file of bundled) {
    it(
      file,
      () => {
        const s = loadBundled(file);
        const { comparison, checks } = compareScenario(s);
        expect(comparison.runs.map((r) => r.label)).toEqual(s.columns.map((c) => c.label));
        comparison.runs.forEach((run, i) => {
          const ex = s.expect[run.label] ?? {};
          const check = checks[i];
          const lines = run.expectations.filter(isRunLine);
          const entries = runEntries(ex);
          expect(lines.length, `${run.label}: ${lines.map((x) => x.text).join('; ')}`).toBe(entries.length);
          const shownRun: RunFacts = { results: run.results, lockOps: run.lockOps };
          const sameRun = run.schedule.join(',') === check.schedule.join(',');
          lines.forEach((x, k) => {
            const where = `${file} [${run.label}] ${x.text}: ${x.detail}`;
            const inShown = entries[k](shownRun);
            // a line that does not say it is about another run is read as about the run on the card
            if (x.shown?.same !== false) {
              expect(x.met, `${where} (the run shown)`).toBe(inShown);
              expect(sameRun, `${where}: said to be the run shown`).toBe(true);
            } else {
              // about the scenario's default schedule, a different run: its verdict there, and the run shown's beside it
              expect(sameRun, where).toBe(false);
              expect(x.on, where).toBe(check.defaultSchedule.source);
              expect(x.met, `${where} (the default schedule)`).toBe(
                entries[k]({ results: check.run.results, lockOps: lockOpsOf(check.run) }),
              );
              expect(x.shown.met, `${where} (the run shown)`).toBe(inShown);
            }
            expect(x.scope, where).toBe('run');
            expect(x.shown, where).toBeDefined();
            expect(x.shown!.met, where).toBe(inShown);
          });
          // the lines about schedules say which: some schedule (violation, clean: false) or all of them
          for (const x of run.expectations.filter((y) => !isRunLine(y))) {
            const some = x.text.startsWith('violation:') || x.text === 'clean: false';
            expect(x.scope, `${file} [${run.label}] ${x.text}`).toBe(some ? 'some schedule' : 'all schedules');
          }
        });
      },
      60_000,
    );
  }
});

function lockOpsOf(m: { trace: readonly { kind: string; fn: string; detail: string }[] }): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const e of m.trace) {
    if (e.kind !== 'lock' && e.kind !== 'unlock') continue;
    const byFn = (out[e.fn] ??= {});
    byFn[e.detail] = (byFn[e.detail] ?? 0) + 1;
  }
  return out;
}
