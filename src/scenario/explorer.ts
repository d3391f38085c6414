// Stateless model checking of a scenario: run one schedule, or explore every schedule up to bounds.
// A Machine cannot be copied (its tasks run in generators), so going back to an earlier point of the
// search restores a checkpoint of the machine taken where no task was inside an operation, and replays
// the schedule from there (rewind.ts). Reductions: dynamic partial-order reduction over the steps'
// footprints (dpor.ts, the default), or state hashing: two interleavings of steps that touch disjoint
// objects reach the same kernel state (Machine.stateHash), and a state is expanded once ('state', also
// used under a preemption bound). 'none' runs every interleaving. The DPOR search can be split into
// subtrees run on worker threads (explorerWorkers.ts) with a result independent of their number.
import type { Machine, StepInfo, Violation } from '../engine/index';
import type { VariantSelection, WorldSpec } from '../engine/index';

import { DPOR_MAX_TASKS, DporSearch, type DporJob } from './dpor';
import { ConflictTable } from './dporConflicts';
import { defaultWorkerScript, runJobsOnWorkers } from './explorerWorkers';
import { MAX_RUN_STEPS } from './limits';
import { Rewinder } from './rewind';
import { defaultChoice, prng, ScheduleError } from './schedule';

export type MachineFactory = () => Machine;

export interface RunOptions {
  /** prefix to follow; the default policy runs after it */
  schedule?: readonly number[];
  /** pick every step after the prefix at random with this seed instead of the default policy */
  seed?: number;
  /** a schedule entry whose task cannot run is replaced by the default choice instead of failing */
  lenient?: boolean;
  maxSteps?: number;
  /** keep each step's StepInfo */
  keepSteps?: boolean;
}

export interface RunResult {
  machine: Machine;
  /** the task index of every step taken */
  schedule: number[];
  steps: StepInfo[];
  /** every task finished */
  done: boolean;
  /** the step bound stopped the run (finish() not called) */
  truncated: boolean;
  preemptions: number;
}

/** Run one schedule to the end. Throws ScheduleError when a strict schedule names a task that cannot run. */
export function runSchedule(make: MachineFactory, opts: RunOptions = {}): RunResult {
  const m = make();
  const prefix = opts.schedule ?? [];
  const maxSteps = Math.min(opts.maxSteps ?? MAX_RUN_STEPS, MAX_RUN_STEPS);
  const rand = opts.seed === undefined ? undefined : prng(opts.seed);
  const schedule: number[] = [];
  const steps: StepInfo[] = [];
  let last = -1;
  let preemptions = 0;
  let truncated = false;
  for (;;) {
    const runnable = m.runnable();
    if (runnable.length === 0) break;
    if (schedule.length >= maxSteps) {
      truncated = true;
      break;
    }
    const i = schedule.length;
    let t: number;
    if (i < prefix.length) {
      t = prefix[i];
      if (!runnable.includes(t)) {
        if (!opts.lenient)
          throw new ScheduleError(
            `schedule step ${i}: task ${t} (${m.taskNames[t] ?? '?'}) cannot run; runnable: ${runnable.map((r) => `${r}=${m.taskNames[r]}`).join(', ')}`,
            i,
          );
        t = defaultChoice(runnable, last);
      }
    } else if (rand) {
      t = runnable[Math.floor(rand() * runnable.length)];
    } else {
      t = defaultChoice(runnable, last);
    }
    if (last >= 0 && t !== last && runnable.includes(last)) preemptions++;
    const info = m.step(t);
    if (opts.keepSteps) steps.push(info);
    schedule.push(t);
    last = t;
  }
  const done = m.done();
  if (!truncated) m.finish();
  return { machine: m, schedule, steps, done, truncated, preemptions };
}

// ---- exploration ----

/** 'dpor': dynamic partial-order reduction (dpor.ts); 'state': expand each kernel state once; 'none':
 * every interleaving (the reference) */
export type Reduction = 'dpor' | 'state' | 'none';

export interface ExploreOptions {
  /** longest schedule explored (a longer run counts as incomplete) */
  maxSteps?: number;
  /** most preemptions per schedule (switching away from a task that could still run) */
  maxPreemptions?: number;
  /** 'dpor' (default): partial-order reduction; 'state': expand each kernel state once; 'none': every
   * interleaving. A preemption bound (or the search for a first counterexample, which raises one step
   * by step) uses 'state': partial-order reduction does not keep the fewest-preemption schedules */
  reduction?: Reduction;
  /** stop at the first violation (of `only`, if given) */
  stopAtFirst?: boolean;
  /** only these invariants count as violations for stopping and reporting */
  only?: readonly string[];
  /** random mode: this many seeded random runs (PCT priorities) instead of the exhaustive search */
  random?: { runs: number; seed: number };
  /** shrink each counterexample (default true) */
  shrink?: boolean;
  /** give up after this many complete schedules */
  maxSchedules?: number;
  /** give up after this long (ms); the result is then incomplete */
  timeLimitMs?: number;
  signal?: AbortSignal;
  /**
   * Split the partial-order reduced search into subtrees (a fixed split, whatever the number) and run
   * them on this many worker threads (exploreAsync with `recipe`; 1, or the synchronous explore, runs
   * them here). The result does not depend on the number: the same counts, violations and
   * counterexamples for 1 and for 8.
   */
  jobs?: number;
  /** what a worker builds its machines from (the factory itself cannot cross threads) */
  recipe?: { world: WorldSpec; selection: VariantSelection };
  /** the worker bundle (default: exploreWorker.js next to the running bundle) */
  workerScript?: string;
  /** each worker's old-generation cap in MB (default: DEFAULT_WORKER_MEMORY_MB of limits.ts); past it the search fails with WorkerMemoryError */
  workerMemoryMb?: number;
  onProgress?: (p: ExploreProgress) => void;
  /** go back to earlier states through machine checkpoints (default true); false rebuilds the machine
   * and replays the whole prefix each time (the reference: the same results, more steps) */
  checkpoints?: boolean;
  /** with 'dpor': a state explored before is not explored again; its subtree's steps are checked for
   * races with the new prefix from a tree of their footprints (default true); false re-runs them (the
   * stateless search: the reference, the same verdicts, more steps) */
  stateCache?: boolean;
  /** the steps kept for that, at most (default DPOR_TREE_STEPS of dpor.ts, about 100 bytes each); past
   * it the search goes on stateless */
  stateCacheSteps?: number;
  /** with 'state', no preemption bound and at most DPOR_MAX_TASKS tasks: sleep sets (default true). A step independent of the steps
   * taken since a sibling branch took it is not taken again (it leads to a state that branch reached);
   * every state is still expanded, with fewer steps. false takes every step of every state (the
   * reference: the same states and verdicts) */
  sleepSets?: boolean;
  /** ms between progress reports (default 100) */
  progressIntervalMs?: number;
}

export interface ExploreProgress {
  schedules: number;
  states: number;
  steps: number;
  violations: number;
  elapsedMs: number;
  /** distinct states per second so far */
  statesPerSec: number;
  /** alternatives waiting on the search stack (branches known but not yet explored) */
  frontier: number;
}

/** why a search is incomplete */
export type IncompleteReason = 'time-limit' | 'cancelled' | 'step-bound' | 'schedule-limit' | 'stopped-at-first' | 'random';

export interface FoundViolation {
  invariant: string;
  message: string;
  /** minimal counterexample: a schedule prefix, replayable with `run --schedule` */
  schedule: number[];
  /** the whole run that the prefix leads to */
  fullSchedule: number[];
  preemptions: number;
  /** the violation as the replay of `schedule` reports it */
  violation: Violation;
  /** how many explored paths hit this invariant */
  occurrences: number;
  foundAfterMs: number;
}

export interface ExploreResult {
  /** complete schedules explored (runs to the end, the step bound, or a known state) */
  schedules: number;
  /** distinct kernel states seen where the schedule had a choice (more than one task could run) or ended */
  states: number;
  /** machine steps executed, replays included */
  steps: number;
  /** nodes cut because their state had been expanded already (or, with dpor, every task there slept) */
  pruned: number;
  /** of those, with dpor: revisits of explored states, cut (their races found from the explored tree) */
  revisits: number;
  /** the reduction the search used (see ExploreOptions.reduction) */
  reduction: Reduction;
  /** why the search is incomplete (null when complete); a preemption bound shows in preemptionBounded */
  incompleteReason: IncompleteReason | null;
  /** every schedule within the bounds is covered (false when bounded by steps, cancelled, random, or stopped early) */
  complete: boolean;
  /** a preemption bound cut schedules: complete only up to that bound */
  preemptionBounded: boolean;
  cancelled: boolean;
  /** the time limit stopped the search */
  timedOut: boolean;
  timeMs: number;
  firstViolationMs?: number;
  violations: FoundViolation[];
}

export interface Raw {
  invariant: string;
  message: string;
  schedule: number[];
  occurrences: number;
  foundAfterMs: number;
}

class Search {
  t0 = performance.now();
  reduction: Reduction = 'state';
  schedules = 0;
  steps = 0;
  pruned = 0;
  revisits = 0;
  readonly hashes = new Set<string>();
  complete = true;
  preemptionBounded = false;
  cancelled = false;
  timedOut = false;
  stopped = false;
  readonly found = new Map<string, Raw>();
  firstViolationMs: number | undefined;
  private lastProgress = 0;
  private sliceStart = 0;
  private sliceIter = 0;
  readonly maxSteps: number;
  readonly checkpoints: boolean;
  readonly stateCache: boolean;
  readonly stateCacheSteps: number | undefined;
  /** a run was cut by the step bound / the schedule limit stopped the search */
  stepBounded = false;
  scheduleLimited = false;
  /** alternatives on the stack of the search running (for progress) */
  frontier: () => number = () => 0;
  private readonly only: Set<string> | undefined;

  constructor(
    readonly make: MachineFactory,
    readonly opts: ExploreOptions,
  ) {
    this.maxSteps = opts.maxSteps ?? 1000;
    this.checkpoints = opts.checkpoints !== false;
    this.stateCache = opts.stateCache !== false;
    this.stateCacheSteps = opts.stateCacheSteps;
    this.only = opts.only ? new Set(opts.only) : undefined;
  }

  elapsed(): number {
    return performance.now() - this.t0;
  }

  /** now and then: has the search run a slice since it last let the event loop run */
  sliceDue(): boolean {
    if ((++this.sliceIter & 255) !== 0) return false;
    const now = this.elapsed();
    if (now - this.sliceStart <= SLICE_MS) return false;
    this.sliceStart = now;
    return true;
  }

  /** record violations from index `from` of m.violations; returns the new length */
  collect(m: Machine, from: number, path: readonly number[], base?: readonly number[]): number {
    const vs = m.violations;
    for (let i = from; i < vs.length; i++) {
      const v = vs[i];
      if (this.only && !this.only.has(v.invariant)) continue;
      const prev = this.found.get(v.invariant);
      const len = path.length + (base?.length ?? 0);
      if (prev) {
        prev.occurrences++;
        if (len < prev.schedule.length) prev.schedule = base ? base.concat(path) : path.slice();
      } else {
        const ms = this.elapsed();
        this.firstViolationMs ??= ms;
        this.found.set(v.invariant, {
          invariant: v.invariant,
          message: v.message,
          schedule: base ? base.concat(path) : path.slice(),
          occurrences: 1,
          foundAfterMs: ms,
        });
        if (this.opts.stopAtFirst) this.stopped = true;
      }
    }
    return vs.length;
  }

  /** cancellation and progress; true when the search must stop */
  poll(): boolean {
    if (this.stopped) return true;
    if (this.opts.signal?.aborted) {
      this.cancelled = true;
      return true;
    }
    if (this.opts.maxSchedules !== undefined && this.schedules >= this.opts.maxSchedules) {
      this.complete = false;
      this.scheduleLimited = true;
      return true;
    }
    if (this.opts.timeLimitMs !== undefined && this.elapsed() > this.opts.timeLimitMs) {
      this.complete = false;
      this.timedOut = true;
      return true;
    }
    if (this.opts.onProgress) {
      const now = this.elapsed();
      if (now - this.lastProgress >= (this.opts.progressIntervalMs ?? 100)) {
        this.lastProgress = now;
        this.opts.onProgress(this.progress());
      }
    }
    return false;
  }

  progress(): ExploreProgress {
    const elapsedMs = this.elapsed();
    return {
      schedules: this.schedules,
      states: this.hashes.size,
      steps: this.steps,
      violations: this.found.size,
      elapsedMs,
      statesPerSec: elapsedMs > 0 ? Math.round(this.hashes.size / (elapsedMs / 1000)) : 0,
      frontier: this.frontier(),
    };
  }

  /** depth-first search over schedules, iterative so that deep runs cannot overflow the stack;
   * yields now and then so that an async driver can let the event loop run */
  *exhaustive(): Generator<void, void, void> {
    const wanted = this.opts.reduction ?? 'dpor';
    if (dporApplies(this.make, this.opts)) {
      this.reduction = 'dpor';
      const d = new DporSearch(this);
      this.frontier = () => d.frontier();
      yield* d.run();
      return;
    }
    this.reduction = wanted === 'none' ? 'none' : 'state';
    if (this.opts.stopAtFirst && this.opts.maxPreemptions === undefined) {
      // looking for one bug: raise the preemption bound step by step (most bugs need few preemptions),
      // which also finds a counterexample with the fewest; a round that cuts nothing was complete
      for (let bound = 0; ; bound++) {
        this.preemptionBounded = false;
        yield* this.bounded(bound);
        if (this.stopped || this.cancelled || this.timedOut || !this.preemptionBounded) break;
      }
      return;
    }
    yield* this.bounded(this.opts.maxPreemptions ?? Infinity);
  }

  private *bounded(maxPre: number): Generator<void, void, void> {
    const reduce = this.reduction === 'state';
    const bounded = Number.isFinite(maxPre);
    // state key -> [depth, preemptions, tasks not run] triples it was expanded with
    const visited = new Map<string, number[]>();
    // Sleep sets (Godefroid): a step taken from a state, or asleep there, stays asleep below a sibling
    // step independent of it: running it there reaches a state that the branch that took it reaches
    // by the same steps in another order. Under a preemption bound the two orders differ in
    // preemptions, so only unbounded searches use them. A revisit with fewer tasks asleep than
    // before runs the tasks asleep then and awake now, which keeps every state reached.
    interface Frame {
      choices: number[];
      next: number;
      last: number;
      pre: number;
      lastRunnable: boolean;
      /** steps asleep here: on arrival, then each child's step once explored (task, footprint id) */
      sleep: number[];
    }
    const stack: Frame[] = [];
    this.frontier = () => {
      let n = 0;
      for (const f of stack) n += f.choices.length - f.next;
      return n;
    };
    const path: number[] = [];
    // What a task keeps in its own variables (a sampled sequence count, the pte value it read) is not
    // in the kernel state; it follows from the values the task read. So the state key also carries,
    // per task, a digest of where each of its reads read from (the object and how many writes it had
    // seen). Interleavings that only reorder independent steps keep the same digests.
    const rw = new Rewinder(this.make, this.checkpoints);
    let m = rw.m;
    const rf = new ReadsFrom(m.taskNames.length);
    const table = reduce && !bounded && this.opts.sleepSets !== false && m.taskNames.length <= DPOR_MAX_TASKS ? new ConflictTable() : null;
    let valid = true; // m is at the state `path` leads to
    let seen = 0; // violations of m already collected

    /** called with m at the end of `path`; pushes a frame when the node has children to explore */
    const expand = (last: number, pre: number, sleep: number[]): void => {
      seen = this.collect(m, seen, path);
      const runnable = m.runnable();
      // states are hashed where the schedule has a choice, and at the ends: a chain of forced steps
      // is deterministic, so a revisit is caught at the next choice (hashing is the costly part)
      const hash = runnable.length === 1 && path.length < this.maxSteps ? '' : m.stateHash();
      if (hash) this.hashes.add(hash);
      if (runnable.length === 0) {
        m.finish();
        seen = this.collect(m, seen, path);
        this.schedules++;
        valid = false;
        return;
      }
      if (path.length >= this.maxSteps) {
        this.complete = false;
        this.stepBounded = true;
        this.schedules++;
        return;
      }
      let asleep = 0;
      for (let i = 0; i < sleep.length; i += 2) asleep |= 1 << sleep[i];
      // tasks not run from here yet by a visit with as many steps and preemptions left
      let fresh = -1;
      if (reduce && hash) {
        const key = `${hash}|${rf.key()}${bounded ? `|${last}` : ''}`;
        const depth = path.length;
        // without a preemption bound the preemptions so far do not limit what follows
        const used = bounded ? pre : 0;
        const marks = visited.get(key);
        if (marks) {
          for (let i = 0; i < marks.length; i += 3) {
            if (marks[i] <= depth && marks[i + 1] <= used) {
              if ((marks[i + 2] & ~asleep) === 0) {
                this.pruned++;
                this.schedules++;
                return;
              }
              fresh &= marks[i + 2];
            }
          }
          marks.push(depth, used, asleep & fresh);
        } else visited.set(key, [depth, used, asleep]);
      }
      // the running task first: the non-preemptive run is explored first
      const choices: number[] = [];
      const lastRunnable = runnable.includes(last);
      const wanted = fresh & ~asleep;
      if (lastRunnable && wanted & (1 << last)) choices.push(last);
      for (const t of runnable) if (t !== last && wanted & (1 << t)) choices.push(t);
      if (choices.length === 0) {
        // every task that can run sleeps, or ran from here on an earlier visit: what follows was reached
        this.pruned++;
        this.schedules++;
        return;
      }
      stack.push({ choices, next: 0, last, pre, lastRunnable, sleep });
    };

    expand(-1, 0, NO_SLEEP);
    let sliceStart = this.elapsed();
    let iter = 0;
    while (stack.length > 0) {
      if ((++iter & 255) === 0 && this.elapsed() - sliceStart > SLICE_MS) {
        yield;
        sliceStart = this.elapsed();
      }
      if (this.poll()) {
        this.complete = false;
        break;
      }
      const f = stack[stack.length - 1];
      if (f.next >= f.choices.length) {
        stack.pop();
        if (stack.length > 0) path.pop();
        valid = false;
        continue;
      }
      const t = f.choices[f.next++];
      let pre = f.pre;
      if (f.lastRunnable && t !== f.last) {
        pre++;
        if (pre > maxPre) {
          this.preemptionBounded = true;
          continue;
        }
      }
      if (!valid) {
        rf.truncate(path.length);
        this.steps += rw.rewind(path);
        m = rw.m;
        seen = m.violations.length;
        valid = true;
      }
      const info = m.step(t);
      rf.apply(info);
      this.steps++;
      path.push(t);
      rw.stepped(path.length);
      // the child's sleep set: what sleeps here (siblings explored before included) and is independent
      let childSleep: number[] = NO_SLEEP;
      if (table !== null) {
        const sig = table.intern(t, info.reads, info.writes, info.lock);
        const sl = f.sleep;
        for (let i = 0; i < sl.length; i += 2)
          if (sl[i] !== t && !table.wakes(sl[i + 1], sig))
            (childSleep === NO_SLEEP ? (childSleep = []) : childSleep).push(sl[i], sl[i + 1]);
        (f.sleep === NO_SLEEP ? (f.sleep = []) : f.sleep).push(t, sig);
      }
      const depthBefore = stack.length;
      expand(t, pre, childSleep);
      if (stack.length === depthBefore) {
        // a leaf: nothing pushed
        path.pop();
        valid = false;
      }
    }
  }

  /**
   * Seeded random schedules in the manner of PCT (Burckhardt et al., "A randomized scheduler with
   * probabilistic guarantees of finding bugs", 2010): each run gives the tasks random distinct
   * priorities, always runs the highest-priority runnable task, and at CHANGE_POINTS random steps
   * drops the running task to the lowest priority. A bug that needs d preemptions at the right
   * points shows up with probability about 1/(n * k^d) per run, far better than a coin per step.
   */
  *randomRuns(runs: number, seed: number): Generator<void, void, void> {
    this.complete = false;
    this.reduction = 'none';
    const rand = prng(seed);
    let sliceStart = this.elapsed();
    let expectedLength = 0;
    for (let r = 0; r < runs; r++) {
      if (this.elapsed() - sliceStart > SLICE_MS) {
        yield;
        sliceStart = this.elapsed();
      }
      if (this.poll()) break;
      const m = this.make();
      const n = m.taskNames.length;
      const prio = Array.from({ length: n }, (_, i) => i + CHANGE_POINTS + 1);
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [prio[i], prio[j]] = [prio[j], prio[i]];
      }
      const k = Math.max(expectedLength, 1);
      const changes = Array.from({ length: CHANGE_POINTS }, () => Math.floor(rand() * k));
      const path: number[] = [];
      let seen = 0;
      for (;;) {
        const runnable = m.runnable();
        if (runnable.length !== 1) this.hashes.add(m.stateHash());
        if (runnable.length === 0) {
          m.finish();
          this.collect(m, seen, path);
          break;
        }
        if (path.length >= this.maxSteps) break;
        let t = runnable[0];
        for (const x of runnable) if (prio[x] > prio[t]) t = x;
        const c = changes.indexOf(path.length);
        if (c >= 0) {
          prio[t] = c + 1;
          for (const x of runnable) if (prio[x] > prio[t]) t = x;
        }
        m.step(t);
        this.steps++;
        path.push(t);
        seen = this.collect(m, seen, path);
        if (this.stopped) break;
      }
      expectedLength = Math.max(expectedLength, path.length);
      this.schedules++;
    }
  }
}

/** an empty sleep set (shared: never pushed to) */
const NO_SLEEP: number[] = [];

/** priority change points per random run */
const CHANGE_POINTS = 2;
/** how long the search runs before it lets an async driver have the event loop */
const SLICE_MS = 20;

/**
 * Per-task digest of the reads-from relation (see Search.bounded), kept for the steps of the current
 * path with an undo log: going back to a shorter prefix undoes the steps past it, so a replay needs
 * no footprints (Machine.replay) and checkpoints carry none of it.
 */
class ReadsFrom {
  /** writes per footprint key on the path */
  private readonly writes = new Map<string, number>();
  private readonly digest: number[];
  /** per step on the path: its index in `undoKeys`, its task and that task's digest before it */
  private readonly undoAt: number[] = [];
  private readonly undoTask: number[] = [];
  private readonly undoDigest: number[] = [];
  /** the keys the steps wrote, in order */
  private readonly undoKeys: string[] = [];
  constructor(tasks: number) {
    this.digest = new Array<number>(tasks).fill(0);
  }
  apply(info: StepInfo): void {
    const t = info.task;
    const old = this.digest[t];
    let d = old;
    for (const r of info.reads) d = mix(d, r, this.writes.get(r) ?? 0);
    this.undoAt.push(this.undoKeys.length);
    this.undoTask.push(t);
    this.undoDigest.push(old);
    // lock operations leave nothing in a task's variables that the lock state does not show
    for (const w of info.writes) {
      this.writes.set(w, (this.writes.get(w) ?? 0) + 1);
      this.undoKeys.push(w);
    }
    this.digest[t] = d;
  }
  /** back to the first `depth` steps applied */
  truncate(depth: number): void {
    const keys = this.undoKeys;
    for (let i = this.undoAt.length - 1; i >= depth; i--) {
      const from = this.undoAt.pop()!;
      for (let j = keys.length - 1; j >= from; j--) this.writes.set(keys[j], this.writes.get(keys[j])! - 1);
      keys.length = from;
      this.digest[this.undoTask.pop()!] = this.undoDigest.pop()!;
    }
  }
  key(): string {
    return this.digest.join(',');
  }
}

function mix(h: number, key: string, n: number): number {
  let x = h ^ Math.imul(n + 1, 0x9e3779b1);
  for (let i = 0; i < key.length; i++) x = Math.imul(x ^ key.charCodeAt(i), 0x01000193);
  return (x ^ (x >>> 15)) >>> 0;
}

/** the whole search, shrinking included, yielding now and then to an async driver */
function* searching(make: MachineFactory, opts: ExploreOptions): Generator<void, ExploreResult, void> {
  const s = new Search(make, opts);
  yield* opts.random ? s.randomRuns(opts.random.runs, opts.random.seed) : s.exhaustive();
  return yield* finishSearch(s, make, opts);
}

// ---- the search split into subtrees (jobs) ----

/** what one subtree's search came to (plain data: it crosses threads) */
export interface JobResult {
  schedules: number;
  pruned: number;
  revisits: number;
  steps: number;
  hashes: string[];
  complete: boolean;
  stepBounded: boolean;
  timedOut: boolean;
  found: Raw[];
}

/** the options a job needs (plain data): those of ExploreOptions its search takes as they are */
export interface JobOptions extends Pick<ExploreOptions, 'maxSteps' | 'only' | 'checkpoints' | 'stateCache' | 'stateCacheSteps'> {
  /** wall-clock deadline (Date.now()) */
  deadline?: number;
}

/** Explore one subtree with partial-order reduction (in a worker or here). */
export function runDporJob(make: MachineFactory, job: DporJob, o: JobOptions): JobResult {
  const { deadline, ...passed } = o;
  const s = new Search(make, { ...passed, timeLimitMs: deadline === undefined ? undefined : Math.max(1, deadline - Date.now()) });
  s.reduction = 'dpor';
  const gen = new DporSearch(s, { job }).run();
  while (!gen.next().done);
  return {
    schedules: s.schedules,
    pruned: s.pruned,
    revisits: s.revisits,
    steps: s.steps,
    hashes: [...s.hashes],
    complete: s.complete,
    stepBounded: s.stepBounded,
    timedOut: s.timedOut,
    found: [...s.found.values()],
  };
}

/** subtrees wanted: enough for a few per worker on a big machine, few enough to stay cheap */
const SPLIT_JOBS = 16;
const SPLIT_MAX_DEPTH = 12;

/** The split: the first depth (from 1) with at least SPLIT_JOBS states. The top of the tree is searched
 * once per depth tried, each time from scratch (the deeper search repeats the shallower one); the
 * search at the depth chosen is kept as the partitioned search's own (its counts, its violations) and
 * its jobs are the split. */
function planJobs(make: MachineFactory, opts: ExploreOptions): { s: Search; jobs: DporJob[] } {
  const t0 = performance.now();
  for (let depth = 1; ; depth++) {
    // each depth tried is a new search: progress starts with the jobs (it would restart at every depth)
    const s = new Search(make, { ...opts, onProgress: undefined });
    s.t0 = t0;
    s.reduction = 'dpor';
    const jobs: DporJob[] = [];
    const gen = new DporSearch(s, { splitDepth: depth, onJob: (j) => jobs.push(j) }).run();
    while (!gen.next().done);
    if (jobs.length >= SPLIT_JOBS || jobs.length === 0 || depth >= SPLIT_MAX_DEPTH || !s.complete) return { s, jobs };
  }
}

/** fold job results into the search, in job order (what makes the result independent of the workers) */
function mergeJobs(s: Search, results: readonly JobResult[], offsetMs: number): void {
  for (const r of results) {
    s.schedules += r.schedules;
    s.pruned += r.pruned;
    s.revisits += r.revisits;
    s.steps += r.steps;
    for (const h of r.hashes) s.hashes.add(h);
    if (!r.complete) s.complete = false;
    if (r.stepBounded) s.stepBounded = true;
    if (r.timedOut) s.timedOut = true;
    for (const f of r.found) {
      const prev = s.found.get(f.invariant);
      if (prev) {
        prev.occurrences += f.occurrences;
        if (f.schedule.length < prev.schedule.length) prev.schedule = f.schedule;
      } else {
        s.found.set(f.invariant, { ...f, foundAfterMs: f.foundAfterMs + offsetMs });
        s.firstViolationMs = Math.min(s.firstViolationMs ?? Infinity, f.foundAfterMs + offsetMs);
      }
    }
  }
}

/** the searches partial-order reduction serves; the others hash states */
function dporApplies(make: MachineFactory, opts: ExploreOptions): boolean {
  return (
    (opts.reduction ?? 'dpor') === 'dpor' &&
    !opts.stopAtFirst &&
    opts.maxPreemptions === undefined &&
    make().taskNames.length <= DPOR_MAX_TASKS
  );
}

/** a search split into subtrees is a partial-order reduced one: the others run whole, jobs or not */
function partitioned(make: MachineFactory, opts: ExploreOptions): boolean {
  return opts.jobs !== undefined && !opts.random && dporApplies(make, opts);
}

function jobOptions(s: Search, opts: ExploreOptions): JobOptions {
  return {
    maxSteps: s.maxSteps,
    only: opts.only,
    checkpoints: opts.checkpoints,
    stateCache: opts.stateCache,
    stateCacheSteps: opts.stateCacheSteps,
    deadline: opts.timeLimitMs === undefined ? undefined : Date.now() + Math.max(0, opts.timeLimitMs - s.elapsed()),
  };
}

/** Explore the schedules of a scenario. Synchronous; use exploreAsync to keep an event loop alive. */
export function explore(make: MachineFactory, opts: ExploreOptions = {}): ExploreResult {
  if (partitioned(make, opts)) {
    const { s, jobs } = planJobs(make, opts);
    const o = jobOptions(s, opts);
    const start = s.elapsed();
    mergeJobs(
      s,
      jobs.map((j) => runDporJob(make, j, o)),
      start,
    );
    return drain(finishSearch(s, make, opts));
  }
  return drain(searching(make, opts));
}

/** The same search in slices of about 20 ms, letting the event loop run between them (progress, cancel). */
export async function exploreAsync(make: MachineFactory, opts: ExploreOptions = {}): Promise<ExploreResult> {
  if (partitioned(make, opts)) {
    const { s, jobs } = planJobs(make, opts);
    const o = jobOptions(s, opts);
    const start = s.elapsed();
    const done: JobResult[] = [];
    const seenViolations = new Set<string>();
    const report = (r: JobResult) => {
      done.push(r);
      s.frontier = () => jobs.length - done.length;
      if (opts.onProgress) {
        // the states of finished jobs count now (mergeJobs adds the same hashes again: a set)
        for (const h of r.hashes) s.hashes.add(h);
        for (const f of r.found) seenViolations.add(f.invariant);
        const p = s.progress();
        for (const x of done) {
          p.schedules += x.schedules;
          p.steps += x.steps;
        }
        for (const inv of s.found.keys()) seenViolations.add(inv);
        p.violations = seenViolations.size;
        opts.onProgress(p);
      }
    };
    // on worker threads when there is a worker bundle (even one: off this thread), else here
    const script = opts.recipe ? (opts.workerScript ?? defaultWorkerScript()) : undefined;
    const results = script
      ? await runJobsOnWorkers(jobs, opts.recipe!, o, opts.jobs ?? 1, script, opts.signal, report, opts.workerMemoryMb)
      : await runJobsHere(make, jobs, o, opts.signal, report);
    if (opts.signal?.aborted) s.cancelled = true;
    mergeJobs(s, results, start);
    return drainAsync(finishSearch(s, make, opts));
  }
  return drainAsync(searching(make, opts));
}

/** run a search generator to its end */
function drain<T>(gen: Generator<void, T, void>): T {
  for (;;) {
    const r = gen.next();
    if (r.done) return r.value;
  }
}

/** the same in slices, letting the event loop run between them (progress, cancel) */
async function drainAsync<T>(gen: Generator<void, T, void>): Promise<T> {
  for (;;) {
    const r = gen.next();
    if (r.done) return r.value;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

async function runJobsHere(
  make: MachineFactory,
  jobs: readonly DporJob[],
  o: JobOptions,
  signal: AbortSignal | undefined,
  report: (r: JobResult) => void,
): Promise<JobResult[]> {
  const out: JobResult[] = [];
  for (const j of jobs) {
    if (signal?.aborted) break;
    const r = runDporJob(make, j, o);
    out.push(r);
    report(r);
    await new Promise((res) => setTimeout(res, 0));
  }
  return out;
}

function* finishSearch(s: Search, make: MachineFactory, opts: ExploreOptions): Generator<void, ExploreResult, void> {
  if (s.stopped) s.complete = false;
  if (s.cancelled) s.complete = false;
  // shrinking obeys the same time limit and cancellation: past them, a counterexample stays as found
  const stop = () => !!opts.signal?.aborted || (opts.timeLimitMs !== undefined && s.elapsed() > opts.timeLimitMs);
  const violations: FoundViolation[] = [];
  for (const raw of s.found.values()) {
    // a cancelled search returns at once: no shrinking
    const shrunk =
      opts.shrink === false || s.cancelled
        ? shrinkNone(make, raw.invariant, raw.schedule, opts.maxSteps)
        : yield* shrinking(make, raw.invariant, raw.schedule, opts.maxSteps, stop);
    violations.push({ ...shrunk, invariant: raw.invariant, occurrences: raw.occurrences, foundAfterMs: raw.foundAfterMs });
  }
  const timeMs = s.elapsed();
  opts.onProgress?.(s.progress());
  return {
    schedules: s.schedules,
    states: s.hashes.size,
    steps: s.steps,
    pruned: s.pruned,
    revisits: s.revisits,
    reduction: s.reduction,
    complete: s.complete,
    preemptionBounded: s.preemptionBounded,
    cancelled: s.cancelled,
    timedOut: s.timedOut,
    incompleteReason: s.complete
      ? null
      : s.cancelled
        ? 'cancelled'
        : s.timedOut
          ? 'time-limit'
          : opts.random
            ? 'random'
            : s.stopped
              ? 'stopped-at-first'
              : s.scheduleLimited
                ? 'schedule-limit'
                : 'step-bound',
    timeMs,
    firstViolationMs: s.firstViolationMs,
    violations,
  };
}

// ---- counterexamples ----

interface Replay {
  ok: boolean;
  violation?: Violation;
  fullSchedule: number[];
  preemptions: number;
}

function replay(make: MachineFactory, invariant: string, schedule: readonly number[], maxSteps?: number): Replay {
  try {
    const r = runSchedule(make, { schedule, maxSteps });
    const v = r.machine.violations.find((x) => x.invariant === invariant);
    return { ok: v !== undefined, violation: v, fullSchedule: r.schedule, preemptions: r.preemptions };
  } catch (e) {
    if (e instanceof ScheduleError) return { ok: false, fullSchedule: [], preemptions: 0 };
    throw e;
  }
}

function shrinkNone(make: MachineFactory, invariant: string, schedule: number[], maxSteps?: number) {
  const r = replay(make, invariant, schedule, maxSteps);
  return {
    message: r.violation?.message ?? '',
    schedule,
    fullSchedule: r.fullSchedule,
    preemptions: r.preemptions,
    violation: r.violation ?? { invariant, message: '', step: -1, locksHeld: [] },
  };
}

/**
 * Make a counterexample minimal: the shortest prefix that still leads to the violation when the default
 * policy runs the rest, then drop entries one at a time while the violation stays and the number of
 * preemptions does not grow, until nothing more can go.
 */
export function shrinkCounterexample(make: MachineFactory, invariant: string, schedule: readonly number[], maxSteps?: number) {
  const gen = shrinking(make, invariant, schedule, maxSteps, () => false);
  for (;;) {
    const r = gen.next();
    if (r.done) return r.value;
  }
}

function* shrinking(
  make: MachineFactory,
  invariant: string,
  schedule: readonly number[],
  maxSteps: number | undefined,
  stop: () => boolean,
) {
  let best = schedule.slice();
  let bestRun = replay(make, invariant, best, maxSteps);
  if (!bestRun.ok) return shrinkNone(make, invariant, best, maxSteps);
  let budget = 4000;
  let sliceStart = performance.now();
  /** between replays: a slice boundary for an async driver, and the caller's limits */
  function* pause(): Generator<void, void, void> {
    if (performance.now() - sliceStart > SLICE_MS) {
      yield;
      sliceStart = performance.now();
    }
    if (stop()) budget = 0;
  }
  const better = (r: Replay, len: number) =>
    r.ok && (r.preemptions < bestRun.preemptions || (r.preemptions === bestRun.preemptions && len < best.length));
  let changed = true;
  while (changed && budget > 0) {
    changed = false;
    // shortest prefix
    for (let len = 0; len < best.length && budget > 0; len++) {
      yield* pause();
      if (budget <= 0) break;
      budget--;
      const cand = best.slice(0, len);
      const r = replay(make, invariant, cand, maxSteps);
      if (r.ok && r.preemptions <= bestRun.preemptions) {
        best = cand;
        bestRun = r;
        changed = true;
        break;
      }
    }
    // drop single entries, from the end
    for (let i = best.length - 1; i >= 0 && budget > 0; i--) {
      yield* pause();
      if (budget <= 0) break;
      budget--;
      const cand = best.slice(0, i).concat(best.slice(i + 1));
      const r = replay(make, invariant, cand, maxSteps);
      if (better(r, cand.length)) {
        best = cand;
        bestRun = r;
        changed = true;
      }
    }
  }
  return {
    message: bestRun.violation!.message,
    schedule: best,
    fullSchedule: bestRun.fullSchedule,
    preemptions: bestRun.preemptions,
    violation: bestRun.violation!,
  };
}
