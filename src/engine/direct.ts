// The direct runner: each task runs to completion in turn, through the same generators and kernel
// functions as the Machine, without the scheduler's bookkeeping (no StepInfo, no per-step
// invariant scan). A task runs alone, so its steps are performed where they are announced (Task.solo)
// and it yields only on a lock another task holds, which is a deadlock here.

import type { VariantSelection, WorldSpec } from './spec';
import { EngineMachine, runOneStep } from './machine';

export function runDirect(world: WorldSpec, variants: VariantSelection, opts: { trace?: boolean; finish?: boolean } = {}): EngineMachine {
  const m = new EngineMachine(world, variants, { trace: opts.trace, check: 'end' });
  for (const t of m.tasks) {
    t.solo = true;
    while (!t.done && t.canRun()) runOneStep(t);
  }
  // the end-of-run invariants; a caller timing the run alone calls m.finish() itself
  if (opts.finish !== false) m.finish();
  return m;
}
