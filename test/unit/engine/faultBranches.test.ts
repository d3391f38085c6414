// The branches of the fault path: do_anonymous_page, do_no_page (+ early COW), do_wp_page,
// do_swap_page, SIGBUS / SIGSEGV / OOM, and concurrent faults on one page.

import { describe, it, expect } from 'vitest';
import { createMachine, PAGE_SIZE } from '../../../src/engine/index';
import type { OpSpec, WorldSpec } from '../../../src/engine/sim/spec';
import { explore, anyViolation } from './explore';

const A = 0x10000;
const P = PAGE_SIZE;

function run(ops: OpSpec[], extra: Partial<WorldSpec> = {}, variants = {}) {
  const m = createMachine({ files: [{ name: 'f', pages: 2 }], mms: [{ name: 'A' }], tasks: [{ name: 'T', mm: 'A', ops }], ...extra }, variants, { trace: true });
  m.runAll();
  const snap = m.snapshot();
  const pte = (addr: number) => snap.mms[0].ptes.find((p) => p.addr === addr);
  const page = (pfn: number | undefined) => snap.pages.find((p) => p.pfn === pfn);
  return { m, snap, pte, page, results: m.results.map((r) => r.result), mm: m.kernel.mms.get('A')! };
}

describe('do_anonymous_page', () => {
  it('a read maps the zero page read-only without rss', () => {
    const r = run([{ op: 'mmap', addr: A, pages: 1, prot: 'rw-' }, { op: 'read', addr: A }]);
    expect(r.pte(A)).toMatchObject({ kind: 'present', pfn: 0, prot: 'r--' });
    expect(r.mm.rss).toBe(0);
    expect(r.m.violations).toEqual([]);
  });
  it('a write allocates a zeroed page, writable and dirty', () => {
    const r = run([{ op: 'mmap', addr: A, pages: 1, prot: 'rw-' }, { op: 'write', addr: A }]);
    const pte = r.pte(A)!;
    expect(pte).toMatchObject({ kind: 'present', prot: 'rw-', dirty: true });
    expect(r.page(pte.pfn)).toMatchObject({ count: 1, mapcount: 1 });
    expect(r.mm.rss).toBe(1);
  });
  it('a write after a read breaks COW of the zero page (do_wp_page)', () => {
    const r = run([{ op: 'mmap', addr: A, pages: 1, prot: 'rw-' }, { op: 'read', addr: A }, { op: 'write', addr: A }]);
    expect(r.pte(A)!.pfn).not.toBe(0);
    expect(r.mm.rss).toBe(1);
    expect(r.m.trace.some((e) => e.kind === 'enter' && e.fn === 'do_wp_page')).toBe(true);
    expect(r.m.violations).toEqual([]);
  });
});

describe('do_no_page', () => {
  it('a shared file mapping maps the page cache page (major fault), writable on a write', () => {
    const r = run([{ op: 'mmap', addr: A, pages: 2, prot: 'rw-', shared: true, file: 'f' }, { op: 'write', addr: A }]);
    expect(r.results[1]).toBe('VM_FAULT_MAJOR');
    const pte = r.pte(A)!;
    expect(pte.prot).toBe('rw-');
    expect(r.page(pte.pfn)).toMatchObject({ file: 'f', index: 0, count: 2, mapcount: 1 });
    expect(r.m.violations).toEqual([]);
  });
  it('a private read maps the page cache page read-only; a later write copies it (do_wp_page)', () => {
    const r = run([{ op: 'mmap', addr: A, pages: 2, prot: 'rw-', file: 'f' }, { op: 'read', addr: A }, { op: 'write', addr: A }]);
    const pte = r.pte(A)!;
    const pg = r.page(pte.pfn)!;
    expect(pg.file).toBeUndefined();
    expect(pg.flags).toContain('anon');
    const cached = r.snap.pages.find((p) => p.file === 'f' && p.index === 0)!;
    expect(cached).toMatchObject({ count: 1, mapcount: 0 });
    expect(r.m.violations).toEqual([]);
  });
  it('a private write fault does the early COW break in do_no_page', () => {
    const r = run([{ op: 'mmap', addr: A, pages: 2, prot: 'rw-', file: 'f' }, { op: 'write', addr: A }]);
    expect(r.page(r.pte(A)!.pfn)!.flags).toContain('anon');
    expect(r.m.trace.some((e) => e.kind === 'enter' && e.fn === 'do_wp_page')).toBe(false);
    expect(r.m.violations).toEqual([]);
  });
  it('beyond i_size is SIGBUS', () => {
    const r = run([{ op: 'mmap', addr: A, pages: 4, prot: 'rw-', shared: true, file: 'f' }, { op: 'read', addr: A + 3 * P }]);
    expect(r.m.results[1]).toMatchObject({ result: 'SIGBUS', signal: 'SIGBUS' });
  });
  it('MAP_SHARED anonymous memory is shmem: two pages, both in its page cache', () => {
    const r = run([{ op: 'mmap', addr: A, pages: 2, prot: 'rw-', shared: true }, { op: 'touch', addr: A, pages: 2, write: true }]);
    expect(r.snap.pages.filter((p) => p.file?.startsWith('shmem-anon')).length).toBe(2);
    expect(r.m.violations).toEqual([]);
  });
});

describe('protection faults and errors', () => {
  it('SIGSEGV for a write to a read-only VMA, any access to PROT_NONE, and an unmapped address', () => {
    const r = run([{ op: 'mmap', addr: A, pages: 1, prot: 'r--' }, { op: 'mmap', addr: A + P, pages: 1, prot: '---' }, { op: 'write', addr: A }, { op: 'read', addr: A + P }, { op: 'read', addr: A + 8 * P }]);
    expect(r.results.slice(2)).toEqual(['SIGSEGV', 'SIGSEGV', 'SIGSEGV']);
    expect(r.m.violations).toEqual([]);
  });
  it('i386 has no NX: an instruction fetch from a readable page is a read', () => {
    const r = run([{ op: 'mmap', addr: A, pages: 1, prot: 'r--' }, { op: 'exec', addr: A }]);
    expect(r.results[1]).toBe('VM_FAULT_MINOR');
    expect(r.m.violations).toEqual([]);
  });
  it('VM_FAULT_OOM when the allocator limit is reached', () => {
    const r = run([{ op: 'mmap', addr: A, pages: 2, prot: 'rw-' }, { op: 'write', addr: A }, { op: 'write', addr: A + P }], { memoryPages: 1 });
    expect(r.results.slice(1)).toEqual(['VM_FAULT_MINOR', 'VM_FAULT_OOM']);
  });
});

describe('do_swap_page', () => {
  it('swap-out leaves a swap entry; the next access reads it back (major) with its data', () => {
    const r = run([
      { op: 'mmap', addr: A, pages: 1, prot: 'rw-' },
      { op: 'write', addr: A },
      { op: 'swap-out', addr: A },
      { op: 'read', addr: A },
    ]);
    expect(r.results[2]).toBe('1 swapped out');
    expect(r.results[3]).toBe('VM_FAULT_MAJOR');
    const pte = r.pte(A)!;
    expect(pte.kind).toBe('present');
    expect(r.mm.rss).toBe(1);
    expect(r.m.kernel.alloc.byPfn(pte.pfn!)!.userWrites).toBe(1);
    expect(r.m.kernel.swap.slots.size).toBe(0);
    expect(r.m.violations).toEqual([]);
  });
  it('between swap-out and swap-in the pte is a swap entry and rss drops', () => {
    const r = run([{ op: 'mmap', addr: A, pages: 1, prot: 'rw-' }, { op: 'write', addr: A }, { op: 'swap-out', addr: A }]);
    expect(r.pte(A)!.kind).toBe('swap');
    expect(r.mm.rss).toBe(0);
    expect(r.m.violations).toEqual([]);
  });
  it('a linear shared file page is simply unmapped and refaulted through ->nopage', () => {
    const r = run([{ op: 'mmap', addr: A, pages: 2, prot: 'rw-', shared: true, file: 'f' }, { op: 'write', addr: A }, { op: 'swap-out', addr: A }]);
    expect(r.pte(A)).toBeUndefined();
    // the dirty page was written back: the backing store has the new version
    expect(r.snap.files[0].versions[0]).toBe(2);
    expect(r.m.violations).toEqual([]);
  });
});

describe('concurrent faults', () => {
  const two: WorldSpec = {
    mms: [{ name: 'A' }],
    tasks: [
      { name: 'T0', mm: 'A', ops: [{ op: 'mmap', addr: A, pages: 1, prot: 'rw-' }, { op: 'write', addr: A }] },
      { name: 'T1', mm: 'A', ops: [{ op: 'write', addr: A }] },
    ],
  };
  it('two threads writing one anonymous page: every schedule ends with one page and no violation', () => {
    expect(explore(two, {}, anyViolation).found).toBeNull();
    expect(explore(two, {}, (m) => m.kernel.alloc.allocated !== 1 && m.results.every((r) => !r.signal)).found).toBeNull();
  });
  it('some schedule takes the "another thread was faster" branch (a page allocated and released)', () => {
    const r = explore(two, {}, (m) => m.kernel.alloc.size > 2);
    expect(r.found).not.toBeNull();
  });
});
