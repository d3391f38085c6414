// A task (a thread of an mm, or a DFS node's worker) and the context kernel functions run in.
// Kernel functions are generators taking the Task as their first argument; every interleaving
// point is `if (t.<announcement>(...)) yield t.step;`: the announcement fills the task's single Step
// object, and the driver (Machine or the direct runner) calls `perform()` for it, then resumes the
// generator. Lock acquisition happens in perform(), so a task whose announced step is an
// unavailable lock is not runnable. A task running alone performs its steps inline (Task.alone).

import type { MmStruct } from '../mm/mmStruct';
import type { Page } from '../mm/page';

import type { InvariantName } from './catalogue';
import { PAGE_SIZE } from './constants';
import type { InterpretedState } from './interpreted';
import type { Kernel } from './kernel';
import { RwSemaphore, type Lock } from './locks';
import type { OpOutcome } from './ops';
import type { OpSpec, TraceKind } from './spec';
import { Step, StepKind, touchWrite } from './step';

/** A kernel oops (NULL dereference, BUG()): kills the task, its locks stay held as in Linux. */
export class Oops extends Error {
  constructor(
    message: string,
    readonly fn: string,
  ) {
    super(message);
  }
}

export class Task {
  readonly step = new Step();
  /** locks held, in acquisition order (parallel arrays: no allocation per acquire) */
  readonly heldLocks: Lock[] = [];
  readonly heldShared: boolean[] = [];
  spinDepth = 0;
  /** leaf locks held (Lock.leaf) */
  private leafDepth = 0;
  private readonly stack: string[] = [];
  private depth = 0;
  readonly tracing: boolean;
  done = false;
  killed = false;
  /** index of the operation running, and steps taken inside it (part of the task position) */
  opIndex = -1;
  stepsInOp = 0;
  /** result of the last TryAcquire */
  tryResult = false;
  /** data operations keep across ops of this task (e.g. pages collected by get_user_pages, by name) */
  readonly locals = new Map<string, unknown>();
  /** values a kernel function keeps in its own variables that decide later steps (e.g. the
   * truncate_count do_no_page sampled); part of the state hash, cleared when an op starts */
  readonly samples = new Map<string, number>();
  /** the operations this task runs and the generator of the one in progress (driven by runOneStep) */
  ops: readonly OpSpec[] = [];
  nextOp = 0;
  opGen: Generator<Step, OpOutcome, void> | null = null;
  /** faults taken (min_flt / maj_flt) */
  minFlt = 0;
  majFlt = 0;
  /** last user access: the last fault result and the number of faults it took */
  accessFault = 0;
  accessFaults = 0;
  accessMajor = 0;
  accessPage = 0;

  constructor(
    readonly id: number,
    readonly name: string,
    readonly kernel: Kernel,
    public mm: MmStruct | null,
    readonly node: string | null,
    /** the mm a fork will create for this task (`{op: fork, as: NAME}`): not runnable until then */
    public waitMm: string | null = null,
    /** the CPU the task runs on (worlds with TLBs) */
    readonly cpu: string | null = null,
  ) {
    this.tracing = kernel.trace.enabled;
  }

  /** the fork that creates the mm this task waits for returned: the task starts in it */
  attachMm(mm: MmStruct): void {
    this.mm = mm;
    this.waitMm = null;
  }

  // ---- held locks ----
  get held(): { lock: Lock; shared: boolean }[] {
    return this.heldLocks.map((lock, i) => ({ lock, shared: this.heldShared[i] }));
  }
  holds(l: Lock): boolean {
    return this.heldLocks.includes(l);
  }
  /** display names of the locks held; the array is shared until the held set changes */
  locksHeldNames(): string[] {
    return (this.lockNames ??= this.heldLocks.map((l, i) => l.display(this.heldShared[i])));
  }
  private lockNames: string[] | null = null;
  spinlocksHeld(): string[] {
    return this.heldLocks.filter((l) => l.kind === 'spinlock').map((l) => l.key);
  }

  // ---- call stack (source hints) ----
  enter(fn: string): void {
    this.stack[this.depth++] = fn;
    if (this.tracing) this.emit('enter', fn);
  }
  exit(fn: string, ret?: string): void {
    if (this.tracing) this.emit('exit', ret === undefined ? fn : `${fn} = ${ret}`);
    if (this.depth > 0) this.depth--;
  }
  fn(): string {
    return this.depth > 0 ? this.stack[this.depth - 1] : 'user';
  }
  /** unwind after an oops or at the end of an op */
  resetStack(): void {
    this.depth = 0;
  }

  // ---- announcements: `if (t.spinLock(l)) yield t.step;` ----
  // Each fills the task's Step and returns true: the step is yielded to the driver, which performs
  // it. A task that runs alone (the direct runner: nothing can interleave) performs a step that can
  // go ahead at once and returns false.
  private announce(kind: StepKind, label: string): Step {
    const s = this.step;
    s.kind = kind;
    s.fn = this.depth > 0 ? this.stack[this.depth - 1] : 'user';
    s.text = label;
    s.src = this.cLine;
    return s;
  }
  /** a lock step's label is made from its lock when asked for (Step.label) */
  private announceLock(kind: StepKind, l: Lock, shared: boolean): true {
    const s = this.announce(kind, '');
    s.lock = l;
    s.shared = shared;
    return true;
  }
  acquire(l: Lock, shared = false): boolean {
    if (this.leafDepth > 0) this.leafBroken(l);
    if (this.alone && l.canAcquire(this, shared)) {
      this.performAcquire(l, shared);
      return false;
    }
    return this.announceLock(StepKind.Acquire, l, shared);
  }
  release(l: Lock, shared = false): boolean {
    if (this.alone) {
      this.performRelease(l, shared);
      return false;
    }
    return this.announceLock(StepKind.Release, l, shared);
  }
  /** the result is in tryResult once performed */
  tryAcquire(l: Lock, shared = false): boolean {
    if (this.leafDepth > 0) this.leafBroken(l);
    if (this.alone) {
      this.performTryAcquire(l, shared);
      return false;
    }
    return this.announceLock(StepKind.TryAcquire, l, shared);
  }
  spinLock(l: Lock): boolean {
    return this.acquire(l, false);
  }
  spinUnlock(l: Lock): boolean {
    return this.release(l, false);
  }
  downRead(l: Lock): boolean {
    return this.acquire(l, true);
  }
  upRead(l: Lock): boolean {
    return this.release(l, true);
  }
  downWrite(l: Lock): boolean {
    return this.acquire(l, false);
  }
  upWrite(l: Lock): boolean {
    return this.release(l, false);
  }
  lockPage(p: Page): boolean {
    return this.acquire(p.lock, false);
  }
  unlockPage(p: Page): boolean {
    return this.release(p.lock, false);
  }
  /** a lock bit set on an object no other task can reach yet (SetPageLocked in add_to_page_cache):
   * taken at once, without a step or a wait */
  setLockedUncontended(l: Lock): void {
    touchWrite(l.key);
    this.take(l, false);
    if (this.tracing) this.emit('lock', l.acquireLabel.replace(/^[a-z_]+/, 'SetPageLocked'));
  }
  /** a may-sleep point (I/O, GFP_KERNEL allocation, network round trip) */
  sleep(what: string): boolean {
    if (this.alone) {
      this.performSleep(what);
      return false;
    }
    this.announce(StepKind.Sleep, what);
    return true;
  }
  /** pte and object accesses: nothing to perform, so a lone task just goes on */
  private announceKey(kind: StepKind, label: string, prefix: string, n: number): boolean {
    if (this.alone) return false;
    const s = this.announce(kind, label);
    s.keyPrefix = prefix;
    s.keyNum = n;
    return true;
  }
  // keyed by the pte, not the byte: a user access at 0x20008 reads the pte set_pte writes at 0x20000
  pteRead(mm: MmStruct, addr: number, label = 'pte read'): boolean {
    return this.announceKey(StepKind.PteRead, label, mm.pteKey, addr - (addr % PAGE_SIZE));
  }
  pteWrite(mm: MmStruct, addr: number, label = 'set_pte'): boolean {
    return this.announceKey(StepKind.PteWrite, label, mm.pteKey, addr - (addr % PAGE_SIZE));
  }
  objRead(prefix: string, n: number, label: string): boolean {
    return this.announceKey(StepKind.ObjRead, label, prefix, n);
  }
  objWrite(prefix: string, n: number, label: string): boolean {
    return this.announceKey(StepKind.ObjWrite, label, prefix, n);
  }

  sample(name: string, value: number): void {
    this.samples.set(name, value);
  }
  forget(name: string): void {
    this.samples.delete(name);
  }

  /** interpreted C frames of this task (part of the state hash), and the C statement running
   * (file:line), carried by the steps and trace events it produces */
  interp: InterpretedState | null = null;
  cLine: string | null = null;

  /** the task runs alone (direct runner): announced steps that can go ahead are performed inline */
  alone = false;

  // ---- driver side ----
  /** can the announced step run now */
  canRun(): boolean {
    if (this.done || this.waitMm !== null) return false;
    const s = this.step;
    if (s.kind !== StepKind.Acquire) return true;
    const l = s.lock!;
    if (l.canAcquire(this, s.shared)) return true;
    // down_write() that has to wait sleeps on the rwsem's queue, which holds back new readers
    if (!s.shared && l instanceof RwSemaphore) l.queueWriter(this);
    return false;
  }

  /** carry out the announced step's lock action and checks */
  perform(): void {
    const s = this.step;
    switch (s.kind) {
      case StepKind.Acquire:
        this.performAcquire(s.lock!, s.shared);
        break;
      case StepKind.TryAcquire:
        this.performTryAcquire(s.lock!, s.shared);
        break;
      case StepKind.Release:
        this.performRelease(s.lock!, s.shared);
        break;
      case StepKind.Sleep:
        this.performSleep(s.text);
        break;
      default:
        break;
    }
  }

  private performAcquire(l: Lock, shared: boolean): void {
    this.kernel.lockdep.acquire(this, l, shared);
    this.take(l, shared);
    if (this.tracing) this.emit('lock', shared ? l.acquireSharedLabel : l.acquireLabel);
  }

  private performTryAcquire(l: Lock, shared: boolean): void {
    this.tryResult = l.canAcquire(this, shared);
    if (this.tryResult) {
      this.take(l, shared);
      if (this.tracing) this.emit('lock', l.tryLabel(shared) + ' = 1');
    } else if (this.tracing) this.emit('note', l.tryLabel(shared) + ' = 0');
  }

  private performRelease(l: Lock, shared: boolean): void {
    const hl = this.heldLocks;
    const hs = this.heldShared;
    let i = hl.length - 1;
    while (i >= 0 && !(hl[i] === l && hs[i] === shared)) i--;
    if (i < 0 || !l.release(this, shared)) {
      this.violation('unlock-not-held', `${shared ? l.releaseSharedLabel : l.releaseLabel} by ${this.name}, which does not hold it`);
      return;
    }
    this.lockNames = null;
    for (let j = i + 1; j < hl.length; j++) {
      hl[j - 1] = hl[j];
      hs[j - 1] = hs[j];
    }
    hl.pop();
    hs.pop();
    if (l.kind === 'spinlock') this.spinDepth--;
    if (l.leaf) this.leafDepth--;
    if (this.tracing) this.emit('unlock', shared ? l.releaseSharedLabel : l.releaseLabel);
  }

  private performSleep(what: string): void {
    this.kernel.lockdep.sleep(this, what);
    if (this.tracing) this.emit('sleep', what);
  }

  private take(l: Lock, shared: boolean): void {
    this.lockNames = null;
    l.acquire(this, shared);
    this.heldLocks.push(l);
    this.heldShared.push(shared);
    if (l.kind === 'spinlock') this.spinDepth++;
    if (l.leaf) this.leafDepth++;
  }

  /** a lock taken under a leaf lock: the partial-order reduction's premise (Lock.leaf) is false */
  private leafBroken(l: Lock): never {
    const held = this.heldLocks.filter((h) => h.leaf).map((h) => h.name);
    throw new Error(`${this.name}: ${l.name} taken while holding ${held.join(', ')}, declared a leaf lock (Lock.leaf)`);
  }

  // ---- trace and violations ----
  emit(kind: TraceKind, detail: string, fn?: string): void {
    const k = this.kernel;
    if (!k.trace.enabled) return;
    k.trace.push(k.stepNo, this.id, kind, fn ?? this.fn(), detail, this.locksHeldNames(), this.cLine);
  }
  violation(invariant: InvariantName, message: string): void {
    this.kernel.recordViolation(invariant, message, this, this.fn());
  }
  /** a NULL dereference or BUG(): recorded by the driver, which kills the task */
  oops(message: string): never {
    throw new Oops(message, this.fn());
  }
}
