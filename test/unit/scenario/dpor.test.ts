// Partial-order reduction (dpor.ts) against the reference searches: every interleaving on the small
// counter machine, the state-hashing search (itself checked against every interleaving in
// soundness.test.ts) on the engine. Verdicts are compared on searches that complete. The footprints
// the Machine records are audited too: two steps it calls independent must commute.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { faultersAndTruncate } from '../../../bench/ladder';
import { createMachine } from '../../../src/engine/index';
import type { Machine, OpSpec, WorldSpec } from '../../../src/engine/index';
import { dependent } from '../../../src/scenario/dpor';
import { explore, runSchedule, type MachineFactory } from '../../../src/scenario/explorer';
import { loadScenario, machineFactory } from '../../../src/scenario/runner';

import { CounterMachine, incrementers, type CounterProgram, type Instr } from './fixtures/counterMachine';

const names = (r: { violations: { invariant: string }[] }) => r.violations.map((v) => v.invariant).sort();
const counter = (p: CounterProgram) => () => new CounterMachine(p);

describe('dpor on the counter machine', () => {
  it('is the default, finds the lost update and runs far fewer schedules than every interleaving', () => {
    const p = incrementers(3, false);
    const a = explore(counter(p), { reduction: 'none', shrink: false });
    const b = explore(counter(p), { shrink: false });
    expect(b.reduction).toBe('dpor');
    expect(b.complete).toBe(true);
    expect(names(b)).toEqual(['lost-update']);
    expect(b.schedules).toBeLessThan(a.schedules);
  });

  it('independent tasks: one schedule', () => {
    const t = (v: string): Instr[] => [{ k: 'read', v }, { k: 'write', v, add: 1 }, { k: 'local' }];
    const r = explore(counter({ tasks: [t('x'), t('y'), t('z')] }), { shrink: false });
    expect(r.complete).toBe(true);
    expect(r.schedules).toBe(1);
  });

  it('locks: both orders of two critical sections, and the ABBA deadlock', () => {
    const cs = (add: number): Instr[] => [
      { k: 'lock', l: 'L' },
      { k: 'read', v: 'x' },
      { k: 'write', v: 'x', add },
      { k: 'unlock', l: 'L' },
    ];
    // x ends 1 or 2 depending on the order only if the sections overwrite; here they add: always 3
    expect(names(explore(counter({ tasks: [cs(1), cs(2)], expectFinal: { x: 3 } }), { shrink: false }))).toEqual([]);
    const order: Instr[][] = [
      [
        { k: 'lock', l: 'L' },
        { k: 'write', v: 'x', add: 1 },
        { k: 'unlock', l: 'L' },
      ],
      [
        { k: 'lock', l: 'L' },
        { k: 'read', v: 'x' },
        { k: 'write', v: 'y', add: 0 },
        { k: 'unlock', l: 'L' },
      ],
    ];
    // y = x as T1 saw it: 0 when T1 ran first, 1 otherwise; expecting 1 fails only in the first order
    expect(names(explore(counter({ tasks: order, expectFinal: { y: 1 } }), { shrink: false }))).toEqual(['lost-update']);
    const t0: Instr[] = [
      { k: 'lock', l: 'A' },
      { k: 'lock', l: 'B' },
      { k: 'unlock', l: 'B' },
      { k: 'unlock', l: 'A' },
    ];
    const t1: Instr[] = [
      { k: 'lock', l: 'B' },
      { k: 'lock', l: 'A' },
      { k: 'unlock', l: 'A' },
      { k: 'unlock', l: 'B' },
    ];
    expect(names(explore(counter({ tasks: [t0, t1] }), { shrink: false }))).toEqual(['deadlock']);
  });

  it('property: the same invariants as the search over every interleaving', () => {
    const instr = fc.oneof(
      fc.constantFrom<Instr>({ k: 'read', v: 'x' }, { k: 'read', v: 'y' }, { k: 'local' }),
      fc.record({ k: fc.constant('write' as const), v: fc.constantFrom('x', 'y'), add: fc.integer({ min: 0, max: 2 }) }),
    );
    // small enough for the search over every interleaving: at most 3 tasks of 5 steps
    const section = fc
      .tuple(fc.array(instr, { minLength: 1, maxLength: 2 }), fc.constantFrom('', 'A', 'B'))
      .map(([b, l]): Instr[] => (l ? [{ k: 'lock', l }, ...b, { k: 'unlock', l }] : b));
    const task = fc.tuple(section, fc.option(instr, { nil: undefined })).map(([xs, x]) => (x ? [...xs, x] : xs));
    fc.assert(
      fc.property(
        fc.array(task, { minLength: 2, maxLength: 3 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 3 }),
        (tasks, wantX, wantY) => {
          const p: CounterProgram = {
            tasks,
            expectFinal: { x: wantX, y: wantY },
            always: (v) => ((v.get('y') ?? 0) >= 3 ? 'y-overflow' : undefined),
          };
          const a = explore(counter(p), { reduction: 'none', shrink: false });
          const b = explore(counter(p), { reduction: 'dpor', shrink: false });
          expect(a.complete && b.complete).toBe(true);
          expect(names(b)).toEqual(names(a));
          expect(b.steps).toBeLessThanOrEqual(a.steps);
        },
      ),
      { numRuns: 60 },
    );
  });
});

function load(file: string) {
  const path = join(__dirname, '../../../scenarios', file);
  return loadScenario(readFileSync(path, 'utf8'), path).scenario!;
}

const bundled = readdirSync(join(__dirname, '../../../scenarios'))
  .filter((f) => f.endsWith('.mmscenario.yaml'))
  .sort();

describe('dpor on the bundled scenarios: the verdicts of the state-hashing search', () => {
  for (const file of bundled) {
    const s = load(file);
    for (const col of s.columns) {
      it(`${file} ${col.label}`, () => {
        const make = machineFactory(s, col.selection);
        const opts = { maxSteps: s.bounds.steps, shrink: false, timeLimitMs: 60_000 };
        const por = explore(make, { ...opts, reduction: 'dpor' });
        const ref = explore(make, { ...opts, reduction: 'state' });
        expect(por.reduction).toBe('dpor');
        expect(ref.complete).toBe(true);
        expect(por.complete).toBe(true);
        expect(names(por)).toEqual(names(ref));
        // split into subtrees (what --jobs runs), here on this thread
        const part = explore(make, { ...opts, jobs: 1 });
        expect(part.complete).toBe(true);
        expect(names(part)).toEqual(names(ref));
        // each counterexample replays
        for (const v of por.violations) {
          const r = runSchedule(make, { schedule: v.fullSchedule });
          expect(r.machine.violations.map((x) => x.invariant)).toContain(v.invariant);
        }
      }, 120_000);
    }
  }
});

// ---- random small worlds on the engine ----

const VARIANTS = ['2.5.70', 'install_new_page', 'truncate-seq'];

type TaskKind = 'read' | 'write' | 'read-unmap' | 'truncate' | 'truncate-1';

function world(kinds: TaskKind[], pages: number, pageOf: number[]): WorldSpec {
  const tasks: WorldSpec['tasks'] = [];
  const mms: WorldSpec['mms'] = [];
  kinds.forEach((k, i) => {
    if (k === 'truncate' || k === 'truncate-1') {
      tasks.push({ name: `t${i}`, ops: [{ op: 'truncate', file: 'data', pages: k === 'truncate' ? 0 : 1 }] });
      return;
    }
    mms.push({ name: `mm${i}` });
    const addr = 0x10000 + (pageOf[i] % pages) * 0x1000;
    const ops: OpSpec[] = [
      { op: 'mmap', addr: 0x10000, pages, prot: 'rw-', shared: true, file: 'data' },
      { op: k === 'write' ? 'write' : 'read', addr },
    ];
    if (k === 'read-unmap') ops.push({ op: 'munmap', addr: 0x10000, pages });
    tasks.push({ name: `t${i}`, mm: `mm${i}`, ops });
  });
  return { files: [{ name: 'data', pages }], mms, tasks };
}

const worlds = fc.record({
  kinds: fc.array(fc.constantFrom<TaskKind>('read', 'write', 'read-unmap', 'truncate', 'truncate-1'), { minLength: 2, maxLength: 2 }),
  pages: fc.integer({ min: 1, max: 2 }),
  pageOf: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 2, maxLength: 2 }),
  variant: fc.constantFrom(...VARIANTS),
});

describe('dpor on random small worlds', () => {
  it('property: the same verdicts as the state-hashing search', () => {
    fc.assert(
      fc.property(worlds, ({ kinds, pages, pageOf, variant }) => {
        const w = world(kinds, pages, pageOf);
        const make = () => createMachine(w, { fault: variant });
        const por = explore(make, { reduction: 'dpor', shrink: false });
        const ref = explore(make, { reduction: 'state', shrink: false });
        expect(por.complete && ref.complete).toBe(true);
        expect(names(por)).toEqual(names(ref));
      }),
      { numRuns: 12 },
    );
  }, 300_000);
});

// ---- the footprint audit ----

/**
 * Walk a few random schedules; at each state, for every two runnable tasks whose steps the footprints
 * call independent, run both orders and compare: the same kernel state, both still runnable, and the
 * same verdicts and results when the default policy runs the rest. Fresh page allocations are exempt
 * from the state comparison: two of them in either order give the same world up to pfn names.
 */
function audit(make: MachineFactory, walks: number, seed: number): string[] {
  const problems: string[] = [];
  let rand = seed;
  const next = () => (rand = (Math.imul(rand, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const at = (prefix: number[]): Machine => {
    const m = make();
    for (const t of prefix) m.step(t);
    return m;
  };
  // the rest under a policy that does not look at the past: the lowest runnable task
  const finish = (prefix: number[]) => {
    const m = at(prefix);
    for (let n = 0; n < 2000; n++) {
      const r = m.runnable();
      if (r.length === 0) break;
      m.step(r[0]);
    }
    m.finish();
    return JSON.stringify([
      [...new Set(m.violations.map((v) => v.invariant))].sort(),
      m.results.map((x) => `${x.task}:${x.index}:${x.result}:${x.signal ?? ''}`).sort(),
    ]);
  };
  for (let w = 0; w < walks; w++) {
    const prefix: number[] = [];
    for (;;) {
      const m = at(prefix);
      const runnable = m.runnable();
      if (runnable.length === 0 || prefix.length > 400) break;
      for (let a = 0; a < runnable.length; a++)
        for (let b = a + 1; b < runnable.length; b++) {
          const i = runnable[a];
          const j = runnable[b];
          const mi = at(prefix);
          const fi = mi.step(i);
          const mj = at(prefix);
          const fj = mj.step(j);
          if (dependent(fi, fj)) continue;
          const where = `${prefix.join(',')} | ${fi.label} (${m.taskNames[i]}) / ${fj.label} (${m.taskNames[j]})`;
          if (!mi.runnable().includes(j) || !mj.runnable().includes(i)) {
            problems.push(`${where}: one disables the other`);
            continue;
          }
          mi.step(j);
          mj.step(i);
          const fresh = fi.reads.includes('kernel:free_list') && fj.reads.includes('kernel:free_list');
          if (!fresh && mi.stateHash() !== mj.stateHash()) problems.push(`${where}: different states`);
          if (finish([...prefix, i, j]) !== finish([...prefix, j, i])) problems.push(`${where}: different outcomes`);
        }
      prefix.push(runnable[Math.floor(next() * runnable.length)]);
    }
  }
  return problems;
}

describe('footprints: steps called independent commute', () => {
  it('the ladder world with two faulters, both variants', () => {
    for (const fault of ['2.5.70', 'truncate-seq']) {
      const w = faultersAndTruncate(2);
      expect(audit(() => createMachine(w, { fault }), 3, 7)).toEqual([]);
    }
  }, 300_000);
  for (const file of bundled) {
    it(
      file,
      () => {
        const s = load(file);
        for (const col of s.columns) expect(audit(machineFactory(s, col.selection), 2, 11), col.label).toEqual([]);
      },
      300_000,
    );
  }
});

// ---- the search split into subtrees, on worker threads ----

describe('partitioned search (--jobs)', () => {
  it('gives the same result for 1 and 2 workers, apart from times, with the verdicts of the plain search', async () => {
    const { build } = await import('esbuild');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'mmx-worker-'));
    const workerScript = join(dir, 'exploreWorker.js');
    await build({
      entryPoints: [join(__dirname, '../../../src/scenario/exploreWorker.ts')],
      outfile: workerScript,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      logLevel: 'error',
    });
    const { exploreAsync } = await import('../../../src/scenario/explorer');
    const strip = (x: object) =>
      JSON.stringify(x, (k, v: unknown) => (['timeMs', 'firstViolationMs', 'foundAfterMs'].includes(k) ? undefined : v));
    for (const fault of ['2.5.70', 'truncate-seq']) {
      const w = faultersAndTruncate(2);
      const make = () => createMachine(w, { fault });
      const recipe = { world: w, selection: { fault } };
      const one = await exploreAsync(make, { jobs: 1, recipe, workerScript, shrink: false });
      const two = await exploreAsync(make, { jobs: 2, recipe, workerScript, shrink: false });
      expect(one.complete).toBe(true);
      expect(strip(two)).toBe(strip(one));
      expect(names(one)).toEqual(names(explore(make, { shrink: false })));
    }
  }, 300_000);
});
