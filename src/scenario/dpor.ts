// Dynamic partial-order reduction for the schedule explorer: source-DPOR with sleep sets (Abdulla et
// al., POPL 2014; the algorithm of Nidhugg), locks handled as Nidhugg does. Each step is an
// event with a footprint: the objects it read and wrote and the lock operation it performed, as the
// Machine recorded them (StepInfo). Two steps of different tasks whose footprints are disjoint (or only
// read the same objects) commute: exploring one order of them covers both. Where a step conflicts with
// an earlier step of another task that could have run in the other order, the search comes back to the
// state before that earlier step and runs the later task there. Sleep sets keep a task that was already
// explored at a state from being explored again after steps independent of it.
//
// Going back to a state restores the deepest machine checkpoint on the path before it and replays the
// schedule from there (rewind.ts; Machine.replay: no footprints, no step checks). States are hashed
// where the schedule has a choice. A state explored before (with no task awake now that slept then,
// and no fewer steps left) is not explored again: the races of the current prefix with the steps below
// it are what the stateless search would find by running them again, and they are found from the
// tree of footprints its first visit left (Explored; revisit() walks it with vector clocks against
// the new prefix, and with sleep sets, as the search would run it). `stateCache: false` is the
// stateless search, the reference.
import type { Machine, StepInfo } from '../engine/index';

import { ConflictTable, leafOp, overlap } from './dporConflicts';
import type { MachineFactory } from './explorer';
import { Rewinder } from './rewind';

/** what the search needs of its host (Search in explorer.ts): counters, limits, violation collection */
export interface DporHost {
  readonly make: MachineFactory;
  readonly maxSteps: number;
  readonly hashes: Set<string>;
  schedules: number;
  steps: number;
  pruned: number;
  revisits: number;
  complete: boolean;
  stepBounded: boolean;
  /** cut revisits of explored states (see revisit) */
  readonly stateCache?: boolean;
  /** steps kept for revisits, at most (default DPOR_TREE_STEPS) */
  readonly stateCacheSteps?: number;
  /** go back through machine checkpoints (default) or by rebuilding and replaying the whole prefix */
  readonly checkpoints?: boolean;
  collect(m: Machine, from: number, path: readonly number[], base?: readonly number[]): number;
  poll(): boolean;
  /** true when the caller wants the event loop (slices of about 20 ms) */
  sliceDue(): boolean;
}

/** the most tasks the bit sets below hold */
export const DPOR_MAX_TASKS = 30;

/** A step's task and footprint, with its id in the search's ConflictTable. */
interface Fp {
  task: number;
  /** ConflictTable id of (task, reads, writes, lock) */
  sig: number;
  reads: readonly string[];
  writes: readonly string[];
  lock?: StepInfo['lock'];
}

/** One executed step. */
interface Event extends Fp {
  /** position among the task's own events */
  idx: number;
  /** vector clock: clock[q] = events of task q that happen before this one, itself included */
  clock: Int32Array;
  /** index in `events` of the acquire of the leaf lock this task holds here (-1: none) */
  sec: number;
}

interface Node {
  /** tasks that can run here (bit set) */
  enabled: number;
  /** tasks to explore here */
  backtrack: number;
  /** tasks explored here */
  done: number;
  /** tasks asleep here, with the step each would take (explored already, from here or an ancestor) */
  sleep: Fp[];
  /** the task that ran last before this state (-1 at the root) */
  last: number;
  /** tasks asleep on arrival (bit set) */
  asleep: number;
  /** the state's hash where it is kept for revisits ('' where the schedule had no choice) */
  hash: string;
  depth: number;
  /** what was explored below, as the search left it (kept for revisits) */
  tree: Explored;
}

/**
 * The steps explored below a state, as footprint ids: what a revisit of the state needs to find the
 * races of those steps with its own prefix without running them (revisit()). A child is the tree of
 * the state after the step (null: a leaf with no step waiting), or the tree kept for a state that was
 * cut there as a revisit itself.
 */
interface Explored {
  /** ConflictTable ids of the steps taken here, and what each led to */
  readonly steps: number[];
  readonly kids: (Explored | null)[];
  /** steps of tasks that could not run here (waiting on a lock, or every task at a leaf) */
  pending: number[] | null;
}

/** A state whose subtree was explored, kept for revisits. */
interface Kept {
  /** the tasks asleep in every visit (a revisit with these asleep explores nothing new) */
  asleep: number;
  /** the deepest visit (a revisit as deep or deeper has no more steps left before the bound) */
  depth: number;
  tree: Explored;
}

/**
 * Steps kept in explored trees, at most (about 100 bytes each). Past it the search drops them and
 * goes on stateless: revisits are explored again (the same result, more steps).
 */
export const DPOR_TREE_STEPS = 4_000_000;

/** an empty sleep set (shared: never pushed to) */
const NO_SLEEP: Fp[] = [];

function has(a: Uint32Array, id: number): boolean {
  const w = id >>> 5;
  return w < a.length && (a[w] & (1 << (id & 31))) !== 0;
}

/**
 * Can the earlier step `a` and the later step `b` of another task both be possible in some state?
 * A release of a lock held exclusively and an acquire of it never are (the acquire waits for the
 * release): reordering them is no race, the order of the two critical sections is decided at the
 * earlier acquire. A trylock is always possible, and so are a sequence count's readers.
 */
function coEnabled(a: Fp, b: Fp): boolean {
  const la = a.lock;
  const lb = b.lock;
  if (!la || !lb || la.op !== 'release' || lb.op !== 'acquire' || lockKey(a) !== lockKey(b)) return true;
  return la.seq ? la.shared || lb.shared : la.shared && lb.shared;
}

/** the lock a lock operation works on: read by a reader, written by a writer (Step.keys) */
function lockKey(e: { lock?: StepInfo['lock']; reads: readonly string[]; writes: readonly string[] }): string {
  return e.lock!.shared && e.lock!.op !== 'try' ? e.reads[0] : e.writes[0];
}

const NONE = 0x7fffffff;

/** a step of task q with vector clock c comes after none of the steps `first` holds (other tasks') */
function initial(q: number, c: Int32Array, first: Int32Array): boolean {
  for (let r = 0; r < first.length; r++) if (r !== q && c[r] > first[r]) return false;
  return true;
}

function bit(t: number): number {
  return 1 << t;
}

function lowest(mask: number): number {
  return 31 - Math.clz32(mask & -mask);
}

/** a step asleep at a subtree's root: its task and footprint */
export interface SleepingStep {
  task: number;
  reads: string[];
  writes: string[];
  lock?: StepInfo['lock'];
}

/** A subtree of the search, to be explored on its own (by a worker): the schedule that leads to its
 * root, the steps asleep there, and the task that ran last. Plain data. */
export interface DporJob {
  prefix: number[];
  sleep: SleepingStep[];
  last: number;
}

export interface DporOptions {
  /** explore the subtree of `job` only */
  job?: DporJob;
  /** above this depth every runnable task is explored (sleep sets only); the states at this depth are
   * handed to `onJob` instead of being explored: races from below never need a branch above it */
  splitDepth?: number;
  onJob?: (job: DporJob) => void;
}

export class DporSearch {
  private readonly events: Event[] = [];
  private readonly nodes: Node[] = [];
  private readonly path: number[] = [];
  /** index in `events` of each task's last event on the current path (-1: none) */
  private readonly lastOf: number[] = [];
  /** race()'s join of clocks (one per search: race() does not nest) */
  private acc = new Int32Array(0);
  private m!: Machine;
  private rw!: Rewinder;
  private valid = false;
  private seen = 0;
  private tasks = 0;
  /** footprints met, and their conflicts */
  private readonly fp = new ConflictTable();
  private readonly fps: Fp[] = [];
  private readonly pool: Event[] = [];
  /** revisits are cut (DporHost.stateCache, until DPOR_TREE_STEPS) */
  private caching = false;
  private treeSteps = 0;
  private treeLimit = DPOR_TREE_STEPS;
  /** states explored, by hash: a revisit is cut (its subtree's steps race with the new prefix) */
  private readonly kept = new Map<string, Kept>();

  /** the schedule to the root of this search (a job's prefix) */
  private readonly base: number[];

  constructor(
    private readonly h: DporHost,
    private readonly o: DporOptions = {},
  ) {
    this.base = o.job?.prefix ?? [];
  }

  *run(): Generator<void, void, void> {
    const h = this.h;
    this.rw = new Rewinder(h.make, h.checkpoints !== false);
    this.m = this.rw.m;
    this.valid = true;
    this.tasks = this.m.taskNames.length;
    this.caching = h.stateCache !== false;
    this.treeLimit = h.stateCacheSteps ?? DPOR_TREE_STEPS;
    if (this.tasks > DPOR_MAX_TASKS) throw new Error(`partial-order reduction handles at most ${DPOR_MAX_TASKS} tasks`);
    this.lastOf.length = this.tasks;
    this.lastOf.fill(-1);
    this.acc = new Int32Array(this.tasks);

    const job = this.o.job;
    if (job) {
      h.steps += this.rw.rewind(job.prefix);
      this.m = this.rw.m;
      this.rw.stepped(job.prefix.length);
      this.seen = this.m.violations.length;
    }
    const sleep: Fp[] = (job?.sleep ?? []).map((e) => this.fpOf(e.task, e.reads, e.writes, e.lock));
    if (!this.enter(job ? job.last : -1, sleep, null, -1)) return;
    while (this.nodes.length > 0) {
      if (h.sliceDue()) yield;
      if (h.poll()) {
        h.complete = false;
        return;
      }
      const d = this.nodes.length - 1;
      const n = this.nodes[d];
      let asleep = 0;
      for (const e of n.sleep) asleep |= bit(e.task);
      const cand = n.backtrack & ~n.done & ~asleep;
      if (cand === 0) {
        this.pop();
        continue;
      }
      // the task that ran last goes on if it may: the first run is the default non-preemptive one
      const p = n.last >= 0 && cand & bit(n.last) ? n.last : lowest(cand);
      n.done |= bit(p);
      if (!this.valid) this.replay();
      const info = this.m.step(p);
      h.steps++;
      const ev = this.event(info);
      this.race(ev, ev.clock, d);
      // the child's sleep set: what sleeps here (and the siblings explored before) and is independent
      const childSleep: Fp[] = [];
      for (const s of n.sleep) if (s.task !== p && !this.fp.wakes(s.sig, ev.sig)) childSleep.push(s);
      n.sleep.push(ev);
      this.events.push(ev);
      this.path.push(p);
      this.lastOf[p] = this.events.length - 1;
      this.rw.stepped(this.base.length + this.path.length);
      if (!this.enter(p, childSleep, n.tree, ev.sig)) {
        // a leaf: the machine is past it
        this.events.pop();
        this.path.pop();
        this.lastOf[p] = this.prevOf(p, this.events.length);
        this.valid = false;
      }
    }
  }

  /**
   * A new state at the end of `path`, reached by step `sig` from the state whose explored tree is
   * `from` (null at the root): push its node, or count it as a leaf and return false.
   */
  private enter(last: number, sleep: Fp[], from: Explored | null, sig: number): boolean {
    const h = this.h;
    const m = this.m;
    this.seen = h.collect(m, this.seen, this.path, this.base);
    const runnable = m.runnable();
    const depth = this.base.length + this.path.length;
    let hash = '';
    if (runnable.length !== 1 || depth >= h.maxSteps) {
      hash = m.stateHash();
      h.hashes.add(hash);
    }
    const tree: Explored = { steps: [], kids: [], pending: null };
    if (runnable.length === 0) {
      this.pendingRaces(m, 0, tree);
      m.finish();
      this.seen = h.collect(m, this.seen, this.path, this.base);
      return this.leaf(from, sig, tree.pending === null ? null : tree);
    }
    if (depth >= h.maxSteps) {
      this.pendingRaces(m, 0, tree);
      h.complete = false;
      h.stepBounded = true;
      return this.leaf(from, sig, tree.pending === null ? null : tree);
    }
    let enabled = 0;
    for (const t of runnable) enabled |= bit(t);
    let asleep = 0;
    for (const e of sleep) asleep |= bit(e.task);
    const split = this.o.splitDepth;
    // a task waiting on a lock races with the step that took it: before that step it may have got the
    // lock first (the acquire it waits on never runs if the run ends in a deadlock)
    if (m.announced && runnable.length < this.tasks) this.pendingRaces(m, enabled, tree);
    const awake = enabled & ~asleep;
    if (awake === 0) {
      // every runnable task sleeps: whatever follows was explored from an equivalent order
      h.pruned++;
      return this.leaf(from, sig, tree.pending === null ? null : tree);
    }
    const seen = hash === '' || split !== undefined || !this.caching ? undefined : this.kept.get(hash);
    if (seen !== undefined && (seen.asleep & ~asleep) === 0 && depth >= seen.depth) {
      // explored before, with no more tasks awake and no fewer steps left: its steps race with this
      // prefix as they would if run again
      this.revisit(seen.tree, this.prefixConflicts(), sleep);
      h.pruned++;
      h.revisits++;
      return this.leaf(from, sig, seen.tree);
    }
    if (split !== undefined && this.path.length >= split) {
      this.o.onJob?.({
        prefix: this.base.concat(this.path),
        sleep: sleep.map((e) => ({ task: e.task, reads: [...e.reads], writes: [...e.writes], lock: e.lock })),
        last,
      });
      return this.leaf(from, sig, null);
    }
    this.link(from, sig, tree);
    const first = last >= 0 && awake & bit(last) ? last : lowest(awake);
    // above the split every task is explored: races from the jobs below can ask for nothing more
    this.nodes.push({ enabled, backtrack: split !== undefined ? awake : bit(first), done: 0, sleep, last, asleep, hash, depth, tree });
    return true;
  }

  /** the end of a schedule (a leaf, or a state not explored here), reached by step `sig` from `from` */
  private leaf(from: Explored | null, sig: number, kid: Explored | null): false {
    this.link(from, sig, kid);
    this.h.schedules++;
    return false;
  }

  /** keep step `sig` from the state of tree `from` and what it led to */
  private link(from: Explored | null, sig: number, kid: Explored | null): void {
    if (from === null || !this.caching) return;
    from.steps.push(sig);
    from.kids.push(kid);
    if (++this.treeSteps > this.treeLimit) this.stopCaching();
  }

  /**
   * A revisit of an explored state is cut; the stateless search would have explored its subtree again
   * and met there the races of those steps with this prefix. Its tree of footprints is walked instead:
   * each step gets its vector clock against this prefix and the steps above it in the tree, and its
   * races are found as race() finds them; reversals inside the tree were made when it was explored.
   */
  private revisit(t: Explored, near: Uint32Array | null, sleep: readonly Fp[]): void {
    const d = this.events.length;
    if (t.pending !== null) {
      for (const sig of t.pending) {
        if (near !== null && !has(near, sig)) continue;
        const f = this.fpAt(sig);
        this.race(f, this.clockOf(f), d);
      }
    }
    let asleep = 0;
    for (const e of sleep) asleep |= bit(e.task);
    // as the search would run it again: a task asleep here is not run, and the steps run before
    // another one sleep below it while independent of it
    let slept: Fp[] | null = null;
    for (let k = 0; k < t.steps.length; k++) {
      const sig = t.steps[k];
      const p = this.fp.task[sig];
      if (asleep & bit(p)) continue;
      const ev = this.walkEvent(sig, d);
      if (near === null || has(near, ev.sig)) this.race(ev, ev.clock, d);
      const kid = t.kids[k];
      if (kid !== null) {
        let childSleep: Fp[] = NO_SLEEP;
        for (const x of sleep)
          if (x.task !== p && !this.fp.wakes(x.sig, ev.sig)) (childSleep === NO_SLEEP ? (childSleep = []) : childSleep).push(x);
        if (slept !== null)
          for (const x of slept)
            if (x.task !== p && !this.fp.wakes(x.sig, ev.sig)) (childSleep === NO_SLEEP ? (childSleep = []) : childSleep).push(x);
        const prev = this.lastOf[p];
        this.events.push(ev);
        this.lastOf[p] = d;
        this.revisit(kid, near, childSleep);
        this.events.pop();
        this.lastOf[p] = prev;
      }
      (slept ??= []).push(this.fpAt(sig));
    }
  }

  /** alternatives still to explore on the stack (tasks in backtrack sets, not done, not asleep) */
  frontier(): number {
    let n = 0;
    for (const x of this.nodes) {
      let asleep = 0;
      for (const e of x.sleep) asleep |= bit(e.task);
      let c = x.backtrack & ~x.done & ~asleep;
      while (c) {
        c &= c - 1;
        n++;
      }
    }
    return n;
  }

  private pop(): void {
    const c = this.nodes.pop()!;
    if (c.hash !== '' && this.caching) this.keep(c);
    if (this.events.length > 0 && this.events.length >= this.nodes.length) {
      const ev = this.events.pop()!;
      this.path.pop();
      this.lastOf[ev.task] = this.prevOf(ev.task, this.events.length);
    }
    this.valid = false;
  }

  /** too many steps kept: drop the trees (the search goes on stateless) */
  private stopCaching(): void {
    this.caching = false;
    this.kept.clear();
    for (const n of this.nodes) n.tree = { steps: [], kids: [], pending: null };
  }

  /**
   * The ids that conflict with some step of the path (bit set): a step of a revisit's tree with none
   * of them races with no step of the path, as long as no task is inside a leaf-lock section begun on
   * the path (a race inside the tree is reversed at such a section's start: null then, walk it all).
   */
  private prefixConflicts(): Uint32Array | null {
    for (let q = 0; q < this.tasks; q++) {
      const i = this.lastOf[q];
      if (i < 0) continue;
      const e = this.events[i];
      if (leafOp(e, 'acquire') || (e.sec >= 0 && !leafOp(e, 'release'))) return null;
    }
    const near = new Uint32Array(this.fp.words);
    for (const e of this.events) {
      const row = this.fp.row(e.sig);
      for (let w = 0; w < row.length; w++) near[w] |= row[w];
    }
    return near;
  }

  /** a state whose subtree is explored: a later visit with no fewer tasks asleep is cut */
  private keep(c: Node): void {
    const old = this.kept.get(c.hash);
    if (old) {
      // two visits with different tasks asleep: a revisit walks what both explored
      old.asleep &= c.asleep;
      old.depth = Math.max(old.depth, c.depth);
      const a = old.tree;
      const b = c.tree;
      old.tree = { steps: a.steps.concat(b.steps), kids: a.kids.concat(b.kids), pending: a.pending ?? b.pending };
    } else {
      this.kept.set(c.hash, { asleep: c.asleep, depth: c.depth, tree: c.tree });
    }
  }

  private prevOf(task: number, before: number): number {
    for (let i = before - 1; i >= 0; i--) if (this.events[i].task === task) return i;
    return -1;
  }

  /** bring the machine to the end of `path` (from the deepest checkpoint at or before it) */
  private replay(): void {
    const all = this.base.length ? this.base.concat(this.path) : this.path;
    this.h.steps += this.rw.rewind(all);
    this.m = this.rw.m;
    this.seen = this.m.violations.length;
    this.valid = true;
  }

  /** a footprint with its ConflictTable id */
  private fpOf(task: number, reads: readonly string[], writes: readonly string[], lock: StepInfo['lock']): Fp {
    return this.fpAt(this.fp.intern(task, reads, writes, lock));
  }

  /** the footprint of an id (one object per id, shared) */
  private fpAt(sig: number): Fp {
    const fp = this.fp;
    return (this.fps[sig] ??= { task: fp.task[sig], sig, reads: fp.reads[sig], writes: fp.writes[sig], lock: fp.lock[sig] });
  }

  /** revisit()'s event at `events` index d: one object per depth, reused (walks do not keep them) */
  private walkEvent(sig: number, d: number): Event {
    return this.eventOf(sig, (this.pool[d] ??= this.blankEvent()));
  }

  private blankEvent(): Event {
    return { task: 0, sig: 0, idx: 0, reads: [], writes: [], clock: new Int32Array(this.tasks), sec: -1 };
  }

  /** the event of a step just taken, with its vector clock */
  private event(info: StepInfo): Event {
    return this.eventOf(this.fp.intern(info.task, info.reads, info.writes, info.lock), this.blankEvent());
  }

  /** `ev` filled as the step with footprint `sig` placed after every event so far */
  private eventOf(sig: number, ev: Event): Event {
    const fp = this.fp;
    const task = fp.task[sig];
    const prev = this.lastOf[task];
    ev.task = task;
    ev.sig = sig;
    ev.idx = prev >= 0 ? this.events[prev].idx + 1 : 0;
    ev.reads = fp.reads[sig];
    ev.writes = fp.writes[sig];
    ev.lock = fp.lock[sig];
    // the leaf-lock section the task is in, from its previous step
    ev.sec = -1;
    if (prev >= 0) {
      const pe = this.events[prev];
      ev.sec = leafOp(pe, 'acquire') ? prev : pe.sec >= 0 && !leafOp(pe, 'release') ? pe.sec : -1;
    }
    this.clockOf(ev, ev.clock);
    return ev;
  }

  /** vector clock of a step of task p placed after every event so far */
  private clockOf(ev: Fp, into?: Int32Array): Int32Array {
    const p = ev.task;
    const prev = this.lastOf[p];
    const T = this.tasks;
    let clock: Int32Array;
    if (into === undefined) clock = prev >= 0 ? this.events[prev].clock.slice() : new Int32Array(T);
    else {
      clock = into;
      if (prev >= 0) clock.set(this.events[prev].clock);
      else clock.fill(0);
    }
    // tasks with steps the clock does not cover yet: none left, nothing more to join
    let open = 0;
    for (let q = 0; q < T; q++) if (q !== p && this.lastOf[q] >= 0 && clock[q] <= this.events[this.lastOf[q]].idx) open++;
    const evs = this.events;
    const row = this.fp.row(ev.sig);
    for (let j = evs.length - 1; j >= 0 && open > 0; j--) {
      const e = evs[j];
      if (e.task === p || clock[e.task] > e.idx) continue;
      if ((row[e.sig >>> 5] & (1 << (e.sig & 31))) === 0) continue;
      const c = e.clock;
      for (let q = 0; q < T; q++) {
        if (c[q] <= clock[q]) continue;
        const last = this.lastOf[q];
        if (q !== p && last >= 0 && clock[q] <= evs[last].idx && c[q] > evs[last].idx) open--;
        clock[q] = c[q];
      }
    }
    clock[p] = prev >= 0 ? this.events[prev].idx + 2 : 1;
    return clock;
  }

  /**
   * Source-DPOR's races of a step `ev` of task p (taken, or announced by a task that cannot run) placed
   * at depth `d` (Abdulla, Aronis, Jonsson and Sagonas, "Optimal dynamic partial order reduction",
   * POPL 2014, Algorithm 1): every earlier step e' of another task that conflicts with it and happens
   * before it directly (through no third step). Before e' the search must run a task that starts the
   * steps which do not depend on e', followed by ev (an initial of that sequence), unless one of those
   * initials is already explored there or asleep. A lock acquire is not a race with the release it
   * waited for (they are never both possible): its race is with the acquire that release ended.
   */
  private race(ev: Fp, clock: Int32Array, d: number): void {
    const p = ev.task;
    const evs = this.events;
    const T = this.tasks;
    // join of the clocks of the steps after i that happen before ev: a step covered by it reaches ev
    // through a third one (and so does everything before it: its clock is below the join)
    const acc = this.acc;
    acc.fill(0);
    const row = this.fp.row(ev.sig);
    // tasks other than p with steps before ev not yet covered: none left, no race is left either
    let open = 0;
    for (let q = 0; q < T; q++) if (q !== p && clock[q] > 0) open++;
    for (let i = d - 1; i >= 0 && open > 0; i--) {
      const e = evs[i];
      if (clock[e.task] <= e.idx || acc[e.task] > e.idx) continue; // not before ev, or covered
      if (e.task !== p && (row[e.sig >>> 5] & (1 << (e.sig & 31))) !== 0) {
        let at = i;
        if (!coEnabled(e, ev)) at = this.acquireOf(i);
        if (at >= 0 && evs[at].sec >= 0) at = this.sectionStart(at, ev, clock, d);
        // a step of a revisit's tree (no node): that reversal was made when the tree was explored
        if (at >= 0 && at < this.nodes.length) this.reverse(at, ev, clock, d);
      }
      const c = e.clock;
      for (let q = 0; q < T; q++) {
        if (c[q] <= acc[q]) continue;
        if (q !== p && acc[q] < clock[q] && c[q] >= clock[q]) open--;
        acc[q] = c[q];
      }
    }
  }

  /**
   * Step i lies in a section of a leaf lock. If what must run before it to reverse the race takes that
   * lock (ev itself, or a step ev needs that does not need step i), it cannot run inside the section:
   * the race is with the section as a whole, reversed at its acquire. Otherwise at step i itself.
   */
  private sectionStart(i: number, ev: Fp, clock: Int32Array, d: number): number {
    const evs = this.events;
    const e = evs[i];
    const key = evs[e.sec].writes[0];
    if (leafOp(ev, 'acquire') && overlap(ev.writes[0], key)) return e.sec;
    for (let j = i + 1; j < d; j++) {
      const f = evs[j];
      if (f.task === e.task || f.clock[e.task] > e.idx || clock[f.task] <= f.idx) continue;
      if (leafOp(f, 'acquire') && f.writes[0] === key) return e.sec;
    }
    return i;
  }

  /** the acquire of the same lock by the same task that the release at i ends (-1: none found) */
  private acquireOf(i: number): number {
    const r = this.events[i];
    const key = lockKey(r);
    for (let j = i - 1; j >= 0; j--) {
      const e = this.events[j];
      if (e.task === r.task && e.lock && e.lock.op !== 'release' && lockKey(e) === key) return j;
    }
    return -1;
  }

  /** make sure the search tries, at the state before step i, to run ev (and what it needs) first */
  private reverse(i: number, ev: Fp, clock: Int32Array, d: number): void {
    const n = this.nodes[i];
    // the initials of v = (the steps after i that do not depend on step i) followed by ev
    const first = new Int32Array(this.tasks).fill(NONE);
    let initials = this.initialsAfter(i, d, first);
    if (first[ev.task] === NONE && initial(ev.task, clock, first)) initials |= bit(ev.task);
    if (initials & (n.backtrack | n.done | n.asleep)) return;
    const can = initials & n.enabled;
    if (can === 0) {
      n.backtrack |= n.enabled;
      return;
    }
    n.backtrack |= can & bit(ev.task) ? bit(ev.task) : bit(lowest(can));
  }

  /**
   * The initials of the steps after i (up to d) that do not depend on step i: tasks whose first such
   * step has none of them before it. `first` gets each task's first such step (its idx).
   */
  private initialsAfter(i: number, d: number, first: Int32Array): number {
    const evs = this.events;
    const ei = evs[i];
    let initials = 0;
    for (let j = i + 1; j < d; j++) {
      const e = evs[j];
      if (e.clock[ei.task] > ei.idx) continue; // depends on step i
      if (first[e.task] === NONE) {
        if (initial(e.task, e.clock, first)) initials |= bit(e.task);
        first[e.task] = e.idx;
      }
    }
    return initials;
  }

  /** the next steps of the tasks that cannot run now (waiting, or all of them at a leaf) race too; they
   * are kept in the state's explored tree */
  private pendingRaces(m: Machine, except: number, tree: Explored): void {
    if (!m.announced) return;
    const d = this.events.length;
    for (let t = 0; t < this.tasks; t++) {
      if (except & bit(t)) continue;
      const a = m.announced(t);
      if (!a || (a.reads.length === 0 && a.writes.length === 0)) continue;
      // at the end of a run, a task that waits for a leaf lock forever (its holder died in its
      // section) races with the holder's acquire: taking it first, it would have finished
      const writes = except === 0 && leafOp(a, 'acquire') ? [a.writes[0].slice(3), ...a.writes.slice(1)] : a.writes;
      const f = this.fpOf(t, a.reads, writes, a.lock);
      this.race(f, this.clockOf(f), d);
      (tree.pending ??= []).push(f.sig);
    }
  }
}
