import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { explore, exploreAsync, runSchedule } from '../../../src/scenario/explorer';
import { ScheduleError, describeSchedule, parseSchedule } from '../../../src/scenario/schedule';

import { abba, CounterMachine, incrementers, type CounterProgram, type Instr } from './fixtures/counterMachine';

const factory = (p: CounterProgram) => () => new CounterMachine(p);
const names = (r: { violations: { invariant: string }[] }) => r.violations.map((v) => v.invariant).sort();

describe('runSchedule', () => {
  it('runs the default order without preemption: no lost update', () => {
    const r = runSchedule(factory(incrementers(2, false)));
    expect(r.schedule).toEqual([0, 0, 1, 1]);
    expect(r.preemptions).toBe(0);
    expect(r.machine.violations).toEqual([]);
  });
  it('follows a given prefix and reports the lost update', () => {
    const r = runSchedule(factory(incrementers(2, false)), { schedule: [0, 1] });
    expect(r.schedule).toEqual([0, 1, 1, 0]);
    expect(r.machine.violations.map((v) => v.invariant)).toEqual(['lost-update']);
  });
  it('refuses a schedule naming a task that cannot run, and is lenient when asked', () => {
    const p = incrementers(2, true);
    expect(() => runSchedule(factory(p), { schedule: [0, 1] })).toThrow(ScheduleError);
    const r = runSchedule(factory(p), { schedule: [0, 1], lenient: true });
    expect(r.done).toBe(true);
  });
  it('is deterministic for a seed, and different seeds give different schedules', () => {
    const p = incrementers(3, false);
    const a = runSchedule(factory(p), { seed: 7 }).schedule;
    expect(runSchedule(factory(p), { seed: 7 }).schedule).toEqual(a);
    const all = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((s) => runSchedule(factory(p), { seed: s }).schedule.join()));
    expect(all.size).toBeGreaterThan(1);
  });
});

describe('explore', () => {
  it('finds the lost update of two unlocked incrementers, with a minimal replayable counterexample', () => {
    const r = explore(factory(incrementers(2, false)));
    expect(r.complete).toBe(true);
    expect(names(r)).toEqual(['lost-update']);
    const v = r.violations[0];
    // one preemption is enough: T0 reads, T1 runs, T0 writes
    expect(v.preemptions).toBe(1);
    expect(v.schedule).toEqual([0, 1]);
    const replay = runSchedule(factory(incrementers(2, false)), { schedule: v.schedule });
    expect(replay.machine.violations.map((x) => x.invariant)).toContain('lost-update');
  });

  it('is complete and clean with the lock', () => {
    const r = explore(factory(incrementers(3, true)));
    expect(r.complete).toBe(true);
    expect(r.violations).toEqual([]);
  });

  it('state hashing visits the same states as the unreduced search with fewer steps', () => {
    const p = incrementers(3, false);
    const a = explore(factory(p), { reduction: 'none' });
    const b = explore(factory(p), { reduction: 'state' });
    expect(b.states).toBe(a.states);
    expect(b.steps).toBeLessThan(a.steps);
    expect(names(b)).toEqual(names(a));
    // 3 tasks x 2 steps: 6!/(2!2!2!) = 90 interleavings unreduced
    expect(a.schedules).toBe(90);
  });

  it('finds a deadlock of ABBA locking', () => {
    const r = explore(factory(abba()));
    expect(names(r)).toEqual(['deadlock']);
    expect(r.violations[0].schedule).toEqual([0, 1]);
  });

  it('the preemption bound limits the search and says so', () => {
    const p = incrementers(2, false);
    const r0 = explore(factory(p), { maxPreemptions: 0 });
    expect(r0.violations).toEqual([]);
    expect(r0.preemptionBounded).toBe(true);
    const r1 = explore(factory(p), { maxPreemptions: 1 });
    expect(names(r1)).toEqual(['lost-update']);
  });

  it('the step bound makes the search incomplete', () => {
    const r = explore(factory(incrementers(2, false)), { maxSteps: 3 });
    expect(r.complete).toBe(false);
  });

  it('stops at the first violation when asked', () => {
    const r = explore(factory(incrementers(3, false)), { stopAtFirst: true });
    expect(r.complete).toBe(false);
    expect(r.violations.length).toBe(1);
    expect(r.firstViolationMs).toBeDefined();
  });

  it('random mode is deterministic per seed and finds the race', () => {
    const p = incrementers(2, false);
    const a = explore(factory(p), { random: { runs: 50, seed: 3 } });
    const b = explore(factory(p), { random: { runs: 50, seed: 3 } });
    expect(a.complete).toBe(false);
    expect(a.schedules).toBe(50);
    expect(names(a)).toEqual(['lost-update']);
    expect(b.violations.map((v) => v.schedule)).toEqual(a.violations.map((v) => v.schedule));
    expect(b.states).toBe(a.states);
  });

  it('is cancellable and reports progress', async () => {
    const ctl = new AbortController();
    const seen: number[] = [];
    const r = await exploreAsync(factory(incrementers(6, false)), {
      reduction: 'none',
      signal: ctl.signal,
      progressIntervalMs: 0,
      onProgress: (p) => {
        seen.push(p.schedules);
        if (p.schedules > 100) ctl.abort();
      },
    });
    expect(r.cancelled).toBe(true);
    expect(r.complete).toBe(false);
    expect(seen.length).toBeGreaterThan(1);
  });

  it('property: the reduced search reports exactly the invariants of the unreduced one', () => {
    const instr = fc.oneof(
      fc.constantFrom<Instr>({ k: 'read', v: 'x' }, { k: 'read', v: 'y' }, { k: 'local' }),
      fc.record({ k: fc.constant('write' as const), v: fc.constantFrom('x', 'y'), add: fc.integer({ min: 0, max: 2 }) }),
    );
    const locked = (body: Instr[], l: string): Instr[] => [{ k: 'lock', l }, ...body, { k: 'unlock', l }];
    const task = fc
      .tuple(fc.array(instr, { minLength: 1, maxLength: 3 }), fc.constantFrom('', 'A', 'B'))
      .map(([b, l]) => (l ? locked(b, l) : b));
    fc.assert(
      fc.property(fc.array(task, { minLength: 2, maxLength: 3 }), fc.integer({ min: 0, max: 4 }), (tasks, want) => {
        const p: CounterProgram = {
          tasks,
          expectFinal: { x: want },
          always: (vars) => ((vars.get('y') ?? 0) >= 3 ? 'y-overflow' : undefined),
        };
        const a = explore(factory(p), { reduction: 'none', shrink: false });
        const b = explore(factory(p), { reduction: 'state', shrink: false });
        expect(names(b)).toEqual(names(a));
        expect(b.states).toBe(a.states);
      }),
      { numRuns: 40 },
    );
  });
});

describe('schedule text', () => {
  it('parses indices, names and counts', () => {
    expect(parseSchedule('0,1,1', ['a', 'b'])).toEqual([0, 1, 1]);
    expect(parseSchedule('a*2,b', ['a', 'b'])).toEqual([0, 0, 1]);
    expect(() => parseSchedule('c', ['a', 'b'])).toThrow(/not a task/);
    expect(describeSchedule([0, 0, 1, 0], ['a', 'b'])).toBe('a*2,b,a');
  });
});
