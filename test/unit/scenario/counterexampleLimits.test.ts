// `schedule: {counterexampleOf: ...}` starts a search: it obeys the caller's bounds, time limit and
// cancellation like every other search, and is not run at all when no exploration is asked for.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { compareScenario, compareScenarioAsync, defaultScheduleAsync, defaultScheduleOf, loadScenario } from '../../../src/scenario/runner';
import type { Scenario } from '../../../src/scenario/scenario';

const TEN = join(__dirname, '../../fixtures/hostile/ten-tasks.mmscenario.yaml');

/** a fresh Scenario each time: found counterexamples are remembered per scenario */
function ten(): Scenario {
  const r = loadScenario(readFileSync(TEN, 'utf8'), TEN);
  expect(r.diagnostics).toEqual([]);
  return r.scenario!;
}

describe('counterexampleOf obeys the limits', () => {
  it('stops at the time limit and says so', () => {
    const t0 = performance.now();
    const d = defaultScheduleOf(ten(), { timeLimitMs: 300 });
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(d.schedule).toBeUndefined();
    expect(d.source).toBe('default order (search incomplete (time limit))');
    expect(d.search?.timedOut).toBe(true);
  });

  it('a search cut short is not remembered: the next caller searches again', () => {
    const s = ten();
    expect(defaultScheduleOf(s, { timeLimitMs: 50 }).search).toBeDefined();
    expect(defaultScheduleOf(s, { timeLimitMs: 50 }).search).toBeDefined();
  });

  it('the step bound of the caller', () => {
    const d = defaultScheduleOf(ten(), { maxSteps: 3, timeLimitMs: 20_000 });
    expect(d.search?.timedOut).toBe(false);
    expect(d.search!.steps).toBeGreaterThan(0);
    expect(d.source).toBe('default order (no counterexample)');
  });

  it('cancellation', async () => {
    const ac = new AbortController();
    const t0 = performance.now();
    setTimeout(() => ac.abort(), 200);
    const d = await defaultScheduleAsync(ten(), { signal: ac.signal });
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(d.source).toBe('default order (search cancelled)');
  });

  it('no exploration asked for (compare --no-explore): no search', () => {
    const t0 = performance.now();
    const r = compareScenario(ten(), { explore: false });
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(r.comparison.schedule?.source).toBe('default order (counterexample not searched: exploration off)');
  });

  it('one time limit for all the searches of a comparison, and cancellation between them', async () => {
    const t0 = performance.now();
    const r = compareScenario(ten(), { timeLimitMs: 600 });
    // two columns explored, then the counterexample search: all within the one limit (plus replays)
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(r.checks.every((c) => c.exploration?.timedOut)).toBe(true);
    // four searches (two explorations, each column's counterexample search) shared the 600 ms
    const searched = r.checks.reduce((t, c) => t + c.exploration!.timeMs + (c.defaultSchedule.search?.timeMs ?? 0), 0);
    expect(searched).toBeLessThan(1800);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const t1 = performance.now();
    const x = await compareScenarioAsync(ten(), { signal: ac.signal });
    expect(performance.now() - t1).toBeLessThan(10_000);
    expect(x.checks.length).toBeLessThanOrEqual(1);
  });
});
