// The footprint audit: two steps the Machine's footprints call independent must commute, and a step
// that changes an mm's VMAs writes that mm's VMA key.
import { describe, expect, it } from 'vitest';

import { faultersAndTruncate } from '../../../bench/ladder';
import { createMachine } from '../../../src/engine/index';
import type { Machine, StepInfo } from '../../../src/engine/index';
import { dependent } from '../../../src/scenario/dporConflicts';
import type { MachineFactory } from '../../../src/scenario/explorer';
import { machineFactory } from '../../../src/scenario/runner';

import { bundled, loadBundled as load } from './fixtures/bundled';

/**
 * Walk a few random schedules; at each state, for every two runnable tasks whose steps the footprints
 * call independent, run both orders and compare: the same kernel state, both still runnable, and the
 * same verdicts and results when the default policy runs the rest. Fresh page allocations are exempt
 * from the state comparison: two of them in either order give the same world up to pfn names.
 */
function audit(make: MachineFactory, walks: number, seed: number, start: number[] = []): string[] {
  const problems: string[] = [];
  let rand = seed;
  const next = () => (rand = (Math.imul(rand, 1103515245) + 12345) >>> 0) / 2 ** 32;
  // the state after `prefix`, reached by a replay (no footprints, no step checks: the steps compared
  // are taken after it, as the search takes them) except for the last `strict` steps
  const at = (prefix: number[], strict = 0): Machine => {
    const m = make();
    const cut = prefix.length - strict;
    if (m.replay) m.replay(prefix.slice(0, cut));
    else for (const t of prefix.slice(0, cut)) m.step(t);
    for (const t of prefix.slice(cut)) m.step(t);
    return m;
  };
  // the rest under a policy that does not look at the past: the lowest runnable task
  const finish = (prefix: number[]) => {
    const m = at(prefix, 2);
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
    const prefix: number[] = [...start];
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
          if (leafAcquires(fi, fj)) {
            problems.push(...sections(at, finish, prefix, i, j, where));
            continue;
          }
          if (!mi.runnable().includes(j) || !mj.runnable().includes(i)) {
            problems.push(`${where}: one disables the other`);
            continue;
          }
          mi.step(j);
          mj.step(i);
          const fresh = isFresh(fi) && isFresh(fj);
          if (!fresh && mi.stateHash() !== mj.stateHash()) problems.push(`${where}: different states`);
          if (finish([...prefix, i, j]) !== finish([...prefix, j, i])) problems.push(`${where}: different outcomes`);
        }
      const t = runnable[Math.floor(next() * runnable.length)];
      problems.push(...vmaWrites(at(prefix), t, `${prefix.join(',')} | ${m.taskNames[t]}`));
      prefix.push(t);
    }
  }
  return problems;
}

/** every mm's VMA set as the snapshot shows it (ranges, flags, offsets, files) */
const vmaSets = (m: Machine) => new Map(m.snapshot().mms.map((mm) => [mm.name, JSON.stringify(mm.vmas)]));

/** task t's step at m: where it changes an mm's VMAs, its footprint writes that mm's VMA key (an mm
 * the step creates starts with none) */
function vmaWrites(m: Machine, t: number, where: string): string[] {
  const before = vmaSets(m);
  const f = m.step(t);
  const problems: string[] = [];
  for (const [name, vmas] of vmaSets(m))
    if ((before.get(name) ?? '[]') !== vmas && !f.writes.includes(`mm:${name}/vmas`))
      problems.push(`${where}: ${f.label} changes the VMAs of ${name} but does not write mm:${name}/vmas`);
  return problems;
}

/** a step that took a page nobody used yet (an empty free list, or a cold allocation) */
const isFresh = (f: StepInfo) => f.reads.includes('kernel:free_list') || f.reads.includes('kernel:buddy');

/** both steps take one leaf lock (Lock.leaf): its acquires are called independent, but one disables the other */
function leafAcquires(a: StepInfo, b: StepInfo): boolean {
  return (
    a.lock?.op === 'acquire' &&
    b.lock?.op === 'acquire' &&
    a.writes.length > 0 &&
    a.writes[0].startsWith('+') &&
    a.writes[0] === b.writes[0]
  );
}

/**
 * Two tasks about to take one leaf lock: the search orders their sections only through what the
 * sections touch (dpor.ts). Run each whole section, in both orders: where the two sections' steps
 * are independent, the same state and the same outcomes.
 */
function sections(
  at: (prefix: number[], strict?: number) => Machine,
  finish: (prefix: number[]) => string,
  prefix: number[],
  i: number,
  j: number,
  where: string,
): string[] {
  // the section of task t from `pre`: steps until it releases the lock (a leaf section never waits)
  const section = (pre: number[], t: number) => {
    const m = at(pre);
    const steps: StepInfo[] = [];
    for (let n = 0; n < 200; n++) {
      if (!m.runnable().includes(t)) return null;
      const f = m.step(t);
      steps.push(f);
      if (f.lock?.op === 'release' && f.writes[0] === steps[0].writes[0]) return steps;
    }
    return null;
  };
  const si = section(prefix, i);
  const sj = section(prefix, j);
  if (!si || !sj) return [`${where}: a leaf section that does not end`];
  if (si.some((a, x) => x > 0 && sj.some((b, y) => y > 0 && dependent(a, b)))) return [];
  const ij = [...prefix, ...si.map(() => i), ...sj.map(() => j)];
  const ji = [...prefix, ...sj.map(() => j), ...si.map(() => i)];
  const problems: string[] = [];
  const mij = at(ij, ij.length - prefix.length);
  const mji = at(ji, ji.length - prefix.length);
  const fresh = [...si, ...sj].filter(isFresh).length > 1;
  if (!fresh && mij.stateHash() !== mji.stateHash()) problems.push(`${where}: sections in either order give different states`);
  if (finish(ij) !== finish(ji)) problems.push(`${where}: sections in either order give different outcomes`);
  return problems;
}

describe('footprints: steps called independent commute', () => {
  it('the ladder world with two faulters, both variants', () => {
    for (const fault of ['2.5.70', 'truncate-seq']) {
      const w = faultersAndTruncate(2);
      expect(audit(() => createMachine(w, { fault }), 3, 7)).toEqual([]);
    }
  }, 300_000);
  it('two faulters about to take tree_lock: their sections in either order', () => {
    for (const fault of ['2.5.70', 'truncate-seq']) {
      const w = faultersAndTruncate(2);
      const make = () => createMachine(w, { fault });
      // run each faulter (the truncate waits) until it announces spin_lock(tree_lock)
      const prefix: number[] = [];
      const m = make();
      for (const t of [0, 1])
        for (let n = 0; n < 200 && m.announced(t)?.label !== 'spin_lock(tree_lock)'; n++) {
          m.step(t);
          prefix.push(t);
        }
      expect([0, 1].map((t) => m.announced(t)?.label)).toEqual(['spin_lock(tree_lock)', 'spin_lock(tree_lock)']);
      expect(audit(make, 2, 5, prefix)).toEqual([]);
    }
  }, 300_000);
  it('munmap under the read lock and the find_vma of a thread of its mm: steps that conflict', () => {
    const s = load('munmap-thread-fault.mmscenario.yaml');
    const col = s.columns.find((c) => c.label === 'munmap under read lock')!;
    const make = machineFactory(s, col.selection);
    // the unmapper maps its page; the thread walks the pte (none yet) and is about to take mmap_sem
    // in do_page_fault (find_vma follows in that step); the unmapper reads its page and is about to
    // take mmap_sem in sys_munmap (for read: the VMA goes in that step)
    const m = make();
    const prefix: number[] = [];
    const announced = (t: number) => {
      const a = m.announced?.(t);
      return a ? `${a.fn} ${a.label}` : null;
    };
    const until = (t: number, at: string) => {
      for (let n = 0; n < 200 && m.runnable().includes(t) && announced(t) !== at; n++) {
        m.step(t);
        prefix.push(t);
      }
    };
    until(0, 'user MMU page walk');
    until(1, 'do_page_fault down_read(mmap_sem)');
    until(0, 'sys_munmap down_read(mmap_sem)');
    expect([0, 1].map(announced)).toEqual(['sys_munmap down_read(mmap_sem)', 'do_page_fault down_read(mmap_sem)']);
    expect(audit(make, 2, 3, prefix)).toEqual([]);
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
