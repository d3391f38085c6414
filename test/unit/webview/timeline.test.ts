// The panel's pure layout helpers: traces aligned by step, neighbour steps, lock holders per lane.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { TraceEvent, Violation } from '../../../src/engine/sim/spec';
import { alignTraces, eventAt, eventsAtStep, neighbourStep } from '../../../src/webview/timelineModel';
import { bucketSegments, lockLanes, lockNames, splitLock } from '../../../src/webview/lockTimeline';

let seq = 0;
const ev = (step: number, task: number, kind: TraceEvent['kind'], locks: string[] = [], fn = 'f'): TraceEvent => ({ seq: seq++, step, task, kind, fn, detail: '', locks });

describe('alignTraces', () => {
  it('gives each step as many rows as its busiest run, in step order', () => {
    const a = [ev(0, 0, 'enter'), ev(0, 0, 'lock'), ev(2, 0, 'exit')];
    const b = [ev(0, 1, 'enter'), ev(1, 1, 'op'), ev(1, 1, 'op'), ev(1, 1, 'op')];
    const t = alignTraces([a, b]);
    expect(t.rowCount).toBe(2 + 3 + 1);
    expect([...t.rowStep]).toEqual([0, 0, 1, 1, 1, 2]);
    expect([...t.steps]).toEqual([0, 1, 2]);
    expect(eventAt(t, 0, 1)).toBe(a[1]);
    expect(eventAt(t, 0, 2)).toBeUndefined();
    expect(eventAt(t, 1, 4)).toBe(b[3]);
    expect(eventsAtStep(t, 1, 1)).toEqual([b[1], b[2], b[3]]);
    expect(t.firstRow[1]).toBe(2);
  });

  it('orders an unordered trace by step without losing events', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.nat(30), { maxLength: 40 }), { minLength: 1, maxLength: 4 }), (runs) => {
        const traces = runs.map((steps) => steps.map((s) => ev(s, 0, 'op')));
        const t = alignTraces(traces);
        traces.forEach((tr, r) => {
          const shown: TraceEvent[] = [];
          for (let row = 0; row < t.rowCount; row++) {
            const e = eventAt(t, r, row);
            if (e) {
              expect(e.step).toBe(t.rowStep[row]);
              shown.push(e);
            }
          }
          expect(shown.length).toBe(tr.length);
          expect(new Set(shown)).toEqual(new Set(tr));
        });
      }),
    );
  });

  it('steps to the neighbouring step that has rows and stays put at the ends', () => {
    const t = alignTraces([[ev(1, 0, 'op'), ev(4, 0, 'op'), ev(9, 0, 'op')]]);
    expect(neighbourStep(t, 1, 1)).toBe(4);
    expect(neighbourStep(t, 4, 1)).toBe(9);
    expect(neighbourStep(t, 9, 1)).toBe(9);
    expect(neighbourStep(t, 9, -1)).toBe(4);
    expect(neighbourStep(t, 1, -1)).toBe(1);
    expect(neighbourStep(t, 5, 1)).toBe(9);
    expect(neighbourStep(t, 5, -1)).toBe(4);
  });
});

describe('lockLanes', () => {
  it('opens a segment when a task starts holding a lock and closes it when it stops', () => {
    const trace = [
      ev(0, 0, 'lock', ['mmap_sem(r)']),
      ev(1, 0, 'lock', ['mmap_sem(r)', 'page_table_lock']),
      ev(3, 0, 'unlock', ['mmap_sem(r)']),
      ev(4, 1, 'lock', ['page_table_lock']),
      ev(5, 1, 'unlock', []),
    ];
    const v: Violation = { invariant: 'sleep-in-spinlock', message: 'm', step: 2, locksHeld: ['page_table_lock'] };
    const lanes = lockLanes(trace, [v], 6);
    expect(lanes.map((l) => l.lock)).toEqual(['mmap_sem', 'page_table_lock']);
    const ptl = lanes[1];
    expect(ptl.segments.map((s) => [s.task, s.from, s.to])).toEqual([[0, 1, 3], [1, 4, 5]]);
    expect(ptl.violations).toEqual([v]);
    // never released: held to the end of the run, as a read hold
    expect(lanes[0].segments).toEqual([{ lock: 'mmap_sem', task: 0, mode: 'r', from: 0, to: 7 }]);
  });

  it('puts a violation with no lock held on a lane of its own', () => {
    const lanes = lockLanes([], [{ invariant: 'stale-pte', message: 'x', step: 3, locksHeld: [] }], 4);
    expect(lanes.map((l) => [l.lock, l.violations.length])).toEqual([['other checks', 1]]);
  });

  it('bounds the number of shapes of a long lane and keeps every held step covered', () => {
    const segs = Array.from({ length: 5000 }, (_, i) => ({ lock: 'l', task: i % 2, mode: '', from: i * 2, to: i * 2 + 1 }));
    const b = bucketSegments(segs, 10_000, 600);
    expect(b.length).toBeLessThanOrEqual(2 * 600);
    for (const s of segs) expect(b.some((x) => x.task === s.task && x.from <= s.from && x.to >= s.to)).toBe(true);
  });

  it('reads the mode of a rw semaphore from its name', () => {
    expect(splitLock('mmap_sem(w)')).toEqual(['mmap_sem', 'w']);
    expect(splitLock('page_lock(pfn 1)')).toEqual(['page_lock(pfn 1)', '']);
    expect(splitLock('dfs_token(shared.dat:0)(s)')).toEqual(['dfs_token(shared.dat:0)', 'r']);
    expect(splitLock('dfs_token(shared.dat:0)(x)')).toEqual(['dfs_token(shared.dat:0)', 'w']);
  });
});

describe('lockNames', () => {
  it('names the lock each lock/unlock event took or dropped from the task held sets', () => {
    const trace = [ev(0, 0, 'lock', ['mmap_sem(r)']), ev(1, 1, 'lock', ['dfs_token(f:0)']), ev(2, 0, 'lock', ['mmap_sem(r)', 'page_table_lock']), ev(3, 0, 'unlock', ['mmap_sem(r)']), ev(4, 0, 'op', ['mmap_sem(r)'])];
    expect(lockNames(trace)).toEqual(['mmap_sem', 'dfs_token(f:0)', 'page_table_lock', 'page_table_lock', undefined]);
  });
});
