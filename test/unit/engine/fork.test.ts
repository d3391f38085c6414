// fork(): dup_mmap / copy_page_range / copy_one_pte (2.6.11) and copy-on-write across the two mms.

import { describe, it, expect } from 'vitest';

import { createMachine, type EngineMachine } from '../../../src/engine/index';
import type { OpSpec, WorldSpec } from '../../../src/engine/index';
import { explore } from '../../../src/scenario/explorer';

const ANON = 0x10000;
const SHM = 0x20000;
const setup: OpSpec[] = [
  { op: 'mmap', addr: ANON, pages: 1, prot: 'rw-' },
  { op: 'mmap', addr: SHM, pages: 1, prot: 'rw-', shared: true, file: 'shm' },
  { op: 'write', addr: ANON },
  { op: 'write', addr: SHM },
];
function world(parentOps: OpSpec[], childOps: OpSpec[] = []): WorldSpec {
  return {
    files: [{ name: 'shm', pages: 1 }],
    mms: [{ name: 'p' }],
    tasks: [{ name: 'parent', mm: 'p', ops: parentOps }, ...(childOps.length ? [{ name: 'child', mm: 'c', ops: childOps }] : [])],
  };
}
function run(w: WorldSpec): EngineMachine {
  return createMachine(w, {}, { trace: true }).runAll();
}
const pte = (m: EngineMachine, mm: string, addr: number) =>
  m
    .snapshot()
    .mms.find((x) => x.name === mm)!
    .ptes.find((p) => p.addr === addr)!;
const page = (m: EngineMachine, pfn: number | undefined) => m.snapshot().pages.find((p) => p.pfn === pfn)!;

describe('fork: dup_mmap and copy_page_range', () => {
  it('copies the VMAs and ptes; private ptes are write-protected in both mms, pages shared with a reference and an rmap entry each', () => {
    const m = run(world([...setup, { op: 'fork', as: 'c' }]));
    expect(m.violations).toEqual([]);
    expect(m.results[4].result).toBe('mm c');
    const s = m.snapshot();
    const [p, c] = ['p', 'c'].map((n) => s.mms.find((x) => x.name === n)!);
    expect(c.vmas.map((v) => [v.start, v.end, v.prot, v.file])).toEqual(p.vmas.map((v) => [v.start, v.end, v.prot, v.file]));
    expect(c.rss).toBe(2);
    // the anonymous page: read-only in both, count 2, mapcount 2
    expect(pte(m, 'p', ANON)).toMatchObject({ prot: 'r--', pfn: pte(m, 'c', ANON).pfn });
    expect(pte(m, 'c', ANON)).toMatchObject({ prot: 'r--', young: false });
    expect(page(m, pte(m, 'p', ANON).pfn)).toMatchObject({ count: 2, mapcount: 2 });
    // the shared file page: still writable, clean in the child (pte_mkclean), dirty in the parent
    expect(pte(m, 'p', SHM)).toMatchObject({ prot: 'rw-', dirty: true });
    expect(pte(m, 'c', SHM)).toMatchObject({ prot: 'rw-', dirty: false, pfn: pte(m, 'p', SHM).pfn });
    expect(page(m, pte(m, 'p', SHM).pfn)).toMatchObject({ count: 3, mapcount: 2 }); // cache + two ptes
  });
  it("takes the parent's mmap_sem for write, then the child's page_table_lock before the parent's", () => {
    const m = run(world([...setup, { op: 'fork', as: 'c' }]));
    const locks = m.trace
      .filter((e) => (e.kind === 'lock' || e.kind === 'unlock') && (e.fn === 'dup_mmap' || e.fn === 'copy_page_range'))
      .map((e) => `${e.fn} ${e.detail} [${e.locks.join(' ')}]`);
    expect(locks[0]).toBe('dup_mmap down_write(mmap_sem) [mmap_sem(w)]');
    // the parent's lock is taken while the child's is held
    expect(locks).toContain('copy_page_range spin_lock(page_table_lock) [mmap_sem(w) page_table_lock page_table_lock]');
    const firstDst = m.trace.findIndex((e) => e.kind === 'lock' && e.fn === 'dup_mmap' && e.detail === 'spin_lock(page_table_lock)');
    const firstSrc = m.trace.findIndex((e) => e.kind === 'lock' && e.fn === 'copy_page_range' && e.locks.length === 3);
    expect(firstDst).toBeGreaterThan(-1);
    expect(firstSrc).toBeGreaterThan(firstDst);
  });
  it('duplicates swap entries (swap_duplicate) and the child faults its page back in', () => {
    const m = run(world([...setup, { op: 'swap-out', addr: ANON }, { op: 'fork', as: 'c' }], [{ op: 'read', addr: ANON }]));
    expect(m.violations).toEqual([]);
    expect(m.results.find((r) => r.task === 'child')!.result).toMatch(/VM_FAULT_(MAJOR|MINOR)/);
    expect(pte(m, 'p', ANON).kind).toBe('swap');
    expect(pte(m, 'c', ANON).kind).toBe('present');
  });
  it("the child's tasks wait for the fork; the world refuses a fork onto a declared mm", () => {
    const m = createMachine(world([...setup, { op: 'fork', as: 'c' }], [{ op: 'read', addr: ANON }]), {});
    expect(m.runnable()).toEqual([0]);
    m.runAll();
    expect(m.results.find((r) => r.task === 'child')!.result).toBe('no fault');
    expect(() => createMachine(world([{ op: 'fork', as: 'p' }]), {})).toThrow(/fork as 'p', which names a declared mm/);
  });
  it('exit of both (munmap) balances every reference', () => {
    const unmap: OpSpec[] = [
      { op: 'munmap', addr: ANON, pages: 1 },
      { op: 'munmap', addr: SHM, pages: 1 },
    ];
    const m = run(
      world([...setup, { op: 'fork', as: 'c' }, { op: 'write', addr: ANON }, ...unmap], [{ op: 'write', addr: ANON }, ...unmap]),
    );
    expect(m.violations).toEqual([]);
    expect(m.snapshot().mms.every((x) => x.rss === 0 && x.ptes.length === 0)).toBe(true);
  });
});

describe('copy-on-write across mms (do_wp_page)', () => {
  it("the child's write copies; the parent keeps the original and then reuses it (mapped once, count 1)", () => {
    const w: WorldSpec = {
      ...world([...setup, { op: 'fork', as: 'c' }], [{ op: 'write', addr: ANON }]),
    };
    w.tasks.push({ name: 'parent2', mm: 'p', ops: [{ op: 'sleep' }, { op: 'write', addr: ANON }] });
    const m = createMachine(w, {}, { trace: true });
    // parent forks, then the child writes, then the parent's second thread writes
    for (const i of [0, 1, 2]) while (m.runnable().includes(i)) m.step(i);
    m.finish();
    expect(m.violations).toEqual([]);
    const wp = m.trace.filter((e) => e.kind === 'exit' && e.fn === 'do_wp_page').map((e) => `${m.taskNames[e.task]}: ${e.detail}`);
    expect(wp).toEqual(['child: do_wp_page = VM_FAULT_MINOR', 'parent2: do_wp_page = VM_FAULT_MINOR (reuse)']);
    expect(pte(m, 'c', ANON).pfn).not.toBe(pte(m, 'p', ANON).pfn);
    expect(pte(m, 'p', ANON).prot).toBe('rw-');
    expect(page(m, pte(m, 'p', ANON).pfn)).toMatchObject({ count: 1, mapcount: 1 });
  });
  it('fork racing a COW fault of another parent thread: no schedule breaks an invariant', () => {
    const w: WorldSpec = {
      mms: [{ name: 'p' }],
      tasks: [
        {
          name: 'parent',
          mm: 'p',
          ops: [
            { op: 'mmap', addr: ANON, pages: 1, prot: 'rw-' },
            { op: 'write', addr: ANON },
            { op: 'fork', as: 'c' },
          ],
        },
        { name: 'parent2', mm: 'p', ops: [{ op: 'sleep' }, { op: 'write', addr: ANON }] },
        { name: 'child', mm: 'c', ops: [{ op: 'write', addr: ANON }] },
      ],
    };
    // one preemption: a parent thread's write through a still-writable pte in the middle of the copy
    const x = explore(() => createMachine(w, {}), { maxPreemptions: 1, maxSteps: 2000 });
    expect(x.complete).toBe(true);
    expect(x.violations.map((v) => v.invariant)).toEqual([]);
  });
});
