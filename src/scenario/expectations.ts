// Checking a column's `expect` block against what the engine did: the exploration answers the
// violation/never/clean entries (exists a schedule / no schedule), the default-schedule run answers
// the results, signals and lock-operation counts. Each outcome says which of these it speaks of.
import type { Machine, TraceEvent } from '../engine/index';

import type { ExpectationOutcome } from './comparisonModel';
import type { ExploreResult } from './explorer';
import type { Expectation } from './scenario';
import { formatSchedule } from './schedule';

/** kernel function -> lock operation -> count, from the lock/unlock events of a trace */
export function lockOpCounts(trace: readonly TraceEvent[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const e of trace) {
    if (e.kind !== 'lock' && e.kind !== 'unlock') continue;
    const byFn = (out[e.fn] ??= {});
    byFn[e.detail] = (byFn[e.detail] ?? 0) + 1;
  }
  return out;
}

function searchScope(x: ExploreResult): string {
  const bound = x.preemptionBounded ? ' (up to the preemption bound)' : '';
  const why = x.timedOut ? ' (time limit)' : x.cancelled ? ' (cancelled)' : '';
  return `${x.schedules} schedules, ${x.states} states${x.complete ? `, complete${bound}` : `, incomplete${why}`}`;
}

/** violation / never / clean: need an exploration */
export function checkExplorationExpectations(ex: Expectation, x: ExploreResult | undefined): ExpectationOutcome[] {
  const out: ExpectationOutcome[] = [];
  const found = new Map((x?.violations ?? []).map((v) => [v.invariant, v]));
  for (const inv of ex.violation ?? []) {
    const text = `violation: ${inv}`;
    const scope = 'some schedule';
    if (!x) {
      out.push({ text, scope, met: false, detail: 'not explored' });
      continue;
    }
    const v = found.get(inv);
    out.push(
      v
        ? {
            text,
            scope,
            met: true,
            detail: `found: schedule ${formatSchedule(v.schedule)} (${v.preemptions} preemption${v.preemptions === 1 ? '' : 's'}): ${v.message}`,
          }
        : x.complete
          ? { text, scope, met: false, detail: `no schedule violates ${inv} (${searchScope(x)})` }
          : { text, scope, met: false, undecided: true, detail: `not found, but the search is incomplete (${searchScope(x)})` },
    );
  }
  for (const inv of ex.never ?? []) {
    const text = `never: ${inv}`;
    const scope = 'all schedules';
    if (!x) {
      out.push({ text, scope, met: false, detail: 'not explored' });
      continue;
    }
    const hits = inv === 'any' ? [...found.values()] : found.has(inv) ? [found.get(inv)!] : [];
    if (hits.length > 0)
      out.push({
        text,
        scope,
        met: false,
        detail: hits.map((v) => `${v.invariant} with schedule ${formatSchedule(v.schedule)}: ${v.message}`).join('; '),
      });
    else if (!x.complete)
      out.push({ text, scope, met: false, undecided: true, detail: `not violated, but the search is incomplete (${searchScope(x)})` });
    else out.push({ text, scope, met: true, detail: `no schedule violates it (${searchScope(x)})` });
  }
  if (ex.clean !== undefined) {
    const text = `clean: ${ex.clean}`;
    // clean: true holds of every schedule; clean: false asks for one that violates something
    const scope = ex.clean ? 'all schedules' : 'some schedule';
    if (!x) out.push({ text, scope, met: false, detail: 'not explored' });
    else {
      const clean = found.size === 0 && x.complete;
      const detail =
        found.size > 0
          ? `violated: ${[...found.keys()].join(', ')}`
          : x.complete
            ? `no violation (${searchScope(x)})`
            : `no violation found, but the search is incomplete (${searchScope(x)})`;
      const met = ex.clean ? clean : found.size > 0;
      out.push({ text, scope, met, ...(!met && found.size === 0 && !x.complete ? { undecided: true as const } : {}), detail });
    }
  }
  return out;
}

/** never / clean against one run: a violation in it breaks them (only the failures; holding in one
 * run proves nothing about the others) */
export function checkSingleRunViolations(ex: Expectation, m: Machine): ExpectationOutcome[] {
  const out: ExpectationOutcome[] = [];
  const hit = new Set(m.violations.map((v) => v.invariant));
  for (const inv of ex.never ?? []) {
    const bad = inv === 'any' ? [...hit] : hit.has(inv) ? [inv] : [];
    if (bad.length)
      out.push({ text: `never: ${inv}`, scope: 'all schedules', met: false, detail: `violated in this run: ${bad.join(', ')}` });
  }
  if (ex.clean && hit.size)
    out.push({ text: 'clean: true', scope: 'all schedules', met: false, detail: `violated in this run: ${[...hit].join(', ')}` });
  return out;
}

/** results / signals / lockOps: checked on one run, the default schedule (`on`: where it came from) */
export function checkRunExpectations(ex: Expectation, m: Machine, on: string): ExpectationOutcome[] {
  const out: ExpectationOutcome[] = [];
  const scope = 'run';
  const resultsOf = (task: string, op?: number) => m.results.filter((r) => r.task === task && (op === undefined || r.index === op));
  for (const r of ex.results ?? []) {
    const want = r.result !== undefined ? `= ${r.result}` : r.contains !== undefined ? `~ ${r.contains}` : 'ran';
    const text = `result ${r.task}#${r.op} ${want}`;
    const got = resultsOf(r.task, r.op)[0];
    if (!got) {
      out.push({ text, scope, on, met: false, detail: `op ${r.op} of ${r.task} reported no result` });
      continue;
    }
    const met = r.result !== undefined ? got.result === r.result : r.contains !== undefined ? got.result.includes(r.contains) : true;
    // a fault's result is often its signal (SIGBUS): say it once
    const sig = got.signal && got.signal !== got.result ? ` (${got.signal})` : '';
    out.push({ text, scope, on, met, detail: `${got.op}: ${got.result}${sig}` });
  }
  for (const s of ex.signals ?? []) {
    const at = s.op === undefined ? '' : `#${s.op}`;
    const text = `signal ${s.task}${at} ${s.signal}`;
    const rs = resultsOf(s.task, s.op);
    const sigs = rs.filter((r) => r.signal).map((r) => `${r.op}#${r.index}: ${r.signal}`);
    const met = s.signal === 'none' ? sigs.length === 0 : rs.some((r) => r.signal === s.signal);
    out.push({ text, scope, on, met, detail: sigs.length ? sigs.join(', ') : rs.length ? 'no signal' : `no result from ${s.task}${at}` });
  }
  if (ex.lockOps?.length) {
    const counts = lockOpCounts(m.trace);
    for (const l of ex.lockOps) {
      let n = 0;
      for (const [fn, ops] of Object.entries(counts)) if (l.fn === undefined || l.fn === fn) n += ops[l.lock] ?? 0;
      const where = l.fn ? ` in ${l.fn}` : '';
      const parts: string[] = [];
      let met = true;
      if (l.count !== undefined) {
        parts.push(`= ${l.count}`);
        met &&= n === l.count;
      }
      if (l.min !== undefined) {
        parts.push(`>= ${l.min}`);
        met &&= n >= l.min;
      }
      if (l.max !== undefined) {
        parts.push(`<= ${l.max}`);
        met &&= n <= l.max;
      }
      out.push({ text: `lockOps ${l.lock}${where} ${parts.join(' ')}`.trim(), scope, on, met, detail: `counted ${n}` });
    }
  }
  return out;
}

/** how a list of outcomes ends: all met, one broken, or (none broken) one left undecided */
export function outcomeOf(list: readonly ExpectationOutcome[]): 'met' | 'failed' | 'undecided' {
  if (list.some((e) => !e.met && !e.undecided)) return 'failed';
  return list.some((e) => e.undecided) ? 'undecided' : 'met';
}

/**
 * The same run entries checked on the run shown with them: `same` when it is the run they were checked
 * on, else each says what the run shown gives (a comparison's runs share one schedule, which need not
 * be the scenario's default).
 */
export function withRunShown(
  outcomes: readonly ExpectationOutcome[],
  shown: readonly ExpectationOutcome[],
  same: boolean,
): ExpectationOutcome[] {
  let k = 0;
  return outcomes.map((x) => {
    if (x.scope !== 'run') return { ...x };
    const y = shown[k++];
    if (!y || y.text !== x.text) throw new Error(`run expectations out of step: ${x.text} / ${y?.text ?? '(none)'}`);
    return { ...x, shown: { same, met: y.met, detail: y.detail } };
  });
}

/** What an outcome speaks of, in words: "all schedules", "some schedule", "this run: default order",
 * "default order, not the run shown" */
export function scopeText(x: Pick<ExpectationOutcome, 'scope' | 'on' | 'shown'>): string {
  if (x.scope !== 'run') return x.scope ?? '';
  const on = x.on ?? 'default schedule';
  if (!x.shown) return on;
  return x.shown.same ? `this run: ${on}` : `${on}, not the run shown`;
}

/** scopeText in brackets after a space, or nothing when there is none (a comparison saved before scopes) */
export function scopeSuffix(x: Pick<ExpectationOutcome, 'scope' | 'on' | 'shown'>): string {
  const t = scopeText(x);
  return t ? ` [${t}]` : '';
}

/** The detail of an outcome, followed, when it was checked on another run than the one shown, by what the run shown gives. */
export function detailText(x: Pick<ExpectationOutcome, 'met' | 'detail' | 'shown'>): string {
  const s = x.shown;
  if (!s || s.same) return x.detail;
  return `${x.detail}; ${shownText(x.met, x.detail, s)}`;
}

function shownText(met: boolean, detail: string, s: { met: boolean; detail: string }): string {
  if (s.met === met && s.detail === detail) return 'the same in the run shown';
  return `the run shown: ${s.detail}${s.met === met ? '' : s.met ? ' (met there)' : ' (not met there)'}`;
}
