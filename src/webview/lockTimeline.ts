// Who holds which lock when, computed from a trace: the data behind the lock swimlanes.
// Pure functions (no DOM) so the page and its tests share them.
import type { TraceEvent, Violation } from '../engine/index';

export interface LockSegment {
  lock: string;
  task: number;
  /** 'r' or 'w' for a rw semaphore taken for read or write, '' otherwise */
  mode: string;
  from: number;
  /** exclusive; the step after the release */
  to: number;
}

export interface LockLane {
  lock: string;
  segments: LockSegment[];
  violations: Violation[];
}

/** "mmap_sem(r)" -> ["mmap_sem", "r"]; a DFS token held shared "(s)" reads as "r", exclusive "(x)" as "w";
 * "page_table_lock" -> ["page_table_lock", ""]. */
export function splitLock(name: string): [string, string] {
  const m = /^(.*)\((r|w|s|x|read|write|shared|excl|exclusive)\)$/.exec(name);
  if (!m) return [name, ''];
  return [m[1], /^(r|s)/.test(m[2]) ? 'r' : 'w'];
}

/** Lanes in order of first acquisition; violations that name a held lock go on its lane,
 * the others (a stale pte, a reference imbalance) on a lane named "other checks". */
export function lockLanes(trace: readonly TraceEvent[], violations: readonly Violation[], lastStep: number): LockLane[] {
  const lanes = new Map<string, LockLane>();
  const lane = (lock: string): LockLane => {
    let l = lanes.get(lock);
    if (!l) {
      l = { lock, segments: [], violations: [] };
      lanes.set(lock, l);
    }
    return l;
  };
  // per task: full lock string -> open segment
  const open = new Map<number, Map<string, LockSegment>>();
  for (const e of trace) {
    let held = open.get(e.task);
    if (!held) {
      held = new Map();
      open.set(e.task, held);
    }
    if (e.locks.length === 0 && held.size === 0) continue;
    for (const [full, seg] of held) {
      if (!e.locks.includes(full)) {
        seg.to = Math.max(e.step, seg.from + 1);
        held.delete(full);
      }
    }
    for (const full of e.locks) {
      if (held.has(full)) continue;
      const [lock, mode] = splitLock(full);
      const seg: LockSegment = { lock, task: e.task, mode, from: e.step, to: lastStep + 1 };
      lane(lock).segments.push(seg);
      held.set(full, seg);
    }
  }
  for (const v of violations) {
    const names = v.locksHeld.map((l) => splitLock(l)[0]);
    const target = names.find((n) => lanes.has(n)) ?? names[0] ?? 'other checks';
    lane(target).violations.push(v);
  }
  return [...lanes.values()];
}

/** Segments merged to at most `buckets` columns across the run, so a lane draws a bounded number of
 * shapes however long the trace: a bucket is held by a task if any of its segments touches it. */
export function bucketSegments(segs: readonly LockSegment[], width: number, buckets = 600): LockSegment[] {
  if (segs.length <= buckets) return [...segs];
  const size = Math.max(1, width / buckets);
  const out: LockSegment[] = [];
  const byKey = new Map<string, LockSegment[]>();
  for (const s of segs) {
    const k = `${s.task}\u0000${s.mode}`;
    let g = byKey.get(k);
    if (!g) byKey.set(k, (g = []));
    g.push(s);
  }
  for (const g of byKey.values()) {
    g.sort((a, b) => a.from - b.from);
    let cur: LockSegment | undefined;
    for (const s of g) {
      const from = Math.floor(s.from / size) * size;
      const to = Math.ceil(s.to / size) * size;
      if (cur && from <= cur.to) cur.to = Math.max(cur.to, to);
      else {
        cur = { ...s, from, to };
        out.push(cur);
      }
    }
  }
  return out;
}

/** The lock each lock/unlock event takes or drops: what its task's held set gained or lost. */
export function lockNames(trace: readonly TraceEvent[]): (string | undefined)[] {
  const held = new Map<number, readonly string[]>();
  return trace.map((e) => {
    const before = held.get(e.task) ?? [];
    held.set(e.task, e.locks);
    if (e.kind === 'lock') {
      const got = e.locks.find((l) => !before.includes(l));
      return got !== undefined ? splitLock(got)[0] : undefined;
    }
    if (e.kind === 'unlock') {
      const lost = before.find((l) => !e.locks.includes(l));
      return lost !== undefined ? splitLock(lost)[0] : undefined;
    }
    return undefined;
  });
}
