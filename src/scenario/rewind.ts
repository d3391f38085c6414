// Going back to an earlier state of a depth-first search over schedules. A task's running operation
// is a generator that cannot be copied, so a state is reached by replaying its schedule; this keeps
// checkpoints of the machine (Machine.checkpoints) at the states of the current path where no task is
// inside an operation (the start, and wherever every task is done or between operations), and replays
// only from the deepest one at or before the target. Without checkpoints (a machine that has none, a
// side table used, or `checkpoints: false`), the machine is built again and the whole prefix replayed.
// What the search keeps beside the machine is kept per step of its path, not in checkpoints: here, the
// violations each step recorded, which a replay (no step checks) logs again.
//
// Checkpoints save the machine's rebuild, not the replay: one inside an operation would need the task
// frames as data, and record/replay of a task's inputs or an undo log would need every kernel access
// to go through a recorder (kernel functions touch objects directly; an undo log rewinds objects, not
// generators). bench/checkpoints.ts measures what they buy.
import type { Machine, MachineCheckpoint, MachineCheckpoints, Violation } from '../engine/index';

import type { MachineFactory } from './explorer';

export class Rewinder {
  /** the machine the search steps */
  m: Machine;
  private cps: MachineCheckpoints | null = null;
  /** checkpoints of states on the current path, shallowest first */
  private readonly stack: { depth: number; c: MachineCheckpoint }[] = [];
  /** the violations the steps of the current path recorded, with the depth of each step */
  private readonly recorded: Violation[] = [];
  private readonly recordedAt: number[] = [];
  /** violations of m already in `recorded` (or from before the path: a replay's own) */
  private logged = 0;

  constructor(
    private readonly make: MachineFactory,
    use: boolean,
  ) {
    this.m = make();
    if (use && this.m.checkpoints) {
      this.cps = this.m.checkpoints(make());
      this.stepped(0);
      if (this.stack.length === 0) this.cps = null;
    }
  }

  /** the machine has just reached depth `depth` of the current path (0: the start) */
  stepped(depth: number): void {
    const vs = this.m.violations;
    for (let i = this.logged; i < vs.length; i++) {
      this.recorded.push(vs[i]);
      this.recordedAt.push(depth);
    }
    this.logged = vs.length;
    const st = this.stack;
    if (this.cps === null) return;
    // a checkpoint this deep or deeper belongs to a branch the search has left
    while (st.length > 0 && st[st.length - 1].depth >= depth) st.pop();
    // a finished run is a leaf: nothing is explored below it
    if (this.m.done()) return;
    const c = this.cps.take();
    if (c) st.push({ depth, c });
  }

  /**
   * Bring the machine to the end of `path` (a prefix of the path the checkpoints were taken on) with
   * Machine.replay, which logs again the violations its steps recorded when they ran. Returns how many
   * steps were replayed.
   */
  rewind(path: readonly number[]): number {
    const st = this.stack;
    while (st.length > 0 && st[st.length - 1].depth > path.length) st.pop();
    const rec = this.recorded;
    while (rec.length > 0 && this.recordedAt[rec.length - 1] > path.length) {
      rec.pop();
      this.recordedAt.pop();
    }
    let from = 0;
    const top = st[st.length - 1];
    if (this.cps && top && this.cps.restore(top.c)) {
      from = top.depth;
    } else {
      // no checkpoint, or a side table was used: checkpoints are of no more use to this search
      this.cps = null;
      st.length = 0;
      this.m = this.make();
    }
    const m = this.m;
    const rest = from === 0 ? path : path.slice(from);
    if (m.replay) m.replay(rest, rec);
    else for (const t of rest) m.step(t);
    this.logged = m.violations.length;
    return rest.length;
  }
}
