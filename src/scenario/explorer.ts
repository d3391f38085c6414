// Stateless model checking of a scenario: run one schedule, or explore every schedule up to bounds.
// A Machine cannot be copied, so going back to an earlier point of the search rebuilds it from the spec
// and replays the schedule prefix. Reduction by state hashing: two interleavings of steps that touch
// disjoint objects reach the same kernel state (Machine.stateHash), and a state is expanded once.
import type { Machine, StepInfo, Violation } from '../engine/index';
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
  const maxSteps = opts.maxSteps ?? 100_000;
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

export type Reduction = 'state' | 'none';

export interface ExploreOptions {
  /** longest schedule explored (a longer run counts as incomplete) */
  maxSteps?: number;
  /** most preemptions per schedule (switching away from a task that could still run) */
  maxPreemptions?: number;
  /** 'state' (default): expand each kernel state once; 'none': every interleaving */
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
  onProgress?: (p: ExploreProgress) => void;
  /** ms between progress reports (default 100) */
  progressIntervalMs?: number;
}

export interface ExploreProgress {
  schedules: number;
  states: number;
  steps: number;
  violations: number;
  elapsedMs: number;
}

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
  /** nodes cut because their state had been expanded already */
  pruned: number;
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

interface Raw {
  invariant: string;
  message: string;
  schedule: number[];
  occurrences: number;
  foundAfterMs: number;
}

class Search {
  readonly t0 = performance.now();
  schedules = 0;
  steps = 0;
  pruned = 0;
  readonly hashes = new Set<string>();
  complete = true;
  preemptionBounded = false;
  cancelled = false;
  timedOut = false;
  stopped = false;
  readonly found = new Map<string, Raw>();
  firstViolationMs: number | undefined;
  private lastProgress = 0;
  private readonly maxSteps: number;
  private readonly only: Set<string> | undefined;

  constructor(
    readonly make: MachineFactory,
    readonly opts: ExploreOptions,
  ) {
    this.maxSteps = opts.maxSteps ?? 1000;
    this.only = opts.only ? new Set(opts.only) : undefined;
  }

  elapsed(): number {
    return performance.now() - this.t0;
  }

  /** record violations from index `from` of m.violations; returns the new length */
  collect(m: Machine, from: number, path: readonly number[]): number {
    const vs = m.violations;
    for (let i = from; i < vs.length; i++) {
      const v = vs[i];
      if (this.only && !this.only.has(v.invariant)) continue;
      const prev = this.found.get(v.invariant);
      if (prev) {
        prev.occurrences++;
        if (path.length < prev.schedule.length) prev.schedule = path.slice();
      } else {
        const ms = this.elapsed();
        this.firstViolationMs ??= ms;
        this.found.set(v.invariant, { invariant: v.invariant, message: v.message, schedule: path.slice(), occurrences: 1, foundAfterMs: ms });
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
    return { schedules: this.schedules, states: this.hashes.size, steps: this.steps, violations: this.found.size, elapsedMs: this.elapsed() };
  }

  /** depth-first search over schedules, iterative so that deep runs cannot overflow the stack;
   * yields now and then so that an async driver can let the event loop run */
  *exhaustive(): Generator<void, void, void> {
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
    const reduce = (this.opts.reduction ?? 'state') === 'state';
    const bounded = Number.isFinite(maxPre);
    // state key -> [depth, preemptions] pairs it was expanded with
    const visited = new Map<string, number[]>();
    interface Frame {
      choices: number[];
      next: number;
      last: number;
      pre: number;
      lastRunnable: boolean;
    }
    const stack: Frame[] = [];
    const path: number[] = [];
    let m = this.make();
    let valid = true; // m is at the state `path` leads to
    let seen = 0; // violations of m already collected
    // What a task keeps in its own variables (a sampled sequence count, the pte value it read) is not
    // in the kernel state; it follows from the values the task read. So the state key also carries,
    // per task, a digest of where each of its reads read from (the object and how many writes it had
    // seen). Interleavings that only reorder independent steps keep the same digests.
    const rf = new ReadsFrom(m.taskNames.length);

    /** called with m at the end of `path`; pushes a frame when the node has children to explore */
    const expand = (last: number, pre: number): void => {
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
        this.schedules++;
        return;
      }
      if (reduce && hash) {
        const key = `${hash}|${rf.key()}${bounded ? `|${last}` : ''}`;
        const depth = path.length;
        // without a preemption bound the preemptions so far do not limit what follows
        const used = bounded ? pre : 0;
        const marks = visited.get(key);
        if (marks) {
          for (let i = 0; i < marks.length; i += 2) {
            if (marks[i] <= depth && marks[i + 1] <= used) {
              this.pruned++;
              this.schedules++;
              return;
            }
          }
          marks.push(depth, used);
        } else visited.set(key, [depth, used]);
      }
      // the running task first: the non-preemptive run is explored first
      const choices: number[] = [];
      const lastRunnable = runnable.includes(last);
      if (lastRunnable) choices.push(last);
      for (const t of runnable) if (t !== last) choices.push(t);
      stack.push({ choices, next: 0, last, pre, lastRunnable });
    };

    expand(-1, 0);
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
        m = this.make();
        rf.reset();
        for (const s of path) rf.apply(m.step(s));
        this.steps += path.length;
        seen = m.violations.length;
        valid = true;
      }
      rf.apply(m.step(t));
      this.steps++;
      path.push(t);
      const depthBefore = stack.length;
      expand(t, pre);
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

/** priority change points per random run */
const CHANGE_POINTS = 2;
/** how long the search runs before it lets an async driver have the event loop */
const SLICE_MS = 20;

/** Per-task digest of the reads-from relation (see Search.exhaustive). */
class ReadsFrom {
  private readonly writes = new Map<string, number>();
  private readonly digest: number[];
  constructor(private readonly tasks: number) {
    this.digest = new Array<number>(tasks).fill(0);
  }
  reset(): void {
    this.writes.clear();
    this.digest.fill(0);
  }
  apply(info: StepInfo): void {
    const t = info.task;
    let d = this.digest[t];
    for (const r of info.reads) d = mix(d, r, this.writes.get(r) ?? 0);
    // lock operations leave nothing in a task's variables that the lock state does not show
    for (const w of info.writes) this.writes.set(w, (this.writes.get(w) ?? 0) + 1);
    this.digest[t] = d;
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

/** Explore the schedules of a scenario. Synchronous; use exploreAsync to keep an event loop alive. */
export function explore(make: MachineFactory, opts: ExploreOptions = {}): ExploreResult {
  const s = new Search(make, opts);
  const gen = opts.random ? s.randomRuns(opts.random.runs, opts.random.seed) : s.exhaustive();
  while (!gen.next().done);
  return finishSearch(s, make, opts);
}

/** The same search in slices of about 20 ms, letting the event loop run between them (progress, cancel). */
export async function exploreAsync(make: MachineFactory, opts: ExploreOptions = {}): Promise<ExploreResult> {
  const s = new Search(make, opts);
  const gen = opts.random ? s.randomRuns(opts.random.runs, opts.random.seed) : s.exhaustive();
  while (!gen.next().done) await new Promise((r) => setTimeout(r, 0));
  return finishSearch(s, make, opts);
}

function finishSearch(s: Search, make: MachineFactory, opts: ExploreOptions): ExploreResult {
  if (s.stopped) s.complete = false;
  if (s.cancelled) s.complete = false;
  const violations: FoundViolation[] = [];
  for (const raw of s.found.values()) {
    // a cancelled search returns at once: no shrinking
    const shrunk = opts.shrink === false || s.cancelled ? shrinkNone(make, raw.invariant, raw.schedule, opts.maxSteps) : shrinkCounterexample(make, raw.invariant, raw.schedule, opts.maxSteps);
    violations.push({ ...shrunk, invariant: raw.invariant, occurrences: raw.occurrences, foundAfterMs: raw.foundAfterMs });
  }
  const timeMs = s.elapsed();
  opts.onProgress?.(s.progress());
  return {
    schedules: s.schedules,
    states: s.hashes.size,
    steps: s.steps,
    pruned: s.pruned,
    complete: s.complete,
    preemptionBounded: s.preemptionBounded,
    cancelled: s.cancelled,
    timedOut: s.timedOut,
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
  let best = schedule.slice();
  let bestRun = replay(make, invariant, best, maxSteps);
  if (!bestRun.ok) return shrinkNone(make, invariant, best, maxSteps);
  let budget = 4000;
  const better = (r: Replay, len: number) =>
    r.ok && (r.preemptions < bestRun.preemptions || (r.preemptions === bestRun.preemptions && len < best.length));
  let changed = true;
  while (changed && budget > 0) {
    changed = false;
    // shortest prefix
    for (let len = 0; len < best.length && budget > 0; len++) {
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
