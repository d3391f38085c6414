// The Exploration model of a column from an explorer result; one shape for the CLI and the panel.
import type { ExpectationOutcome } from './comparisonModel';
import { checkExplorationExpectations } from './expectations';
import type { Exploration } from './explorationModel';
import { runSchedule, type ExploreResult } from './explorer';
import { machineFactory } from './runner';
import type { Scenario, VariantColumn } from './scenario';
import { describeSchedule } from './schedule';

const round2 = (t: number) => Math.round(t * 100) / 100;

export interface ExplorationModelOptions {
  /** replay each counterexample with tracing on (the panel draws the trace) */
  replay?: boolean;
}

export function explorationModel(s: Scenario, col: VariantColumn, x: ExploreResult, opts: ExplorationModelOptions = {}): Exploration {
  const names = s.world.tasks.map((t) => t.name);
  const expectations: ExpectationOutcome[] = checkExplorationExpectations(s.expect[col.label] ?? {}, x);
  return {
    scenario: s.file,
    title: s.title,
    tasks: names,
    variant: col.label,
    selection: col.selection,
    schedules: x.schedules,
    states: x.states,
    steps: x.steps,
    revisits: x.revisits,
    timeMs: round2(x.timeMs),
    reduction: x.reduction,
    complete: x.complete,
    incompleteReason: x.incompleteReason,
    preemptionBounded: x.preemptionBounded,
    cancelled: x.cancelled,
    timedOut: x.timedOut,
    firstViolationMs: x.firstViolationMs === undefined ? null : round2(x.firstViolationMs),
    violations: x.violations.map((v) => {
      const out: Exploration['violations'][number] = {
        invariant: v.invariant,
        message: v.message,
        schedule: v.schedule,
        scheduleText: describeSchedule(v.schedule, names),
        preemptions: v.preemptions,
        step: v.violation.step,
        task: v.violation.task ?? null,
        fn: v.violation.fn ?? null,
        locksHeld: v.violation.locksHeld,
      };
      if (opts.replay) {
        const r = runSchedule(machineFactory(s, col.selection, true), { schedule: v.schedule, lenient: true, maxSteps: s.bounds.steps });
        out.replay = { schedule: r.schedule, trace: r.machine.trace.slice() };
      }
      return out;
    }),
    expectations,
    ok: expectations.every((e) => e.met),
  };
}
