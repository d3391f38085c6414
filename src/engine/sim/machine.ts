// The Machine of spec.ts: builds the world, runs each task's operations through the op table
// under a caller-driven scheduler, and records results, trace, violations and invariants.

import { restoreCheckpoint, sharedObjects, takeCheckpoint, type Checkpoint } from './checkpoint';
import { checkBalances, checkFreedMapped, checkOrphanPtes, checkRss, checkStalePtes } from './invariants';
import { Kernel, type KernelOptions } from './kernel';
import { RwSemaphore, type Lock } from './locks';
import { opImpl, type OpOutcome } from './ops';
import { takeSnapshot } from './snapshot';
import type {
  Machine,
  MachineCheckpoint,
  MachineCheckpoints,
  MachineSnapshot,
  OpResult,
  OpSpec,
  StepInfo,
  TraceEvent,
  VariantSelection,
  Violation,
  WorldSpec,
} from './spec';
import { hashKernelState } from './stateHash';
import { footprint, StepKind, type Step } from './step';
import { Oops, Task } from './task';

export interface MachineOptions extends Omit<KernelOptions, 'trace'> {
  trace?: boolean;
  /** check step invariants after every step (default) or only at finish() */
  check?: 'step' | 'end';
}

export function describeOp(op: OpSpec): string {
  const parts: string[] = [op.op];
  for (const [k, v] of Object.entries(op)) {
    if (k === 'op') continue;
    parts.push(`${k}=${typeof v === 'number' && k === 'addr' ? '0x' + v.toString(16) : Array.isArray(v) ? v.join('|') : String(v)}`);
  }
  return parts.join(' ');
}

export class EngineMachine implements Machine {
  readonly kernel: Kernel;
  readonly tasks: Task[] = [];
  readonly taskNames: readonly string[];
  private readonly checkEachStep: boolean;
  private finished = false;

  constructor(world: WorldSpec, variants: VariantSelection, opts: MachineOptions = {}) {
    this.kernel = new Kernel(world, variants, opts);
    this.checkEachStep = (opts.check ?? 'step') === 'step';
    const names = new Set<string>();
    const forked = forkedMms(world, this.kernel);
    world.tasks.forEach((ts, i) => {
      if (names.has(ts.name)) throw new Error(`task '${ts.name}' declared twice`);
      names.add(ts.name);
      let mm = null;
      let waitMm: string | null = null;
      if (ts.mm !== undefined) {
        mm = this.kernel.mms.get(ts.mm) ?? null;
        if (!mm && forked.has(ts.mm)) waitMm = ts.mm;
        else if (!mm) throw new Error(`task '${ts.name}': unknown mm '${ts.mm}'`);
      }
      const node = ts.node ?? mm?.node ?? (waitMm !== null ? forked.get(waitMm)! : null);
      if (node !== null && !this.kernel.dfs.nodes.includes(node)) throw new Error(`task '${ts.name}': unknown node '${node}'`);
      ts.ops.forEach((op, j) => {
        if (!this.kernel.hasOp(op.op)) throw new Error(`task '${ts.name}' op ${j}: unknown operation '${op.op}'`);
      });
      const cpus = world.cpus ?? [];
      if (ts.cpu !== undefined && !cpus.includes(ts.cpu))
        throw new Error(
          `task '${ts.name}': unknown CPU '${ts.cpu}'${cpus.length ? ` (declared: ${cpus.join(', ')})` : ' (world.cpus declares none)'}`,
        );
      const t = new Task(i, ts.name, this.kernel, mm, node, waitMm, ts.cpu ?? cpus[0] ?? null);
      t.ops = ts.ops;
      this.tasks.push(t);
      this.kernel.tasks.push(t);
    });
    this.taskNames = this.tasks.map((t) => t.name);
  }

  get results(): readonly OpResult[] {
    return this.kernel.results;
  }
  get violations(): readonly Violation[] {
    return this.kernel.violations.list;
  }
  get trace(): readonly TraceEvent[] {
    return this.kernel.trace.events;
  }

  runnable(): number[] {
    const out: number[] = [];
    for (const t of this.tasks) if (t.canRun()) out.push(t.id);
    return out;
  }

  step(i: number): StepInfo {
    const t = this.tasks[i];
    if (!t) throw new Error(`step(${i}): no such task`);
    if (!t.canRun()) throw new Error(`step(${i}): task '${t.name}' is not runnable`);
    const s = t.step;
    const keys = s.keys();
    const info: StepInfo = {
      task: i,
      fn: s.kind === StepKind.Start ? 'start' : s.fn,
      label: s.kind === StepKind.Start ? 'start' : s.label,
      reads: keys.reads,
      writes: keys.writes,
    };
    if (s.kind >= StepKind.Acquire && s.kind <= StepKind.TryAcquire) {
      const l = s.lock!;
      info.lock = {
        op: s.kind === StepKind.Acquire ? 'acquire' : s.kind === StepKind.Release ? 'release' : 'try',
        shared: s.shared,
        seq: l.kind === 'seqcount',
      };
    }
    if (s.src !== null && s.kind !== StepKind.Start) info.src = s.src;
    this.kernel.stepNo++;
    const took = s.kind === StepKind.Acquire || s.kind === StepKind.TryAcquire ? s.lock : null;
    // what the code up to the next interleaving point touches without announcing it
    footprint.on = true;
    footprint.reads = keys.reads;
    footprint.writes = keys.writes;
    try {
      runOneStep(t);
      this.queueWriters(t, took, keys.writes);
    } finally {
      footprint.on = false;
    }
    if (this.checkEachStep) {
      checkStalePtes(this.kernel, false);
      checkRss(this.kernel, false);
      checkFreedMapped(this.kernel);
    }
    return info;
  }

  /**
   * After task t's step: a writer that now has to wait for an rwsem queues on it (Task.canRun),
   * which holds back new readers. The step that leads to a down_write() writes the semaphore even
   * when it is free: whether a later acquire by another task queues this writer (and so keeps that
   * task's next down_read() out) depends on it, so it does not commute with the other task's lock
   * steps (anon-fault: the writer's start before or after the reader's down_read decides whether
   * the reader's second fault can still precede the mmap). A writer that this step's acquire (`took`)
   * makes wait queues now, not when someone next asks runnable() (the state after a step does not
   * depend on who looked at it, nor on whether the step ran or was replayed), and the step writes the
   * semaphore too. `writes`: the step's footprint, null in a replay.
   */
  private queueWriters(t: Task, took: Lock | null, writes: string[] | null): void {
    const n = t.step;
    if (!t.done && n.kind === StepKind.Acquire && !n.shared && n.lock instanceof RwSemaphore) {
      // a step that leads to down_write() writes the semaphore even when it is free: this writer
      // queues as soon as another task holds it, which holds back new readers
      writes?.push(n.lock.key);
      if (!n.lock.canAcquire(t, false)) n.lock.queueWriter(t);
    }
    if (took instanceof RwSemaphore) {
      const queued = took.waitingWriters.length;
      for (const u of this.tasks) if (u !== t && u.step.lock === took) u.canRun();
      if (took.waitingWriters.length !== queued) writes?.push(took.key);
    }
  }

  /** take these steps again, as the explorer does to come back to a state: no footprints, no step
   * checks (both were had when the steps first ran; the violations they recorded come back from
   * `recorded`); the scheduler's view is the same (runnable()) */
  replay(schedule: readonly number[], recorded?: readonly Violation[]): void {
    const tasks = this.tasks;
    for (const i of schedule) {
      // what runnable() does, without its array: canRun() queues a writer that has to wait
      for (let j = 0; j < tasks.length; j++) tasks[j].canRun();
      const t = tasks[i];
      if (!t?.canRun()) throw new Error(`replay: task ${i} is not runnable`);
      this.kernel.stepNo++;
      const s = t.step;
      const took = s.kind === StepKind.Acquire || s.kind === StepKind.TryAcquire ? s.lock : null;
      runOneStep(t);
      this.queueWriters(t, took, null);
    }
    if (recorded) for (const v of recorded) this.kernel.violations.add(v);
  }

  /** the footprint task `i` announces for its next step, without running it (for the explorer's
   * race checks on a task still waiting at the end of a run) */
  announced(i: number): StepInfo | null {
    if (this.tasks[i].done) return null;
    const s = this.tasks[i].step;
    const keys = s.keys();
    const info: StepInfo = { task: i, fn: s.fn, label: s.label, reads: keys.reads, writes: keys.writes };
    if (s.kind >= StepKind.Acquire && s.kind <= StepKind.TryAcquire) {
      info.lock = {
        op: s.kind === StepKind.Acquire ? 'acquire' : s.kind === StepKind.Release ? 'release' : 'try',
        shared: s.shared,
        seq: s.lock!.kind === 'seqcount',
      };
    }
    return info;
  }

  done(): boolean {
    return this.tasks.every((t) => t.done);
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    const k = this.kernel;
    const blocked = this.tasks.filter((t) => !t.done);
    if (blocked.length > 0 && !blocked.some((t) => t.canRun())) {
      const waits = blocked.map((t) => {
        const l = t.step.lock;
        if (t.step.kind === StepKind.Acquire && l) {
          const holders = l.holderNames();
          return `${t.name} waits in ${t.step.fn} for ${l.key}${holders.length ? ` held by ${holders.join(', ')}` : ''}`;
        }
        return `${t.name} stopped in ${t.step.fn}`;
      });
      k.recordViolation('deadlock', `no task can run: ${waits.join('; ')}`, null, 'scheduler');
    }
    checkStalePtes(k, true);
    checkRss(k, true);
    checkFreedMapped(k);
    checkOrphanPtes(k);
    if (blocked.length === 0) checkBalances(k);
  }

  stateHash(): string {
    return hashKernelState(this.kernel, this.tasks);
  }

  snapshot(): MachineSnapshot {
    return takeSnapshot(this.kernel);
  }

  checkpoints(sibling: Machine): MachineCheckpoints {
    const shared = sharedObjects(this, sibling);
    return {
      take: () => (this.tasks.every((t) => t.opGen === null) ? takeCheckpoint(this, shared) : null),
      restore: (c: MachineCheckpoint) => restoreCheckpoint(c as Checkpoint),
    };
  }

  /**
   * Run with a simple deterministic policy until no task can run, then finish(). A run longer than
   * `maxSteps` (a retry loop that an unfair schedule never lets end) is cut and recorded.
   */
  runAll(pick: (runnable: number[], step: number) => number = (r) => r[0], maxSteps = 5_000_000): this {
    let n = 0;
    for (;;) {
      const r = this.runnable();
      if (r.length === 0) break;
      if (n >= maxSteps) {
        this.kernel.recordViolation(
          'no-progress',
          `still running after ${maxSteps} steps under this schedule: ${this.tasks
            .filter((t) => !t.done)
            .map((t) => `${t.name} in ${t.step.fn}`)
            .join(', ')}`,
          null,
          'scheduler',
        );
        break;
      }
      this.step(pick(r, n++));
    }
    this.finish();
    return this;
  }
}

/**
 * Perform the announced step and run the task to its next interleaving point. Operations run in
 * order; an operation that ends starts the next one within the same step. Each returns to user
 * space, where no lock may be held.
 */
export function runOneStep(t: Task): void {
  t.kernel.current = t;
  // only lock actions and may-sleep points need performing
  const kind = t.step.kind;
  if (kind >= StepKind.Acquire && kind <= StepKind.Sleep) t.perform();
  t.stepsInOp++;
  try {
    for (;;) {
      let g = t.opGen;
      if (g === null) {
        g = t.opGen = startOp(t);
        if (g === null) return;
      }
      const r = g.next();
      if (!r.done) return;
      t.opGen = null;
      endOp(t, r.value);
    }
  } catch (e) {
    opFailed(t, e);
  }
}

/** the task's next operation, started: its generator, or null when the task has run them all */
export function startOp(t: Task): Generator<Step, OpOutcome, void> | null {
  if (t.nextOp >= t.ops.length) {
    t.opIndex = t.ops.length;
    t.done = true;
    return null;
  }
  const i = t.nextOp++;
  const op = t.ops[i];
  t.opIndex = i;
  t.stepsInOp = 0;
  t.samples.clear();
  if (t.tracing) t.emit('op', describeOp(op), op.op);
  const extra = t.kernel.extraOps.get(op.op);
  return extra ? extra(t, op, i) : opImpl(op)(t, op, i);
}

/** an operation returned to user space: its result, its signal, and no lock may still be held */
export function endOp(t: Task, out: OpOutcome): void {
  t.resetStack();
  const op = t.ops[t.opIndex];
  t.kernel.results.push(
    out.signal
      ? { task: t.name, index: t.opIndex, op: op.op, result: out.result, signal: out.signal }
      : { task: t.name, index: t.opIndex, op: op.op, result: out.result },
  );
  if (out.signal && t.tracing) t.emit('signal', `${out.signal} after ${op.op}`, op.op);
  if (t.heldLocks.length > 0) {
    t.violation('lock-held-at-return', `returning to user space from ${op.op} with ${t.locksHeldNames().join(', ')} held`);
  }
}

/** an oops (the task is killed, its locks stay held) or an engine error stops the task */
export function opFailed(t: Task, e: unknown): void {
  t.done = true;
  t.killed = true;
  t.opGen = null;
  if (e instanceof Oops) {
    t.kernel.recordViolation(
      'oops',
      `${e.message}; task ${t.name} killed${t.heldLocks.length ? `, still holding ${t.locksHeldNames().join(', ')}` : ''}`,
      t,
      e.fn,
    );
  } else {
    const err = e instanceof Error ? e : new Error(String(e));
    t.kernel.recordViolation('engine-error', `${err.message} (task ${t.name} stopped)`, t, t.fn(), err.stack);
  }
}

/** the mms `{op: fork, as}` creates, with the DFS node they inherit; a name forked twice or
 * colliding with a declared mm is refused */
function forkedMms(world: WorldSpec, k: Kernel): Map<string, string | null> {
  const parentOf = new Map<string, string | undefined>();
  for (const ts of world.tasks)
    for (const op of ts.ops) {
      if (op.op !== 'fork') continue;
      if (k.mms.has(op.as)) throw new Error(`task '${ts.name}': fork as '${op.as}', which names a declared mm`);
      if (parentOf.has(op.as)) throw new Error(`task '${ts.name}': a second fork as '${op.as}'`);
      parentOf.set(op.as, ts.mm);
    }
  const out = new Map<string, string | null>();
  for (const name of parentOf.keys()) {
    // the node of the nearest declared ancestor
    let p = parentOf.get(name);
    for (let depth = 0; p !== undefined && !k.mms.has(p) && depth < parentOf.size; depth++) p = parentOf.get(p);
    out.set(name, p !== undefined ? (k.mms.get(p)?.node ?? null) : null);
  }
  return out;
}

export function createMachine(world: WorldSpec, variants: VariantSelection, opts: MachineOptions = {}): EngineMachine {
  return new EngineMachine(world, variants, opts);
}
