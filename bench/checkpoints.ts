// Going back through machine checkpoints against rebuilding the machine and replaying the whole prefix
// (ExploreOptions.checkpoints), on the ladder's worlds: the same search twice, alternating, in one
// process, so that the ratio of CPU times is measured under the same load. Both must give the same
// counts; a search too big to finish is cut at the same number of schedules for both (the same work).
import { createMachine } from '../src/engine/index';
import { explore } from '../src/scenario/explorer';

import { faultersAndTruncate } from './ladder';
import { cpuMs, median } from './measure';

export interface CheckpointRatio {
  n: number;
  variant: string;
  schedules: number;
  states: number;
  complete: boolean;
  /** machine steps executed, replays included, without and with checkpoints */
  stepsFull: number;
  stepsCheckpointed: number;
  /** median CPU ms of the runs of each */
  fullCpuMs: number;
  checkpointedCpuMs: number;
  /** full / checkpointed */
  speedup: number;
}

export function checkpointRatio(n: number, variant: string, maxSchedules: number | undefined, rounds = 2): CheckpointRatio {
  const w = faultersAndTruncate(n);
  const make = () => createMachine(w, { fault: variant });
  const full: number[] = [];
  const cp: number[] = [];
  let stepsFull = 0;
  let stepsCp = 0;
  let ref = '';
  let last = { schedules: 0, states: 0, complete: false };
  for (let i = 0; i < rounds; i++) {
    for (const checkpoints of [false, true]) {
      const c0 = cpuMs();
      const r = explore(make, { shrink: false, checkpoints, maxSchedules });
      (checkpoints ? cp : full).push(cpuMs() - c0);
      if (checkpoints) stepsCp = r.steps;
      else stepsFull = r.steps;
      const key = JSON.stringify([r.schedules, r.states, r.pruned, r.complete, r.violations.map((v) => [v.invariant, v.schedule])]);
      if (ref && key !== ref) throw new Error(`N=${n} ${variant}: checkpoints changed the search: ${key} against ${ref}`);
      ref = key;
      last = { schedules: r.schedules, states: r.states, complete: r.complete };
    }
  }
  const f = median(full);
  const c = median(cp);
  return {
    n,
    variant,
    ...last,
    stepsFull,
    stepsCheckpointed: stepsCp,
    fullCpuMs: +f.toFixed(1),
    checkpointedCpuMs: +c.toFixed(1),
    speedup: +(f / c).toFixed(2),
  };
}
