// madvise(MADV_DONTNEED) and mremap() (2.6.11 mm/madvise.c, mm/mremap.c).

import { describe, it, expect } from 'vitest';

import { createMachine, PAGE_SIZE, type EngineMachine } from '../../../src/engine/index';
import type { OpSpec, WorldSpec } from '../../../src/engine/index';
import { pageMappers } from '../../../src/engine/mm/rmap';

const A = 0x10000;
const P = PAGE_SIZE;
function run(ops: OpSpec[], pages = 4): EngineMachine {
  const w: WorldSpec = { files: [{ name: 'f', pages }], mms: [{ name: 'm' }], tasks: [{ name: 'T', mm: 'm', ops }] };
  return createMachine(w, {}, { trace: true }).runAll();
}
const results = (m: EngineMachine) => m.results.map((r) => r.result);
const ptes = (m: EngineMachine) => m.snapshot().mms[0].ptes.map((p) => [p.addr, p.pfn]);
const vmas = (m: EngineMachine) => m.snapshot().mms[0].vmas.map((v) => [v.start, v.end, v.pgoff]);

describe('madvise(MADV_DONTNEED)', () => {
  it('zaps the ptes and keeps the VMA: an anonymous page is freed and comes back as the zero page', () => {
    const m = run([
      { op: 'mmap', addr: A, pages: 2, prot: 'rw-' },
      { op: 'touch', addr: A, pages: 2, write: true },
      { op: 'madvise', addr: A, pages: 1, advice: 'MADV_DONTNEED' },
      { op: 'read', addr: A },
    ]);
    expect(m.violations).toEqual([]);
    expect(results(m).slice(2)).toEqual(['0', 'VM_FAULT_MINOR']);
    expect(vmas(m)).toHaveLength(1);
    const s = m.snapshot();
    expect(s.mms[0].ptes[0].pfn).toBe(0); // the zero page
    expect(s.mms[0].rss).toBe(1);
    expect(s.pages.filter((p) => p.flags.includes('anon'))).toHaveLength(1); // the zapped page was freed
  });
  it('a file page is dropped from the mapping, not from the page cache', () => {
    const m = run([
      { op: 'mmap', addr: A, pages: 2, prot: 'rw-', shared: true, file: 'f' },
      { op: 'touch', addr: A, pages: 2 },
      { op: 'madvise', addr: A, pages: 2, advice: 'MADV_DONTNEED' },
    ]);
    expect(m.violations).toEqual([]);
    expect(ptes(m)).toEqual([]);
    expect(m.snapshot().files[0].cached).toEqual([0, 1]);
  });
  it('a hole in the range is skipped and reported -ENOMEM; an unaligned start is -EINVAL', () => {
    const m = run([
      { op: 'mmap', addr: A, pages: 1, prot: 'rw-' },
      { op: 'mmap', addr: A + 2 * P, pages: 1, prot: 'rw-' },
      { op: 'write', addr: A },
      { op: 'write', addr: A + 2 * P },
      { op: 'madvise', addr: A, pages: 3, advice: 'MADV_DONTNEED' },
      { op: 'madvise', addr: A + 8, pages: 1, advice: 'MADV_DONTNEED' },
    ]);
    expect(results(m).slice(4)).toEqual(['-ENOMEM', '-EINVAL']);
    expect(ptes(m)).toEqual([]); // both mapped pages were zapped
    const locks = m.trace.filter((e) => e.kind === 'lock' && e.fn === 'sys_madvise').map((e) => e.detail);
    expect(locks).toEqual(['down_write(mmap_sem)', 'down_write(mmap_sem)']);
  });
});

describe('mremap', () => {
  const twoPages: OpSpec[] = [
    { op: 'mmap', addr: A, pages: 2, prot: 'rw-', shared: true, file: 'f' },
    { op: 'touch', addr: A, pages: 2, write: true },
  ];
  it('moves the ptes (same pages, rmap entries at the new address) and unmaps the old range', () => {
    const m = run([
      ...twoPages,
      { op: 'mremap', addr: A, pages: 2, newPages: 2, flags: ['MREMAP_MAYMOVE', 'MREMAP_FIXED'], newAddr: 0x80000 },
    ]);
    expect(m.violations).toEqual([]);
    expect(results(m)[2]).toBe('0x80000');
    expect(vmas(m)).toEqual([[0x80000, 0x82000, 0]]);
    const s = m.snapshot();
    expect(s.mms[0].ptes.map((p) => p.addr)).toEqual([0x80000, 0x81000]);
    const page0 = m.kernel.alloc.byPfn(s.mms[0].ptes[0].pfn!)!;
    expect(pageMappers(page0).map((x) => x.addr)).toEqual([0x80000]);
    expect(s.mms[0].rss).toBe(2);
  });
  it("takes the file's mapping lock, then page_table_lock, for each page it moves", () => {
    const m = run([
      ...twoPages,
      { op: 'mremap', addr: A, pages: 2, newPages: 2, flags: ['MREMAP_MAYMOVE', 'MREMAP_FIXED'], newAddr: 0x80000 },
    ]);
    const seq = m.trace.filter((e) => e.kind === 'lock' && e.fn === 'move_page_tables').map((e) => e.detail);
    expect(seq).toEqual(['down(i_shared_sem)', 'spin_lock(page_table_lock)', 'down(i_shared_sem)', 'spin_lock(page_table_lock)']);
  });
  it('shrinks in place, grows in place when the next VMA leaves room, refuses to grow without MREMAP_MAYMOVE when it does not', () => {
    const m = run([
      { op: 'mmap', addr: A, pages: 2, prot: 'rw-' },
      { op: 'mmap', addr: A + 4 * P, pages: 1, prot: 'r--' },
      { op: 'touch', addr: A, pages: 2, write: true },
      { op: 'mremap', addr: A, pages: 2, newPages: 1 },
      { op: 'mremap', addr: A, pages: 1, newPages: 4 },
      { op: 'mremap', addr: A, pages: 4, newPages: 6 },
    ]);
    expect(m.violations).toEqual([]);
    expect(results(m).slice(3)).toEqual(['0x10000', '0x10000', '-ENOMEM']);
    expect(vmas(m)[0].slice(0, 2)).toEqual([A, A + 4 * P]);
    expect(ptes(m).map((x) => x[0])).toEqual([A]);
  });
  it('with MREMAP_MAYMOVE and no room it moves to the first free area from TASK_UNMAPPED_BASE', () => {
    const m = run([
      { op: 'mmap', addr: A, pages: 1, prot: 'rw-' },
      { op: 'mmap', addr: A + P, pages: 1, prot: 'r--' },
      { op: 'write', addr: A },
      { op: 'mremap', addr: A, pages: 1, newPages: 2, flags: ['MREMAP_MAYMOVE'] },
      { op: 'read', addr: 0x40000000 },
    ]);
    expect(m.violations).toEqual([]);
    expect(results(m).slice(3)).toEqual(['0x40000000', 'no fault']);
  });
  it('a fixed destination overlapping the source is -EINVAL', () => {
    const m = run([
      ...twoPages,
      { op: 'mremap', addr: A, pages: 2, newPages: 2, flags: ['MREMAP_MAYMOVE', 'MREMAP_FIXED'], newAddr: A + P },
    ]);
    expect(results(m)[2]).toBe('-EINVAL');
  });
});
