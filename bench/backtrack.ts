// What a backtrack of the explorer costs, part by part, on the ladder's worlds: building a Machine,
// restoring a checkpoint of it (what the search does instead, rewind.ts), taking one, a replayed step
// (Machine.replay: no footprints, no checks), a step as the search first takes it (footprints and step
// checks), and a state hash.
import { createMachine } from '../src/engine/index';
import { runSchedule } from '../src/scenario/explorer';

import { faultersAndTruncate } from './ladder';
import { cpuMs } from './measure';

export interface BacktrackCost {
  n: number;
  variant: string;
  /** steps of the default run */
  runSteps: number;
  makeUs: number;
  /** restoring the machine's checkpoint at the start (from the end of a run), and taking one */
  restoreUs: number;
  takeUs: number;
  replayStepUs: number;
  freshStepUs: number;
  hashUs: number;
}

function cpuUs(f: () => void): number {
  const c0 = cpuMs();
  f();
  return (cpuMs() - c0) * 1000;
}

export function backtrackCost(n: number, variant: string, reps = 400): BacktrackCost {
  const w = faultersAndTruncate(n);
  const make = () => createMachine(w, { fault: variant });
  const schedule = runSchedule(make).schedule;
  // warm-up (JIT)
  for (let i = 0; i < 50; i++) make().replay(schedule);
  const makeUs = cpuUs(() => {
    for (let i = 0; i < reps; i++) make();
  });
  const replayUs = cpuUs(() => {
    for (let i = 0; i < reps; i++) make().replay(schedule);
  });
  const freshUs = cpuUs(() => {
    for (let i = 0; i < reps; i++) {
      const m = make();
      for (const t of schedule) m.step(t);
    }
  });
  const r = make();
  const cps = r.checkpoints(make());
  const start = cps.take()!;
  let c = start;
  const takeUs = cpuUs(() => {
    for (let i = 0; i < reps; i++) c = cps.take()!;
  });
  r.replay(schedule);
  const restoreUs = cpuUs(() => {
    for (let i = 0; i < reps; i++) cps.restore(c);
  });
  if (!cps.restore(start)) throw new Error('checkpoint refused');
  const m = make();
  m.replay(schedule.slice(0, schedule.length >> 1));
  const hashUs = cpuUs(() => {
    for (let i = 0; i < reps * 10; i++) m.stateHash();
  });
  const per = reps * schedule.length;
  return {
    n,
    variant,
    runSteps: schedule.length,
    makeUs: +(makeUs / reps).toFixed(2),
    restoreUs: +(restoreUs / reps).toFixed(2),
    takeUs: +(takeUs / reps).toFixed(2),
    replayStepUs: +((replayUs - makeUs) / per).toFixed(3),
    freshStepUs: +((freshUs - makeUs) / per).toFixed(3),
    hashUs: +(hashUs / (reps * 10)).toFixed(2),
  };
}
