// get_user_pages() of 2.5.46 (variant 'gup-2.5.46') run on the engine.

import { describe, expect, it } from 'vitest';
import { A, A_PAGES, HOLE, HUGE, HUGE_END, PAGE, hugeAndAnon, opEvents, pageAt, pageSet, ptlOps, resultOf, run, violations, world } from './gupHelpers';
import { PG_tail } from '../../../src/engine/mm/page';
import type { OpSpec } from '../../../src/engine/sim/spec';
import { createMachine } from '../../../src/engine/index';
import { Vma } from '../../../src/engine/mm/vma';
import { findExtendVma } from '../../../src/engine/mm/findExtendVma';
import { VM_GROWSDOWN, VM_READ, VM_WRITE } from '../../../src/engine/sim/constants';

const gup = { gup: 'gup-2.5.46' };

describe('get_user_pages 2.5.46', () => {
  it('walks several VMAs and stops at a hole with the count so far, referencing each page and filling vmas[]', () => {
    const ops: OpSpec[] = [
      { op: 'mmap', addr: A, pages: A_PAGES, prot: 'rw-' },
      { op: 'mmap', addr: HOLE - 2 * PAGE, pages: 2, prot: 'r--' }, // splits A: a second VMA
      { op: 'touch', addr: A, pages: 2, write: true },
      { op: 'touch', addr: A + 2 * PAGE, pages: 2 },
      { op: 'gup', addr: A, pages: 8, as: 'p' },
    ];
    const m = run(world(ops), gup);
    expect(resultOf(m, 4)).toBe('4 pages');
    const set = pageSet(m, 'p');
    expect(set.pages).toHaveLength(4);
    expect(set.vmas!.map((v) => v.start)).toEqual([A, A, HOLE - 2 * PAGE, HOLE - 2 * PAGE]);
    // the caller never released them: the two anonymous pages leak a reference each (the read-only
    // VMA maps the zero page, which gets none)
    expect(m.violations.filter((v) => v.invariant === 'ref-balance').map((v) => v.message)).toEqual([
      expect.stringContaining('leaked reference'),
      expect.stringContaining('leaked reference'),
    ]);
    expect(set.pages[2].reserved).toBe(true);
  });

  it('leaves nothing behind when the caller releases what it got', () => {
    const ops: OpSpec[] = [
      { op: 'mmap', addr: A, pages: A_PAGES, prot: 'rw-' },
      { op: 'touch', addr: A, pages: A_PAGES, write: true },
      { op: 'gup', addr: A, pages: 8, write: true, as: 'p' },
      { op: 'release', pages: 'p', fn: 'put_page' },
    ];
    const m = run(world(ops), gup);
    expect(resultOf(m, 2)).toBe('4 pages');
    expect(m.violations).toEqual([]);
  });

  it('takes one reference per page, on top of the pte\'s', () => {
    const ops: OpSpec[] = [
      { op: 'mmap', addr: A, pages: 2, prot: 'rw-' },
      { op: 'touch', addr: A, pages: 2, write: true },
      { op: 'gup', addr: A, pages: 2, write: true, as: 'p' },
      { op: 'gup', addr: A, pages: 1, as: 'q' },
    ];
    const m = run(world(ops), gup);
    expect(pageAt(m, A).count).toBe(3);
    expect(pageAt(m, A + PAGE).count).toBe(2);
  });

  it('returns -EFAULT for a range that starts in a hole, and for VM_IO', () => {
    const ops: OpSpec[] = [
      { op: 'mmap', addr: A, pages: 2, prot: 'rw-', flags: ['VM_IO'] },
      { op: 'gup', addr: HOLE, pages: 1, as: 'hole' },
      { op: 'gup', addr: A, pages: 1, as: 'io' },
    ];
    const m = run(world(ops), gup);
    expect(resultOf(m, 1)).toBe('-EFAULT');
    expect(resultOf(m, 2)).toBe('-EFAULT');
  });

  it('refuses a write without VM_WRITE, returning the pages before that VMA', () => {
    const ops: OpSpec[] = [
      { op: 'mmap', addr: A, pages: 2, prot: 'rw-' },
      { op: 'mmap', addr: A + 2 * PAGE, pages: 2, prot: 'r--' },
      { op: 'gup', addr: A, pages: 4, write: true, as: 'p' },
      { op: 'release', pages: 'p', fn: 'put_page' },
    ];
    const m = run(world(ops), gup);
    expect(resultOf(m, 2)).toBe('2 pages');
    expect(m.violations).toEqual([]);
  });

  it('with force only needs the VM_MAY* bits (a forced read of a PROT_NONE mapping)', () => {
    const ops: OpSpec[] = [
      { op: 'mmap', addr: A, pages: 1, prot: '---' },
      { op: 'gup', addr: A, pages: 1, as: 'r' },
      { op: 'gup', addr: A, pages: 1, force: true, as: 'f' },
      { op: 'release', pages: 'f', fn: 'put_page' },
    ];
    const m = run(world(ops), gup);
    expect(resultOf(m, 1)).toBe('-EFAULT');
    expect(resultOf(m, 2)).toBe('1 page');
    expect(m.violations).toEqual([]);
  });

  it('returns fewer pages than asked when a fault fails after some pages (SIGBUS beyond the end of the file)', () => {
    const ops: OpSpec[] = [
      { op: 'mmap', addr: A, pages: 4, prot: 'rw-', shared: true, file: 'f' },
      { op: 'gup', addr: A, pages: 4, as: 'p' },
      { op: 'gup', addr: A + 3 * PAGE, pages: 1, as: 'q' },
      { op: 'release', pages: 'p', fn: 'put_page' },
    ];
    const m = run(world(ops, { files: [{ name: 'f', pages: 2 }] }), gup);
    expect(resultOf(m, 1)).toBe('2 pages');
    expect(resultOf(m, 2)).toBe('-EFAULT');
    expect(m.violations).toEqual([]);
  });

  it('drops page_table_lock around handle_mm_fault where nothing is mapped', () => {
    const ops: OpSpec[] = [
      { op: 'mmap', addr: A, pages: 2, prot: 'rw-' },
      { op: 'touch', addr: A, pages: 1, write: true },
      { op: 'gup', addr: A, pages: 2, write: true, as: 'p' },
      { op: 'release', pages: 'p', fn: 'put_page' },
    ];
    const m = run(world(ops), gup);
    const evs = opEvents(m, 2);
    const seq = evs.filter((e) => e.fn === 'get_user_pages' && (e.kind === 'lock' || e.kind === 'unlock') || (e.kind === 'enter' && e.fn === 'handle_mm_fault')).map((e) => e.kind);
    // lock, (page 0 present), unlock, fault for page 1, lock, unlock
    expect(seq).toEqual(['lock', 'unlock', 'enter', 'lock', 'unlock']);
    expect(m.kernel.tasks[0].minFlt).toBeGreaterThan(0);
  });

  it('a write lookup needs a dirty pte: a clean writable pte goes through handle_mm_fault, which dirties it', () => {
    const ops: OpSpec[] = [
      { op: 'mmap', addr: A, pages: 1, prot: 'rw-', shared: true, file: 'f' },
      { op: 'touch', addr: A, pages: 1 },
      { op: 'gup', addr: A, pages: 1, write: true, as: 'p' },
      { op: 'release', pages: 'p', fn: 'put_page' },
    ];
    const m = run(world(ops, { files: [{ name: 'f', pages: 1 }] }), gup);
    const faults = opEvents(m, 2).filter((e) => e.kind === 'enter' && e.fn === 'handle_mm_fault');
    expect(faults).toHaveLength(1);
    expect(m.kernel.mms.get('A')!.pt.get(A)!.dirty).toBe(true);
  });

  it('takes no reference on a PG_reserved page (the zero page of an untouched anonymous read)', () => {
    const ops: OpSpec[] = [
      { op: 'mmap', addr: A, pages: 1, prot: 'rw-' },
      { op: 'gup', addr: A, pages: 1, as: 'p' },
      { op: 'release', pages: 'p', fn: 'put_page' },
    ];
    const m = run(world(ops), gup);
    const set = pageSet(m, 'p');
    expect(set.pages[0].reserved).toBe(true);
    expect(set.pages[0].count).toBe(m.kernel.alloc.zeroPage.count);
    expect(opEvents(m, 1).filter((e) => e.kind === 'ref')).toEqual([]);
    expect(m.violations).toEqual([]);
  });

  it('hugetlb VMAs go to follow_hugetlb_page: compound pages, referenced through the head, without page_table_lock', () => {
    const ops: OpSpec[] = [...hugeAndAnon, { op: 'gup', addr: HUGE_END - 2 * PAGE, pages: 4, write: true, as: 'p' }];
    const m = run(world(ops), gup);
    expect(resultOf(m, 3)).toBe('4 pages');
    const set = pageSet(m, 'p');
    const [t1, t2] = set.pages;
    expect(t1.flags & PG_tail).toBeTruthy();
    expect(t2.head).toBe(t1.head);
    // the huge pte's reference plus one per base page collected
    expect(t1.head!.count).toBe(1 + 2);
    expect(set.vmas!.map((v) => v.start)).toEqual([HUGE, HUGE, A, A]);
    const hugeLocks = ptlOps(opEvents(m, 3)).filter((e) => e.fn === 'follow_hugetlb_page');
    expect(hugeLocks).toEqual([]);
    // leaked: the caller did not release
    expect(violations(m)).toContain('ref-balance');
  });

  it('a hugetlb VMA must be huge-page aligned, and munmap gives its pages back', () => {
    const ops: OpSpec[] = [
      { op: 'mmap', addr: HUGE + PAGE, pages: 512, prot: 'rw-', flags: ['VM_HUGETLB'] },
      { op: 'mmap', addr: HUGE, pages: 512, prot: 'rw-', flags: ['VM_HUGETLB'] },
      { op: 'gup', addr: HUGE, pages: 2, as: 'p' },
      { op: 'release', pages: 'p', fn: 'put_page' },
      { op: 'munmap', addr: HUGE, pages: 512 },
    ];
    const m = run(world(ops), gup);
    expect(resultOf(m, 0)).toBe('-EINVAL');
    expect(resultOf(m, 1)).toBe('0x200000');
    expect(m.kernel.mms.get('A')!.rss).toBe(0);
    expect(m.kernel.alloc.allocated).toBe(0);
    expect(m.violations).toEqual([]);
  });

  it('reclaim never takes hugetlb pages', () => {
    const m = run(world([...hugeAndAnon, { op: 'swap-out', addr: HUGE, pages: 2 }, { op: 'read', addr: HUGE }]), gup);
    expect(m.kernel.mms.get('A')!.rss).toBe(512 + A_PAGES);
    expect(m.violations).toEqual([]);
  });

  it('find_extend_vma() grows a VM_GROWSDOWN VMA down to the address, and only that kind', () => {
    const m = createMachine(world([]), gup);
    const mm = m.kernel.mms.get('A')!;
    const stack = new Vma(mm, A + 4 * PAGE, A + 8 * PAGE, VM_READ | VM_WRITE | VM_GROWSDOWN, (A + 4 * PAGE) / PAGE, null, null);
    mm.vmas.insert(stack);
    const heap = new Vma(mm, A + 16 * PAGE, A + 17 * PAGE, VM_READ, (A + 16 * PAGE) / PAGE, null, null);
    mm.vmas.insert(heap);
    expect(findExtendVma(mm, A + 5 * PAGE + 12)).toBe(stack);
    expect(stack.start).toBe(A + 4 * PAGE);
    expect(findExtendVma(mm, A + 2 * PAGE + 12)).toBe(stack);
    expect(stack.start).toBe(A + 2 * PAGE);
    expect(mm.vmas.find(A + 2 * PAGE)).toBe(stack);
    expect(findExtendVma(mm, A + 10 * PAGE)).toBeNull();
  });
});

describe('get_user_pages 2.5.46: forced write to a read-only private mapping (ptrace)', () => {
  const ops: OpSpec[] = [
    { op: 'mmap', addr: A, pages: 1, prot: 'r--', file: 'f' },
    { op: 'read', addr: A },
    { op: 'write', addr: A },
    { op: 'gup', addr: A, pages: 1, write: true, force: true, as: 'p' },
    { op: 'release', pages: 'p', fn: 'put_page' },
  ];

  it('a user write still gets SIGSEGV; the forced write breaks COW into a private writable copy', () => {
    const m = run(world(ops, { files: [{ name: 'f', pages: 1 }] }), gup);
    expect(resultOf(m, 2)).toBe('SIGSEGV');
    expect(resultOf(m, 3)).toBe('1 page');
    expect(violations(m)).toEqual([]);
    const cached = m.kernel.files.get('f')!.mapping(null).cache.get(0)!;
    const mine = pageAt(m, A);
    expect(mine).not.toBe(cached);
    const pt = m.kernel.mms.get('A')!.pt;
    expect(pt.prot(A) & VM_WRITE).toBe(VM_WRITE);
  });
});
