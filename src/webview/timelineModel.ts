// Aligns the traces of several runs by scheduler step: row i shows, in every run column, the k-th
// event of step s. Pure and allocation-light (typed arrays) so 10k-event traces lay out at once.
import type { TraceEvent } from '../engine/index';

export interface RunIndex {
  trace: readonly TraceEvent[];
  /** event indices ordered by step (the identity when the trace is already ordered) */
  order: Int32Array;
  /** order[stepStart[s]] .. order[stepStart[s+1]-1] are the events of step s */
  stepStart: Int32Array;
}

export interface AlignedTimeline {
  runs: RunIndex[];
  maxStep: number;
  rowCount: number;
  rowStep: Int32Array;
  rowK: Int32Array;
  /** first row of each step, -1 when no run has an event at that step */
  firstRow: Int32Array;
  /** steps that own at least one row, ascending */
  steps: Int32Array;
}

function indexRun(trace: readonly TraceEvent[], maxStep: number): RunIndex {
  const n = trace.length;
  const order = new Int32Array(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    order[i] = i;
    if (i > 0 && trace[i].step < trace[i - 1].step) sorted = false;
  }
  if (!sorted) order.sort((a, b) => trace[a].step - trace[b].step || a - b);
  const stepStart = new Int32Array(maxStep + 2);
  const counts = new Int32Array(maxStep + 2);
  for (let i = 0; i < n; i++) counts[Math.max(0, trace[i].step)]++;
  let acc = 0;
  for (let s = 0; s <= maxStep + 1; s++) {
    stepStart[s] = acc;
    acc += counts[s];
  }
  return { trace, order, stepStart };
}

export function alignTraces(traces: readonly (readonly TraceEvent[])[]): AlignedTimeline {
  let maxStep = 0;
  for (const t of traces) for (let i = 0; i < t.length; i++) if (t[i].step > maxStep) maxStep = t[i].step;
  const runs = traces.map((t) => indexRun(t, maxStep));
  const firstRow = new Int32Array(maxStep + 1).fill(-1);
  let rowCount = 0;
  const perStep = new Int32Array(maxStep + 1);
  let stepsWithRows = 0;
  for (let s = 0; s <= maxStep; s++) {
    let m = 0;
    for (const r of runs) {
      const c = r.stepStart[s + 1] - r.stepStart[s];
      if (c > m) m = c;
    }
    perStep[s] = m;
    if (m > 0) {
      firstRow[s] = rowCount;
      stepsWithRows++;
    }
    rowCount += m;
  }
  const rowStep = new Int32Array(rowCount);
  const rowK = new Int32Array(rowCount);
  const steps = new Int32Array(stepsWithRows);
  let row = 0;
  let si = 0;
  for (let s = 0; s <= maxStep; s++) {
    if (perStep[s] > 0) steps[si++] = s;
    for (let k = 0; k < perStep[s]; k++) {
      rowStep[row] = s;
      rowK[row] = k;
      row++;
    }
  }
  return { runs, maxStep, rowCount, rowStep, rowK, firstRow, steps };
}

/** The event of run r shown in a row, or undefined when that run has fewer events at that step. */
export function eventAt(t: AlignedTimeline, r: number, row: number): TraceEvent | undefined {
  const run = t.runs[r];
  const s = t.rowStep[row];
  const i = run.stepStart[s] + t.rowK[row];
  if (i >= run.stepStart[s + 1]) return undefined;
  return run.trace[run.order[i]];
}

/** The events of run r at step s. */
export function eventsAtStep(t: AlignedTimeline, r: number, s: number): TraceEvent[] {
  const run = t.runs[r];
  if (s < 0 || s > t.maxStep) return [];
  const out: TraceEvent[] = [];
  for (let i = run.stepStart[s]; i < run.stepStart[s + 1]; i++) out.push(run.trace[run.order[i]]);
  return out;
}

/** Next (dir=1) or previous (dir=-1) step that has rows, from `step`; stays put at the ends. */
export function neighbourStep(t: AlignedTimeline, step: number, dir: 1 | -1): number {
  const a = t.steps;
  if (a.length === 0) return step;
  // binary search for the first step >= step
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < step) lo = mid + 1;
    else hi = mid;
  }
  if (dir > 0) {
    const i = lo < a.length && a[lo] === step ? lo + 1 : lo;
    return i < a.length ? a[i] : a[a.length - 1];
  }
  return lo > 0 ? a[lo - 1] : a[0];
}
