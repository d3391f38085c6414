// The direct runner: each task runs to completion in turn, through the same kernel functions as the
// Machine, without the scheduler's bookkeeping (no StepInfo, no per-step invariant scan). A task
// runs alone, so its steps are performed where they are announced (Task.solo), and an operation
// runs as the plain-function twin of its generator where the solo build made one (solo.ts). A lone
// task stops only on a lock another task holds, which is a deadlock here.

import type { VariantSelection, WorldSpec } from './spec';
import type { Task } from './task';
import type { Step } from './step';
import type { OpOutcome } from './ops';
import { EngineMachine, endOp, opFailed, runOneStep, startOp } from './machine';
import { SOLO_BLOCKED, soloTwin } from './solo';

export function runDirect(world: WorldSpec, variants: VariantSelection, opts: { trace?: boolean; finish?: boolean } = {}): EngineMachine {
  const m = new EngineMachine(world, variants, { trace: opts.trace, check: 'end' });
  for (const t of m.tasks) {
    t.solo = true;
    runSolo(t);
    // an operation without a twin runs as a generator; one that yielded is blocked unless the
    // announced step can go ahead after all
    while (!t.done && t.canRun()) runOneStep(t);
  }
  // the end-of-run invariants; a caller timing the run alone calls m.finish() itself
  if (opts.finish !== false) m.finish();
  return m;
}

/** runs a lone task's operations in order until it ends or blocks */
function runSolo(t: Task): void {
  t.kernel.current = t;
  try {
    for (;;) {
      const impl = startOp(t);
      if (impl === null) return;
      const twin = soloTwin(impl);
      if (twin === undefined) {
        // no twin (an operation registered by code outside the solo build): its generator
        const g = impl(t, t.ops[t.opIndex], t.opIndex);
        const r = g.next();
        if (!r.done) {
          t.opGen = g;
          return;
        }
        endOp(t, r.value);
        continue;
      }
      let out: OpOutcome;
      try {
        out = twin(t, t.ops[t.opIndex], t.opIndex);
      } catch (e) {
        if (e !== SOLO_BLOCKED) throw e;
        // the task waits on its announced step for good; a plain function cannot be resumed
        t.opGen = cannotResume();
        return;
      }
      endOp(t, out);
    }
  } catch (e) {
    opFailed(t, e);
  }
}

// eslint-disable-next-line require-yield
function* cannotResume(): Generator<Step, OpOutcome, void> {
  throw new Error('a task blocked in the solo build cannot be resumed');
}
