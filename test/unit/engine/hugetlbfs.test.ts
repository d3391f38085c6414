// hugetlbfs as 2.5.70 to 2.6.11 have it: mmap prefaults the whole VMA from the file's page cache,
// an access finds the huge pte without a fault, truncate zaps the huge ptes and drops the pages,
// and handle_mm_fault() gives VM_FAULT_SIGBUS for what truncation left unmapped.
import { describe, expect, it } from 'vitest';

import { createMachine } from '../../../src/engine/index';
import { HPAGE_PAGES } from '../../../src/engine/mm/hugetlb';
import { PG_tail } from '../../../src/engine/mm/page';
import type { OpSpec, WorldSpec } from '../../../src/engine/sim/spec';
import { explore, runSchedule } from '../../../src/scenario/explorer';

import { PAGE, opEvents, pageAt, pageSet, resultOf, run, violations } from './gupHelpers';

const H = 0x400000; // 2 MB aligned
const HP = 0x200000;
const gup = { gup: 'gup-2.5.46' };

function hugeWorld(ops: OpSpec[], filePages = 0, more: Partial<WorldSpec> = {}): WorldSpec {
  return {
    files: [{ name: 'huge', pages: filePages, fs: 'hugetlbfs' }],
    mms: [{ name: 'A' }],
    tasks: [{ name: 't', mm: 'A', ops }],
    ...more,
  };
}

const map2: OpSpec = { op: 'mmap', addr: H, pages: 2 * HPAGE_PAGES, prot: 'rw-', shared: true, file: 'huge' };

describe('hugetlbfs: prefault at mmap, SIGBUS after truncate (no demand faulting before 2.6.16)', () => {
  it('mmap prefaults every huge page into the page cache and the page table; an access takes no fault', () => {
    const m = run(hugeWorld([map2, { op: 'write', addr: H + HP + 5 * PAGE }, { op: 'read', addr: H }]), gup);
    expect(resultOf(m, 0)).toBe('0x400000');
    expect(resultOf(m, 1)).toBe('no fault');
    expect(resultOf(m, 2)).toBe('no fault');
    const mm = m.kernel.mms.get('A')!;
    expect(mm.rss).toBe(2 * HPAGE_PAGES);
    const file = m.kernel.file('huge');
    // i_size grew to the end of the mapping; the cache holds the two huge pages at huge-page indices
    expect(file.size).toBe(2 * HPAGE_PAGES);
    const space = file.mapping(null);
    expect([...space.cache.keys()].sort()).toEqual([0, 1]);
    const tail = pageAt(m, H + HP + 5 * PAGE);
    expect(tail.flags & PG_tail).toBeTruthy();
    expect(tail.head).toBe(space.cache.get(1));
    // the cache's reference and the huge pte's
    expect(tail.head!.count).toBe(2);
    // prefault ran under page_table_lock, with find_get_page / add_to_page_cache per huge page
    const fns = opEvents(m, 0)
      .filter((e) => e.kind === 'enter')
      .map((e) => e.fn);
    expect(fns).toContain('hugetlbfs_file_mmap');
    expect(fns).toContain('hugetlb_prefault');
    expect(m.violations).toEqual([]);
  });

  it('a snapshot shows each huge pte once, as the pmd entry it is, with the head pfn', () => {
    const m = run(hugeWorld([map2, { op: 'truncate', file: 'huge', pages: HPAGE_PAGES }]), gup);
    const ptes = m.snapshot().mms[0].ptes;
    expect(ptes).toHaveLength(1);
    expect(ptes[0]).toMatchObject({ addr: H, pmd: 2, pte: 0, kind: 'present', huge: true, pages: HPAGE_PAGES, prot: 'rw-' });
    expect(ptes[0].pfn).toBe(m.kernel.file('huge').mapping(null).cache.get(0)!.pfn);
  });

  it('a second mapping (another mm) shares the cached huge pages', () => {
    const w: WorldSpec = {
      files: [{ name: 'huge', pages: 0, fs: 'hugetlbfs' }],
      mms: [{ name: 'A' }, { name: 'B' }],
      tasks: [
        { name: 't', mm: 'A', ops: [map2] },
        {
          name: 'u',
          mm: 'B',
          ops: [
            { ...map2, addr: 2 * H },
            { op: 'read', addr: 2 * H + HP },
          ],
        },
      ],
    };
    const m = createMachine(w, gup, { trace: true }).runAll();
    expect(pageAt(m, 2 * H + HP, 'B')).toBe(pageAt(m, H + HP, 'A'));
    expect(pageAt(m, H + HP, 'A').count).toBe(3); // cache + two huge ptes
    expect(m.violations).toEqual([]);
  });

  it('truncate zaps the huge ptes beyond the new size; an access there gets SIGBUS, below it none', () => {
    const m = run(
      hugeWorld([
        map2,
        { op: 'truncate', file: 'huge', pages: HPAGE_PAGES },
        { op: 'read', addr: H + HP },
        { op: 'read', addr: H + 3 * PAGE },
        { op: 'munmap', addr: H, pages: 2 * HPAGE_PAGES },
      ]),
      gup,
    );
    expect(resultOf(m, 1)).toBe('0');
    expect(resultOf(m, 2)).toBe('SIGBUS');
    expect(resultOf(m, 3)).toBe('no fault');
    const fault = opEvents(m, 2).find((e) => e.kind === 'exit' && e.fn === 'handle_mm_fault');
    expect(fault?.detail).toBe('handle_mm_fault = VM_FAULT_SIGBUS');
    const file = m.kernel.file('huge');
    expect(file.size).toBe(HPAGE_PAGES);
    expect([...file.mapping(null).cache.keys()]).toEqual([0]);
    // the truncated huge page is freed; the first one stays with the cache after munmap
    expect(m.kernel.alloc.allocated).toBe(HPAGE_PAGES);
    expect(m.violations).toEqual([]);
  });

  it("truncate refuses a size that is not a whole number of huge pages, and growing the file (2.6.11's hugetlb_vmtruncate)", () => {
    const m = run(
      hugeWorld([
        map2,
        { op: 'truncate', file: 'huge', pages: HPAGE_PAGES + 1 },
        { op: 'truncate', file: 'huge', pages: 4 * HPAGE_PAGES },
        { op: 'read', addr: H + HP },
      ]),
      gup,
    );
    expect(resultOf(m, 1)).toBe('-EINVAL');
    expect(resultOf(m, 2)).toBe('-EINVAL');
    expect(resultOf(m, 3)).toBe('no fault');
    expect(m.violations).toEqual([]);
  });

  it("hugetlbfs_file_mmap's checks: alignment, private writable, offset, read-only beyond i_size", () => {
    const m = run(
      hugeWorld(
        [
          { ...map2, addr: H + PAGE },
          { ...map2, pages: HPAGE_PAGES + 1 },
          { ...map2, shared: false },
          { ...map2, pgoff: 1 },
          { ...map2, prot: 'r--' },
          { ...map2, prot: 'r--', pages: HPAGE_PAGES },
        ],
        HPAGE_PAGES,
      ),
      gup,
    );
    for (let i = 0; i < 4; i++) expect(resultOf(m, i)).toMatch(/^-EINVAL/);
    expect(resultOf(m, 4)).toBe('-ENOMEM');
    expect(resultOf(m, 5)).toBe('0x400000');
    expect(m.kernel.mms.get('A')!.vmas.find(H)!.end).toBe(H + HP);
    expect(m.violations).toEqual([]);
  });

  it('get_user_pages on a huge page takes references through the head; released, nothing leaks', () => {
    const m = run(
      hugeWorld([
        map2,
        { op: 'gup', addr: H + HP - 2 * PAGE, pages: 4, write: true, as: 'p' },
        { op: 'release', pages: 'p', fn: 'put_page' },
      ]),
      gup,
    );
    expect(resultOf(m, 1)).toBe('4 pages');
    const set = pageSet(m, 'p');
    expect(set.pages[0].head).not.toBe(set.pages[2].head);
    expect(m.violations).toEqual([]);
  });

  it('fork shares the huge ptes; truncate zaps them in both mms', () => {
    const w: WorldSpec = {
      files: [{ name: 'huge', pages: 0, fs: 'hugetlbfs' }],
      mms: [{ name: 'A' }],
      tasks: [
        { name: 't', mm: 'A', ops: [map2, { op: 'fork', as: 'C' }, { op: 'truncate', file: 'huge', pages: 0 }, { op: 'read', addr: H }] },
        { name: 'c', mm: 'C', ops: [{ op: 'read', addr: H + HP }] },
      ],
    };
    const m = createMachine(w, gup, { trace: true }).runAll();
    expect(resultOf(m, 3)).toBe('SIGBUS');
    expect(m.kernel.mms.get('C')!.rss).toBe(0);
    expect(m.kernel.mms.get('A')!.rss).toBe(0);
    expect(m.violations).toEqual([]);
  });

  it('truncate between the other mm hugetlbfs_file_mmap and vma_link leaves its huge pte beyond EOF (stale-pte)', () => {
    // 2.6.11 do_mmap_pgoff calls f_op->mmap, which prefaults, before vma_link: hugetlb_vmtruncate
    // walks i_mmap in between and misses the new VMA
    const w: WorldSpec = {
      files: [{ name: 'huge', pages: 0, fs: 'hugetlbfs' }],
      mms: [{ name: 'A' }, { name: 'B' }],
      tasks: [
        { name: 't', mm: 'A', ops: [map2, { op: 'truncate', file: 'huge', pages: HPAGE_PAGES }] },
        {
          name: 'u',
          mm: 'B',
          ops: [
            { ...map2, addr: 2 * H },
            { op: 'read', addr: 2 * H + HP },
          ],
        },
      ],
    };
    const make = () => createMachine(w, gup);
    const r = explore(make, { maxPreemptions: 2, maxSteps: 4000 });
    expect(r.violations.map((v) => v.invariant)).toEqual(['stale-pte']);
    expect(violations(run(w, gup))).toEqual([]);
    // the counterexample: t's truncate runs after u's prefault and before u's VMA is linked
    const ev = runSchedule(() => createMachine(w, gup, { trace: true }), { schedule: r.violations[0].schedule }).machine.trace;
    const at = (task: number, kind: string, fn: string) => ev.findIndex((e) => e.task === task && e.kind === kind && e.fn === fn);
    const prefaulted = at(1, 'exit', 'hugetlbfs_file_mmap');
    const linked = at(1, 'exit', 'do_mmap_pgoff');
    const truncated = at(0, 'exit', 'hugetlb_vmtruncate');
    expect(prefaulted).toBeGreaterThanOrEqual(0);
    expect(truncated).toBeGreaterThan(prefaulted);
    expect(linked).toBeGreaterThan(truncated);
  }, 60_000);
});
