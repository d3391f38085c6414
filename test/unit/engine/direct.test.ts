// The direct runner performs a lone task's steps where they are announced (Task.alone); a Machine
// that runs the tasks one after the other must see the same kernel behaviour, event for event.

import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { createMachine, runDirect, type ExtraOp, type Task } from '../../../src/engine/index';
import type { EngineMachine } from '../../../src/engine/sim/machine';
import { scenarioFiles, loadScenarioFile } from '../../../src/scenario/library';

const root = join(__dirname, '../../..');

// a buggy system call that returns with mmap_sem still held for write
const TEST_OPS: Record<string, ExtraOp> = {
  'test-keep-mmap-sem': function* (t: Task) {
    if (t.downWrite(t.mm!.mmapSem)) yield t.step;
    return { result: '0' };
  },
};

/** what a run did, without the scheduler's step numbers */
function behaviour(m: EngineMachine) {
  return {
    results: m.results,
    violations: m.violations.map((v) => `${v.invariant}: ${v.message}`),
    trace: m.trace.map((e) => `${e.task} ${e.kind} ${e.fn} ${e.detail} [${e.locks.join(',')}]`),
  };
}

/** the Machine, running each task until it ends or blocks before the next one starts */
function sequential(world: Parameters<typeof createMachine>[0], sel: Parameters<typeof createMachine>[1]): EngineMachine {
  const m = createMachine(world, sel, { trace: true });
  let current = 0;
  m.runAll((r) => (r.includes(current) ? current : (current = r[0])));
  return m;
}

describe('runDirect (tasks run alone, steps performed inline)', () => {
  const files = scenarioFiles([join(root, 'scenarios')]);
  it('finds the bundled scenarios', () => expect(files.length).toBeGreaterThanOrEqual(7));
  for (const f of files) {
    const s = loadScenarioFile(f).scenario!;
    for (const col of s.columns) {
      it(`${s.file.split('/').pop()} [${col.label}]: same results, violations and trace as the Machine run task after task`, () => {
        const direct = behaviour(runDirect(s.world, col.selection, { trace: true }));
        const machine = behaviour(sequential(s.world, col.selection));
        expect(direct.trace.length).toBeGreaterThan(10);
        expect(direct).toEqual(machine);
      });
    }
  }

  // T1 returns with mmap_sem held; T2, running alone after it, must stop in down_write
  it('a task that blocks on a lock held by a task that already ended is a deadlock, not an inline acquire', () => {
    const m = runDirect({ mms: [{ name: 'A' }], tasks: [
      { name: 'T1', mm: 'A', ops: [{ op: 'test-keep-mmap-sem' as 'sleep' }] },
      { name: 'T2', mm: 'A', ops: [{ op: 'mmap', addr: 0x10000, pages: 1, prot: 'rw-' }] },
    ] }, {}, { extraOps: TEST_OPS });
    expect(m.violations.map((v) => v.invariant)).toContain('deadlock');
    expect(m.violations.find((v) => v.invariant === 'deadlock')!.message).toContain('T2 waits in sys_mmap for lock:A/mmap_sem held by T1(w)');
    expect(m.violations.map((v) => v.invariant)).not.toContain('engine-error');
    expect(m.results.filter((r) => r.task === 'T2')).toEqual([]);
  });
});
