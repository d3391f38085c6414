// The direct runner: each task runs to completion in turn, through the same kernel functions as the
// Machine, without the scheduler's bookkeeping (no StepInfo, no per-step invariant scan). A task
// runs alone (Task.alone), so its steps are performed where they are announced and its generators
// yield only on a lock another task holds, which is a deadlock here: the task stops there.

import type { VariantSelection, WorldSpec } from './spec';
import { EngineMachine, runOneStep, type MachineOptions } from './machine';

export function runDirect(world: WorldSpec, variants: VariantSelection, opts: Omit<MachineOptions, 'check'> & { finish?: boolean } = {}): EngineMachine {
  const m = new EngineMachine(world, variants, { ...opts, check: 'end' });
  for (const t of m.tasks) {
    t.alone = true;
    // a generator that yielded is blocked unless the announced step can go ahead after all
    while (!t.done && t.canRun()) runOneStep(t);
  }
  // the end-of-run invariants; a caller timing the run alone calls m.finish() itself
  if (opts.finish !== false) m.finish();
  return m;
}
