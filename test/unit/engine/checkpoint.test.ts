// Machine checkpoints (engine/sim/checkpoint.ts) against building the machine again: on every bundled
// scenario and column, a machine restored to a checkpoint and the same prefix replayed on a new
// machine are the same state (hash and full snapshot), and the same schedule run on from both gives
// the same results, violations, trace and final state. A kernel field the walk missed shows here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { Machine, MachineCheckpoint } from '../../../src/engine/index';
import { restoreCheckpoint, SideTable, takeCheckpoint } from '../../../src/engine/sim/checkpoint';
import { loadScenario, machineFactory } from '../../../src/scenario/runner';
import { prng } from '../../../src/scenario/schedule';

const dir = join(__dirname, '../../../scenarios');

function state(m: Machine) {
  return {
    hash: m.stateHash(),
    snapshot: JSON.stringify(m.snapshot()),
    results: JSON.stringify(m.results),
    violations: JSON.stringify(m.violations),
    trace: m.trace.length,
    runnable: m.runnable(),
  };
}

/** a random schedule to the end (or 400 steps), with finish() */
function randomRun(m: Machine, seed: number, each?: (depth: number) => void): number[] {
  const rand = prng(seed);
  const path: number[] = [];
  for (;;) {
    each?.(path.length);
    const r = m.runnable();
    if (r.length === 0 || path.length >= 400) break;
    const t = r[Math.floor(rand() * r.length)];
    m.step(t);
    path.push(t);
  }
  m.finish();
  return path;
}

function runOn(m: Machine, path: readonly number[]): void {
  for (const t of path) m.step(t);
  m.finish();
}

describe('machine checkpoints restore exactly what a rebuild and replay give', () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.mmscenario.yaml'))) {
    const path = join(dir, file);
    const s = loadScenario(readFileSync(path, 'utf8'), path).scenario!;
    for (const col of s.columns) {
      it(`${file} ${col.label}`, () => {
        const make = () => machineFactory(s, col.selection, true)();
        const m = make();
        const cps = m.checkpoints!(make());
        let restored = 0;
        for (let seed = 1; seed <= 6; seed++) {
          // checkpoints at every depth where one can be taken on this run
          const taken: { depth: number; c: MachineCheckpoint }[] = [];
          const first = cps.take();
          expect(first).not.toBeNull();
          const run = randomRun(m, seed, (depth) => {
            const c = cps.take();
            if (c) taken.push({ depth, c });
          });
          // back to each, deepest first (as a depth-first search goes back), and on along the same run
          for (let i = taken.length - 1; i >= 0; i--) {
            const { depth, c } = taken[i];
            if (!cps.restore(c)) return; // a side table was used: the explorer rebuilds instead
            restored++;
            const fresh = make();
            for (const t of run.slice(0, depth)) fresh.step(t);
            expect(state(m)).toEqual(state(fresh));
            runOn(m, run.slice(depth));
            runOn(fresh, run.slice(depth));
            expect(state(m)).toEqual(state(fresh));
          }
          expect(cps.restore(first!)).toBe(true);
        }
        expect(restored).toBeGreaterThan(0);
      });
    }
  }
});

describe('Maps and Sets come back with their entries in their order', () => {
  let sets = 0;
  class Counted extends Map<string, number> {
    override set(k: string, v: number): this {
      sets++;
      return super.set(k, v);
    }
  }
  const changes: [string, (m: Map<string, number>, s: Set<number>) => void][] = [
    ['nothing', () => {}],
    ['values changed, entries added after', (m, s) => (m.set('b', 9).set('d', 4).set('e', 5), s.add(7))],
    ['an entry deleted', (m, s) => (m.delete('a'), s.delete(2))],
    ['an entry deleted and added again (moved last)', (m, s) => (m.delete('a'), m.set('a', 1), s.delete(1), s.add(1))],
    ['emptied', (m, s) => (m.clear(), s.clear())],
  ];
  for (const [what, change] of changes)
    it(what, () => {
      const m = new Counted([
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ]);
      const s = new Set([1, 2, 3]);
      const root = { m, s };
      const c = takeCheckpoint(root, new Set())!;
      change(m, s);
      sets = 0;
      expect(restoreCheckpoint(c)).toBe(true);
      expect(root.m).toBe(m);
      expect([...m]).toEqual([
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ]);
      expect([...s]).toEqual([1, 2, 3]);
      // the subclass's own set() is not what restores it
      expect(sets).toBe(0);
    });
});

describe('state beside kernel objects is visible to checkpoints', () => {
  it('the engine and the kernel C bindings keep per-object state in SideTables, not bare WeakMaps', () => {
    const root = join(__dirname, '../../../src');
    const bare: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && !p.endsWith('checkpoint.ts')) {
          const lines = readFileSync(p, 'utf8').split('\n');
          // a WeakMap is allowed for an immutable cache that says so on the line above
          lines.forEach((l, i) => {
            if (/new WeakMap\b/.test(l) && !/immutable/.test(lines[i - 1] ?? '')) bare.push(`${p}:${i + 1}`);
          });
        }
      }
    };
    walk(join(root, 'engine'));
    walk(join(root, 'kernelc'));
    expect(bare).toEqual([]);
  });
});

describe('what a checkpoint refuses', () => {
  it('no checkpoint inside an operation, and none after a side table was used since', () => {
    const s = loadScenario(
      readFileSync(join(dir, 'truncate-race.mmscenario.yaml'), 'utf8'),
      join(dir, 'truncate-race.mmscenario.yaml'),
    ).scenario!;
    const make = () => machineFactory(s, s.columns[0].selection)();
    const m = make();
    const cps = m.checkpoints!(make());
    const c = cps.take()!;
    m.step(m.runnable()[0]);
    // the task is inside its first operation: its generator cannot be recorded
    expect(cps.take()).toBeNull();
    expect(cps.restore(c)).toBe(true);
    expect(m.stateHash()).toBe(make().stateHash());
    const table = new SideTable<object, number>();
    table.set({}, 1);
    expect(cps.restore(c)).toBe(false);
    // a checkpoint taken after the use restores
    const d = cps.take()!;
    expect(cps.restore(d)).toBe(true);
  });
});
