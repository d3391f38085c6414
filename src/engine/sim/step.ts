// The step descriptor a kernel generator yields at every interleaving point. It announces the
// action the task takes next; the scheduler performs lock actions when it resumes the task, so a
// task whose next action is an unavailable lock is not runnable. One Step object per task is
// reused for every yield (no allocation per step); object keys are built only when asked.

import type { Lock } from './locks';

export const enum StepKind {
  /** task not yet started / between operations */
  Start = 0,
  Acquire = 1,
  Release = 2,
  TryAcquire = 3,
  /** a may-sleep point: I/O, GFP_KERNEL allocation, network */
  Sleep = 4,
  PteRead = 5,
  PteWrite = 6,
  /** read / write of a shared object other than a pte (page cache slot, file version, ...) */
  ObjRead = 7,
  ObjWrite = 8,
}

export class Step {
  kind: StepKind = StepKind.Start;
  fn = '';
  /** the label of a step other than a lock's */
  text = '';
  lock: Lock | null = null;
  shared = false;
  /** key prefix ("mm:A/pte:", "file:f/page:") and number for pte/object steps */
  keyPrefix = '';
  keyNum = 0;
  /** the C statement (file:line) that announced the step, for interpreted kernel functions */
  src: string | null = null;

  /** what the step does, e.g. "spin_lock(page_table_lock)", "set_pte" (a lock step's is made from
   * its lock: a replay never asks) */
  get label(): string {
    switch (this.kind) {
      case StepKind.Acquire:
        return this.shared ? this.lock!.acquireSharedLabel : this.lock!.acquireLabel;
      case StepKind.Release:
        return this.shared ? this.lock!.releaseSharedLabel : this.lock!.releaseLabel;
      case StepKind.TryAcquire:
        return this.lock!.tryLabel(this.shared);
      default:
        return this.text;
    }
  }

  /** the object key; keyNum -1 means the prefix is the whole key */
  key(): string {
    return this.keyNum < 0 ? this.keyPrefix : this.keyPrefix + this.keyNum.toString(16);
  }

  /** reads/writes keys for partial-order reduction */
  keys(): { reads: string[]; writes: string[] } {
    switch (this.kind) {
      case StepKind.Acquire:
      case StepKind.Release:
      case StepKind.TryAcquire:
        // readers of a rwsem or a sequence count commute among themselves: they read the lock
        return this.shared && this.kind !== StepKind.TryAcquire
          ? { reads: [this.lock!.key], writes: [] }
          : { reads: [], writes: [this.kind === StepKind.TryAcquire ? this.lock!.key : this.lock!.opKey] };
      case StepKind.PteRead:
      case StepKind.ObjRead:
        return { reads: [this.key()], writes: [] };
      case StepKind.PteWrite:
      case StepKind.ObjWrite:
        return { reads: [], writes: [this.key()] };
      case StepKind.Sleep:
        // the allocation after it is recorded by the allocator itself (Footprint)
        return { reads: [], writes: [] };
      default:
        return { reads: [], writes: [] };
    }
  }
}

/**
 * What a step touched besides its announced object: shared state that kernel code reaches without an
 * interleaving point of its own (the mapping list of a file, the free page list, page reference
 * counts). The Machine switches recording on around each step and merges it into the StepInfo, so
 * that the partial-order reduction sees every conflict. One recorder for the thread: steps never nest.
 */
export const footprint = {
  on: false,
  reads: [] as string[],
  writes: [] as string[],
};

export function touchRead(key: string): void {
  if (footprint.on) footprint.reads.push(key);
}

export function touchWrite(key: string): void {
  if (footprint.on) footprint.writes.push(key);
}
