// Per-CPU TLBs, the mmu_gather and the tlb-stale invariant (2.6.11 include/asm-generic/tlb.h).

import { describe, it, expect } from 'vitest';

import { createMachine, type EngineMachine } from '../../../src/engine/index';
import type { OpSpec, WorldSpec } from '../../../src/engine/index';

const A = 0x10000;
function world(main: OpSpec[], reader: OpSpec[], cpus = ['cpu0', 'cpu1']): WorldSpec {
  return {
    cpus,
    mms: [{ name: 'app' }],
    tasks: [
      { name: 'main', mm: 'app', cpu: 'cpu0', ops: main },
      { name: 'reader', mm: 'app', cpu: 'cpu1', ops: reader },
    ],
  };
}
/** main maps and writes the page, reader reads it (its TLB caches it), then main runs `then` */
function run(then: OpSpec[], v = {}, readerAfter: OpSpec[] = []): EngineMachine {
  const m = createMachine(
    world([{ op: 'mmap', addr: A, pages: 1, prot: 'rw-' }, { op: 'write', addr: A }, ...then], [{ op: 'read', addr: A }, ...readerAfter]),
    v,
    { trace: true },
  );
  while (m.tasks[0].opIndex < 2) m.step(0); // mmap and write done
  while (m.tasks[1].opIndex < 1 && m.runnable().includes(1)) m.step(1); // the read
  while (m.runnable().includes(0)) m.step(0);
  return m.runAll();
}
const hits = (m: EngineMachine) =>
  m.trace.filter((e) => e.kind === 'note' && /TLB hit/.test(e.detail)).map((e) => `${m.taskNames[e.task]}: ${e.detail}`);

describe('per-CPU TLBs', () => {
  it('a second access on the same CPU hits the TLB and does not walk the page table', () => {
    const m = createMachine(
      world(
        [
          { op: 'mmap', addr: A, pages: 1, prot: 'rw-' },
          { op: 'write', addr: A },
          { op: 'write', addr: A },
        ],
        [],
      ),
      {},
      { trace: true },
    ).runAll();
    expect(hits(m)).toEqual(['main: cpu0 TLB hit 0x10000 -> pfn 1']);
    expect(m.violations).toEqual([]);
  });
  it("the snapshot lists each mm's cached translations by CPU (the tree view shows them)", () => {
    const m = createMachine(
      world(
        [
          { op: 'mmap', addr: A, pages: 1, prot: 'rw-' },
          { op: 'write', addr: A },
        ],
        [],
      ),
      {},
    ).runAll();
    expect(m.snapshot().mms[0].tlb).toEqual([{ cpu: 'cpu0', addr: A, pfn: 1, write: true }]);
  });
  it('without CPUs in the world there is no TLB', () => {
    const m = createMachine(
      {
        mms: [{ name: 'app' }],
        tasks: [
          {
            name: 'T',
            mm: 'app',
            ops: [
              { op: 'mmap', addr: A, pages: 1, prot: 'rw-' },
              { op: 'write', addr: A },
              { op: 'write', addr: A },
            ],
          },
        ],
      },
      {},
      { trace: true },
    ).runAll();
    expect(m.kernel.tlb).toBeNull();
    expect(m.snapshot().mms[0].tlb).toBeUndefined();
    expect(hits(m)).toEqual([]);
  });
  it('munmap: the gather flushes every CPU before it frees the page; the next access faults', () => {
    const m = run([{ op: 'munmap', addr: A, pages: 1 }], {}, [{ op: 'read', addr: A }]);
    expect(m.violations).toEqual([]);
    expect(m.results.filter((r) => r.task === 'reader').map((r) => r.result)).toEqual(['no fault', 'SIGSEGV']);
    expect(m.kernel.tlb!.state()).toBe('');
  });
  it('mutation free-before-flush: the page is freed while cpu1 still maps it (tlb-stale)', () => {
    const m = run([{ op: 'munmap', addr: A, pages: 1 }], { mutation: 'free-before-flush' });
    const v = m.violations.filter((x) => x.invariant === 'tlb-stale');
    expect(v).toHaveLength(1);
    expect(v[0].message).toMatch(/pfn 1 freed while a TLB still maps it \(cpu0: app 0x10000, cpu1: app 0x10000\)/);
  });
  it('mprotect flushes: a write through a once-writable translation faults and gets SIGSEGV', () => {
    const m = run([
      { op: 'mprotect', addr: A, pages: 1, prot: 'r--' },
      { op: 'write', addr: A },
    ]);
    expect(m.violations).toEqual([]);
    expect(m.results.find((r) => r.task === 'main' && r.index === 3)!.result).toBe('SIGSEGV');
  });
  it('reclaim and COW flush the translation before the old page is freed', () => {
    const reclaim = createMachine(
      {
        ...world(
          [
            { op: 'mmap', addr: A, pages: 1, prot: 'rw-' },
            { op: 'write', addr: A },
            { op: 'swap-out', addr: A },
            { op: 'read', addr: A },
          ],
          [],
        ),
      },
      {},
    ).runAll();
    expect(reclaim.violations).toEqual([]);
    const cow = createMachine(
      {
        cpus: ['cpu0', 'cpu1'],
        mms: [{ name: 'p' }],
        tasks: [
          {
            name: 'parent',
            mm: 'p',
            cpu: 'cpu0',
            ops: [
              { op: 'mmap', addr: A, pages: 1, prot: 'rw-' },
              { op: 'write', addr: A },
              { op: 'fork', as: 'c' },
              { op: 'write', addr: A },
            ],
          },
          {
            name: 'child',
            mm: 'c',
            cpu: 'cpu1',
            ops: [
              { op: 'write', addr: A },
              { op: 'munmap', addr: A, pages: 1 },
            ],
          },
        ],
      },
      {},
    ).runAll();
    expect(cow.violations).toEqual([]);
  });
  it('a task on an undeclared CPU is refused', () => {
    expect(() =>
      createMachine({ cpus: ['cpu0'], mms: [{ name: 'm' }], tasks: [{ name: 'T', mm: 'm', cpu: 'cpu9', ops: [] }] }, {}),
    ).toThrow(/unknown CPU 'cpu9' \(declared: cpu0\)/);
  });
});
