// The explorer on the real engine: the DFS race of seed 004.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { explore, runSchedule } from '../../../src/scenario/explorer';
import { compareScenario, compareScenarioAsync, loadScenario, machineFactory } from '../../../src/scenario/runner';
import type { Scenario } from '../../../src/scenario/scenario';

function load(name: string): Scenario {
  const file = join(__dirname, '../../../scenarios', name);
  const r = loadScenario(readFileSync(file, 'utf8'), file);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.scenario!;
}

const dfs = load('dfs-race.mmscenario.yaml');
const col = (label: string) => dfs.columns.find((c) => c.label === label)!;
const opts = { maxSteps: dfs.bounds.steps, maxPreemptions: dfs.bounds.preemptions };

describe('the DFS pagefault/invalidate race (seed 004)', () => {
  it('the default order (no preemption) maps a fresh page under 2.5.70', () => {
    const r = runSchedule(machineFactory(dfs, col('2.5.70').selection));
    expect(r.done).toBe(true);
    expect(r.machine.violations).toEqual([]);
  });

  it('under 2.5.70 the explorer finds a stale pte, with a minimal counterexample that replays', () => {
    const x = explore(machineFactory(dfs, col('2.5.70').selection), opts);
    const v = x.violations.find((y) => y.invariant === 'stale-pte');
    expect(v).toBeDefined();
    expect(v!.preemptions).toBeGreaterThanOrEqual(1);
    const replay = runSchedule(machineFactory(dfs, col('2.5.70').selection, true), { schedule: v!.schedule });
    expect(replay.machine.violations.some((y) => y.invariant === 'stale-pte')).toBe(true);
    // the race is in the ->nopage window: the remote write ran while the fault slept
    const fns = replay.machine.trace.map((e) => e.fn);
    expect(fns).toContain('do_no_page');
    // the counterexample is minimal: dropping any entry loses the violation or adds preemptions
    for (let i = 0; i < v!.schedule.length; i++) {
      const shorter = v!.schedule.slice(0, i).concat(v!.schedule.slice(i + 1));
      let r;
      try {
        r = runSchedule(machineFactory(dfs, col('2.5.70').selection), { schedule: shorter });
      } catch {
        continue;
      }
      const still = r.machine.violations.some((y) => y.invariant === 'stale-pte');
      expect(still && r.preemptions <= v!.preemptions).toBe(false);
    }
  });

  for (const fixed of ['install_new_page', 'install_new_page-hch', 'truncate-seq']) {
    it(`under ${fixed} the search is complete and finds no stale pte`, () => {
      const x = explore(machineFactory(dfs, col(fixed).selection), opts);
      expect(x.complete).toBe(true);
      expect(x.violations.map((y) => y.invariant)).not.toContain('stale-pte');
      expect(x.states).toBeGreaterThan(10);
    });
  }

  it('the reduced search finds the same invariants and states as the unreduced one (bounded to 2 preemptions)', () => {
    // truncate-seq keeps a sampled sequence count in a local variable: the case the reads-from digest is for
    for (const c of [col('2.5.70'), col('truncate-seq')]) {
      const a = explore(machineFactory(dfs, c.selection), { maxPreemptions: 2, reduction: 'none', shrink: false });
      const b = explore(machineFactory(dfs, c.selection), { maxPreemptions: 2, reduction: 'state', shrink: false });
      expect(a.complete).toBe(true);
      expect(b.violations.map((v) => v.invariant).sort()).toEqual(a.violations.map((v) => v.invariant).sort());
      expect(b.states).toBe(a.states);
      expect(b.steps).toBeLessThan(a.steps);
    }
  });

  it('is deterministic: the same seed gives the same schedule and trace', () => {
    const make = machineFactory(dfs, col('2.5.70').selection, true);
    const a = runSchedule(make, { seed: 42 });
    const b = runSchedule(make, { seed: 42 });
    expect(b.schedule).toEqual(a.schedule);
    expect(b.machine.trace).toEqual(a.machine.trace);
    const x = explore(machineFactory(dfs, col('2.5.70').selection), { random: { runs: 30, seed: 9 } });
    const y = explore(machineFactory(dfs, col('2.5.70').selection), { random: { runs: 30, seed: 9 } });
    expect(y.violations.map((v) => [v.invariant, v.schedule])).toEqual(x.violations.map((v) => [v.invariant, v.schedule]));
  });

  it('random mode (PCT priorities) finds the race in a few runs, and its counterexample replays', () => {
    for (const seed of [1, 2, 3]) {
      const x = explore(machineFactory(dfs, col('2.5.70').selection), { random: { runs: 20, seed } });
      expect(x.complete).toBe(false);
      const v = x.violations.find((y) => y.invariant === 'stale-pte');
      expect(v).toBeDefined();
      const r = runSchedule(machineFactory(dfs, col('2.5.70').selection), { schedule: v!.schedule });
      expect(r.machine.violations.some((y) => y.invariant === 'stale-pte')).toBe(true);
    }
    const fixed = explore(machineFactory(dfs, col('install_new_page').selection), { random: { runs: 20, seed: 1 } });
    expect(fixed.violations).toEqual([]);
  });

  it('compare: every column runs the counterexample; the traces part where the variants differ', () => {
    const { comparison, ok } = compareScenario(dfs);
    expect(ok).toBe(true);
    expect(comparison.runs.map((r) => r.label)).toEqual(dfs.columns.map((c) => c.label));
    expect(comparison.schedule?.source).toMatch(/counterexample of 2\.5\.70/);
    const row = comparison.invariants.find((r) => r.invariant === 'stale-pte')!;
    expect(row.explored).toEqual(['violated', 'held', 'held', 'held']);
    expect(row.counts[0]).toBeGreaterThan(0);
    expect(row.counts.slice(1)).toEqual([0, 0, 0]);
    expect(comparison.firstDivergence).not.toBeNull();
    expect(comparison.firstDivergence!.eventIndex).toHaveLength(4);
    const base = comparison.runs[0];
    expect(Object.keys(base.lockOps).length).toBeGreaterThan(0);
    expect(base.snapshot.mms[0].name).toBe('app');
  });

  it('compareScenarioAsync reports progress and stops when cancelled', async () => {
    const ctl = new AbortController();
    let reports = 0;
    const { comparison } = await compareScenarioAsync(dfs, {
      signal: ctl.signal,
      progressIntervalMs: 0,
      onProgress: () => {
        if (++reports === 3) ctl.abort();
      },
    });
    expect(reports).toBeGreaterThanOrEqual(3);
    // the first column's exploration was cut short, and no further column ran
    expect(comparison.runs).toHaveLength(1);
    expect(comparison.runs[0].exploration!.complete).toBe(false);
  });
});
