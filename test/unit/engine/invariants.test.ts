// Each named invariant fires on the state it describes, and stays quiet on a clean run.

import { describe, it, expect } from 'vitest';

import { createMachine, type ExtraOp, type Task } from '../../../src/engine/index';
import { PTE_PRESENT } from '../../../src/engine/mm/pageTable';
import type { OpSpec, WorldSpec } from '../../../src/engine/sim/spec';

const A = 0x10000;
// test-only operations that break one rule each, the way a buggy kernel function would
const TEST_OPS: Record<string, ExtraOp> = {
  'test-leak-ref': function* (t: Task) {
    if (t.spinLock(t.mm!.pageTableLock)) yield t.step;
    const page = t.kernel.alloc.byPfn(t.mm!.pt.val(A))!;
    t.kernel.alloc.get(page); // never put
    if (t.spinUnlock(t.mm!.pageTableLock)) yield t.step;
    return { result: '0' };
  },
  'test-extra-put': function* (t: Task) {
    if (t.spinLock(t.mm!.pageTableLock)) yield t.step;
    t.kernel.alloc.put(t.kernel.alloc.byPfn(t.mm!.pt.val(A))!);
    if (t.spinUnlock(t.mm!.pageTableLock)) yield t.step;
    return { result: '0' };
  },
  'test-stray-pte': function* (t: Task) {
    if (t.spinLock(t.mm!.pageTableLock)) yield t.step;
    t.mm!.pt.setFile(0x900000, 3);
    if (t.spinUnlock(t.mm!.pageTableLock)) yield t.step;
    return { result: '0' };
  },
  'test-rss-skew': function* (t: Task) {
    if (t.spinLock(t.mm!.pageTableLock)) yield t.step;
    t.mm!.rss += 1;
    if (t.spinUnlock(t.mm!.pageTableLock)) yield t.step;
    return { result: '0' };
  },
  'test-write-backing': function* (t: Task) {
    // the backing store changes without invalidating the mappings
    const f = t.kernel.file('f');
    if (t.objWrite(f.backingKey, 0, 'write')) yield t.step;
    f.bump(0);
    return { result: '0' };
  },
  'test-make-writable': function* (t: Task) {
    if (t.spinLock(t.mm!.pageTableLock)) yield t.step;
    if (t.mm!.pt.kind(A) === PTE_PRESENT) t.mm!.pt.setProt(A, 3);
    if (t.spinUnlock(t.mm!.pageTableLock)) yield t.step;
    return { result: '0' };
  },
};

const op = (name: string) => ({ op: name }) as unknown as OpSpec;
function run(ops: OpSpec[]) {
  const w: WorldSpec = { files: [{ name: 'f', pages: 1 }], mms: [{ name: 'A' }], tasks: [{ name: 'T', mm: 'A', ops }] };
  const m = createMachine(w, {}, { extraOps: TEST_OPS });
  m.runAll();
  return m.violations.map((v) => v.invariant);
}
const anon: OpSpec[] = [
  { op: 'mmap', addr: A, pages: 1, prot: 'rw-' },
  { op: 'write', addr: A },
];
const shared: OpSpec[] = [
  { op: 'mmap', addr: A, pages: 1, prot: 'rw-', shared: true, file: 'f' },
  { op: 'read', addr: A },
];

describe('invariants', () => {
  it('clean runs record nothing', () => {
    expect(run(anon)).toEqual([]);
    expect(run(shared)).toEqual([]);
  });
  it('ref-balance: a reference never released', () => {
    expect(run([...anon, op('test-leak-ref')])).toEqual(['ref-balance']);
  });
  it('freed-while-mapped: a page freed under a present pte', () => {
    const v = run([...anon, op('test-extra-put')]);
    expect(v).toContain('freed-while-mapped');
  });
  it('orphan-pte: a pte outside every VMA', () => {
    expect(run([...anon, op('test-stray-pte')])).toEqual(['orphan-pte']);
  });
  it('rss: mm->rss out of step with the present ptes', () => {
    expect(run([...anon, op('test-rss-skew')])).toEqual(['rss']);
  });
  it('stale-pte: a mapping older than the backing store', () => {
    expect(run([...shared, op('test-write-backing')])).toEqual(['stale-pte']);
  });
  it('sigsegv: checked against what user space was promised', () => {
    // mprotect to read-only: the write must be refused, and is
    expect(run([...anon, { op: 'mprotect', addr: A, pages: 1, prot: 'r--' }, { op: 'write', addr: A }])).toEqual([]);
    // a pte left writable behind the VMA's back is caught by the promise check
    expect(run([...anon, { op: 'mprotect', addr: A, pages: 1, prot: 'r--' }, op('test-make-writable'), { op: 'write', addr: A }])).toEqual([
      'sigsegv',
    ]);
  });
});

describe('stale-pte and private COW copies', () => {
  const w: WorldSpec = {
    files: [{ name: 'f', pages: 1 }],
    mms: [{ name: 'A' }],
    tasks: [
      {
        name: 'cow',
        mm: 'A',
        ops: [
          { op: 'mmap', addr: A, pages: 1, prot: 'rw-', file: 'f' },
          { op: 'write', addr: A },
        ],
      },
      { name: 'trunc', ops: [{ op: 'truncate', file: 'f', pages: 0 }] },
    ],
  };
  /** the cow task sleeps in ->nopage while the whole truncate runs */
  function racing(fault: string) {
    const m = createMachine(w, { fault });
    while (m.tasks[0].step.label !== '->readpage (disk I/O)') m.step(0);
    while (m.runnable().includes(1)) m.step(1);
    return m.runAll();
  }
  it('a COW copy installed after the truncate ran, beyond i_size: caught', () => {
    const m = racing('2.5.70');
    const v = m.violations.filter((x) => x.invariant === 'stale-pte');
    expect(v).toHaveLength(1);
    expect(v[0].message).toMatch(/private COW copy of f page 0, beyond i_size \(0 pages\)/);
    expect(m.snapshot().mms[0].ptes[0]).toMatchObject({ kind: 'present', prot: 'rw-' });
  });
  it('truncate-seq retries the fault: SIGBUS, nothing mapped, nothing caught', () => {
    const m = racing('truncate-seq');
    expect(m.violations).toEqual([]);
    expect(m.results.find((r) => r.task === 'cow' && r.op === 'write')!.signal).toBe('SIGBUS');
  });
  it('a COW copy within i_size is not stale (it no longer follows the file)', () => {
    const m = createMachine(
      { ...w, files: [{ name: 'f', pages: 2 }], tasks: [w.tasks[0], { name: 'trunc', ops: [{ op: 'truncate', file: 'f', pages: 1 }] }] },
      {},
    );
    expect(racingDone(m).violations).toEqual([]);
  });
});

function racingDone(m: ReturnType<typeof createMachine>) {
  while (m.tasks[0].step.label !== '->readpage (disk I/O)') m.step(0);
  while (m.runnable().includes(1)) m.step(1);
  return m.runAll();
}
