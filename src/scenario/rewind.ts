// Going back to an earlier state of a depth-first search over schedules. A task's running operation
// is a generator that cannot be copied, so a state is reached by replaying its schedule; this keeps
// checkpoints of the machine (Machine.checkpoints) at the states of the current path where no task is
// inside an operation (the start, and wherever every task is done or between operations), and replays
// only from the deepest one at or before the target. Without checkpoints (a machine that has none, a
// side table used, or `checkpoints: false`), the machine is built again and the whole prefix replayed.
//
// Checkpoints save the machine's rebuild, not the replay: one inside an operation would need the task
// frames as data, and record/replay of a task's inputs or an undo log would need every kernel access
// to go through a recorder (kernel functions touch objects directly; an undo log rewinds objects, not
// generators). bench/checkpoints.ts measures what they buy.
import type { Machine, MachineCheckpoint, MachineCheckpoints } from '../engine/index';

import type { MachineFactory } from './explorer';

/** state the search keeps beside the machine, saved and restored with its checkpoints */
export interface RewindSide<S> {
  save(): S;
  load(s: S): void;
  /** back to the start (a rebuilt machine) */
  reset(): void;
}

export class Rewinder<R extends RewindSide<unknown> = RewindSide<unknown>> {
  /** the machine the search steps */
  m: Machine;
  private cps: MachineCheckpoints | null = null;
  /** checkpoints of states on the current path, shallowest first */
  private readonly stack: { depth: number; c: MachineCheckpoint; side: unknown }[] = [];
  readonly side: R | undefined;

  constructor(
    private readonly make: MachineFactory,
    use: boolean,
    side?: (m: Machine) => R,
  ) {
    this.m = make();
    this.side = side?.(this.m);
    if (use && this.m.checkpoints) {
      this.cps = this.m.checkpoints(make());
      this.stepped(0);
      if (this.stack.length === 0) this.cps = null;
    }
  }

  /** the machine has just reached depth `depth` of the current path (0: the start) */
  stepped(depth: number): void {
    const st = this.stack;
    if (this.cps === null) return;
    // a checkpoint this deep or deeper belongs to a branch the search has left
    while (st.length > 0 && st[st.length - 1].depth >= depth) st.pop();
    // a finished run is a leaf: nothing is explored below it
    if (this.m.done()) return;
    const c = this.cps.take();
    if (c) st.push({ depth, c, side: this.side?.save() });
  }

  /**
   * Bring the machine to the end of `path` (a prefix of the path the checkpoints were taken on) and
   * return it; `step` takes one step of the replay (the default: Machine.replay). Returns how many
   * steps were replayed.
   */
  rewind(path: readonly number[], step?: (m: Machine, t: number) => void): number {
    const st = this.stack;
    while (st.length > 0 && st[st.length - 1].depth > path.length) st.pop();
    let from = 0;
    const top = st[st.length - 1];
    if (this.cps && top && this.cps.restore(top.c)) {
      from = top.depth;
      this.side?.load(top.side);
    } else {
      // no checkpoint, or a side table was used: checkpoints are of no more use to this search
      this.cps = null;
      st.length = 0;
      this.m = this.make();
      this.side?.reset();
    }
    const m = this.m;
    const rest = from === 0 ? path : path.slice(from);
    if (step) for (const t of rest) step(m, t);
    else if (m.replay) m.replay(rest);
    else for (const t of rest) m.step(t);
    return rest.length;
  }
}
