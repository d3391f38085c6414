// Named invariants, checked after every step (those that hold at every step boundary) and at the
// end of a run. Each failure is recorded as a Violation with its invariant name.

import { compoundHead, HPAGE_PAGES, HPAGE_SIZE } from '../mm/hugetlb';
import { PG_anon, PG_reserved, PG_swapcache, PG_tail } from '../mm/page';
import { PTE_PRESENT } from '../mm/pageTable';

import { hex, PAGE_SIZE, VM_HUGETLB, VM_NONLINEAR } from './constants';
import type { Kernel } from './kernel';

/** stale-pte: a present pte to a file page whose data is older than the backing store, or that is
 * no longer in the page cache / beyond i_size; or a private COW copy (PG_anon) of a file page
 * beyond i_size, which vmtruncate() zaps too (2.6.11 passes even_cows = 1 to
 * unmap_mapping_range(); 2.5's invalidate_mmap_range zaps every pte of the range), so that the
 * next access gets SIGBUS. Mappings under invalidation are skipped unless `all`. */
export function checkStalePtes(k: Kernel, all: boolean): void {
  for (const mm of k.mms.values()) {
    if (mm.pt.present === 0) continue;
    for (const vma of mm.vmas) {
      if (!vma.file) continue;
      const space = vma.file.mapping(mm.node);
      if (!all && space.invalidating > 0) continue;
      const file = vma.file;
      mm.pt.forEachIn(vma.start, vma.end, (addr, kind, val) => {
        if (kind !== PTE_PRESENT) return;
        let page = k.alloc.byPfn(val);
        if (!page || page.reserved) return;
        const pfn = page.pfn;
        if (vma.flags & VM_HUGETLB) {
          // a hugetlbfs page is cached whole, at a huge-page index, and has no backing store: its
          // first base pte speaks for the huge pte
          // hugetlbfs mmap and truncate change i_size and the huge ptes together under i_sem
          if (addr % HPAGE_SIZE !== 0 || (!all && file.iSem.writer !== null)) return;
          page = compoundHead(page);
          const first = page.index * HPAGE_PAGES;
          if (page.mapping === null)
            k.recordViolation(
              'stale-pte',
              `${where(mm.name, addr, pfn)}: huge page of ${file.name} is no longer in the page cache (truncated) but still mapped`,
              null,
              'check',
            );
          else if (first >= file.size)
            k.recordViolation(
              'stale-pte',
              `${where(mm.name, addr, pfn)}: huge page ${page.index} of ${file.name} (pages ${first}-${first + HPAGE_PAGES - 1}) is beyond i_size (${file.size} pages) but still mapped`,
              null,
              'check',
            );
          return;
        }
        if (page.flags & PG_anon) {
          if (vma.flags & VM_NONLINEAR) return;
          const index = vma.linearIndex(addr);
          if (index >= file.size)
            k.recordViolation(
              'stale-pte',
              `${where(mm.name, addr, pfn)}: private COW copy of ${file.name} page ${index}, beyond i_size (${file.size} pages), still mapped: truncate zaps COW copies too`,
              null,
              'check',
            );
          return;
        }
        if (page.mapping === null) {
          k.recordViolation(
            'stale-pte',
            `${where(mm.name, addr, pfn)}: page of ${file.name} is no longer in the page cache (truncated or invalidated) but still mapped`,
            null,
            'check',
          );
        } else if (page.index >= file.size) {
          k.recordViolation(
            'stale-pte',
            `${where(mm.name, addr, pfn)}: ${file.name} page ${page.index} is beyond i_size (${file.size} pages) but still mapped`,
            null,
            'check',
          );
        } else if (page.version < file.version(page.index)) {
          k.recordViolation(
            'stale-pte',
            `${where(mm.name, addr, pfn)}: maps ${page.mapping.name} page ${page.index} version ${page.version}, backing store has version ${file.version(page.index)}`,
            null,
            'check',
          );
        }
      });
    }
  }
}

/** the place a stale pte names (built only for a violation: the check runs at every step of a search) */
function where(mm: string, addr: number, pfn: number): string {
  return `${mm} ${hex(addr)} -> pfn ${pfn}`;
}

/** rss: mm->rss equals the present ptes to non-reserved pages (checked when page_table_lock is free) */
export function checkRss(k: Kernel, all: boolean): void {
  for (const mm of k.mms.values()) {
    if (!all && mm.pageTableLock.owner !== null) continue;
    let n = 0;
    if (mm.pt.present > 0) {
      mm.pt.forEach((_a, kind, val) => {
        if (kind !== PTE_PRESENT) return;
        if (val < k.alloc.size && !k.alloc.isReserved(val)) n++;
      });
    }
    if (n !== mm.rss) k.recordViolation('rss', `${mm.name}: rss ${mm.rss} but ${n} present ptes to non-reserved pages`, null, 'check');
  }
}

/** freed-while-mapped: a present pte to a free page */
export function checkFreedMapped(k: Kernel): void {
  for (const mm of k.mms.values()) {
    if (mm.pt.present === 0) continue;
    mm.pt.forEach((addr, kind, val) => {
      if (kind !== PTE_PRESENT) return;
      if (val >= k.alloc.size || k.alloc.isFree(val))
        k.recordViolation('freed-while-mapped', `${mm.name} ${hex(addr)} maps pfn ${val}, which is free`, null, 'check');
    });
  }
}

/** orphan-pte: a pte (present, swap or file) that no VMA covers; ptes and VMAs are both walked
 * in address order */
export function checkOrphanPtes(k: Kernel): void {
  for (const mm of k.mms.values()) {
    let v = mm.vmas.head;
    mm.pt.forEach((addr, kind) => {
      while (v !== null && v.end <= addr) v = v.next;
      if (v === null || v.start > addr)
        k.recordViolation(
          'orphan-pte',
          `${mm.name} ${hex(addr)}: ${kind === PTE_PRESENT ? 'present' : 'non-present'} pte outside any VMA`,
          null,
          'check',
        );
    });
  }
}

/** the references a page should have when no task holds any: page cache, ptes, swap cache, pins */
export function expectedCount(k: Kernel, pfn: number): number {
  const m = k.alloc.mem;
  let n = m.mapcount[pfn];
  const mapping = k.alloc.mappingOf(pfn);
  if (mapping !== null && mapping.cache.get(m.index[pfn]) === k.alloc.page(pfn)) n++;
  if (m.flags[pfn] & PG_swapcache) n++;
  n += m.pins[pfn] * k.pinBias;
  return n;
}

/** ref-balance and pin-balance at the end of a run (every task exited); reads mem_map, so that
 * pages nobody made a Page for stay without one */
export function checkBalances(k: Kernel): void {
  const m = k.alloc.mem;
  for (let pfn = 0; pfn < m.size; pfn++) {
    // a compound tail's references are its head's
    if (m.flags[pfn] & (PG_reserved | PG_tail) || m.free[pfn]) continue;
    const count = m.count[pfn];
    const want = expectedCount(k, pfn);
    if (count !== want) {
      const mapping = k.alloc.mappingOf(pfn);
      k.recordViolation(
        'ref-balance',
        `pfn ${pfn}${mapping ? ` (${mapping.name} page ${m.index[pfn]})` : ''}: count ${count}, expected ${want} (page cache/ptes/swap cache${k.pinBias ? '/pins' : ''}): ${count > want ? 'leaked reference' : 'reference underflow'}`,
        null,
        'exit',
      );
    }
    if (m.pins[pfn] !== 0) k.recordViolation('pin-balance', `pfn ${pfn}: ${m.pins[pfn]} DMA pin(s) never released`, null, 'exit');
    if (count === 0) k.recordViolation('ref-balance', `pfn ${pfn}: count 0 but never freed`, null, 'exit');
  }
}

export function pageAddr(pn: number): number {
  return pn * PAGE_SIZE;
}
