// Reverse mapping of 2.5 (pte_chain with the PageDirect shortcut): which (mm, address) map a page.
// The first mapping is kept in mem_map, further ones in an array on the Page (pte_chain_alloc).

import { footprint } from '../sim/step';

import type { MmStruct } from './mmStruct';
import type { Page, PageAllocator } from './page';
import { PG_reserved, RMAP_KEY } from './page';

/** page_add_rmap() on a pfn (the anonymous fault path has no Page for it) */
export function pageAddRmapPfn(alloc: PageAllocator, pfn: number, mm: MmStruct, addr: number): void {
  const m = alloc.mem;
  if (m.flags[pfn] & PG_reserved) return;
  if (footprint.on) footprint.writes.push(RMAP_KEY + pfn);
  m.mapcount[pfn]++;
  if (m.rmapMm[pfn] === 0) {
    m.setRmapMm(pfn, mm);
    m.rmapAddr[pfn] = addr;
  } else (alloc.page(pfn).rmapMore ??= []).push({ mm, addr });
}

/** page_add_rmap() */
export function pageAddRmap(page: Page, mm: MmStruct, addr: number): void {
  pageAddRmapPfn(page.alloc, page.pfn, mm, addr);
}

/** page_remove_rmap() */
export function pageRemoveRmap(page: Page, mm: MmStruct, addr: number): void {
  if (page.reserved) return;
  const m = page.mem;
  const pfn = page.pfn;
  if (footprint.on) footprint.writes.push(RMAP_KEY + pfn);
  if (m.rmapMmOf(pfn) === mm && m.rmapAddr[pfn] === addr) {
    const more = page.rmapMore;
    if (more && more.length > 0) {
      const e = more.pop()!;
      m.setRmapMm(pfn, e.mm);
      m.rmapAddr[pfn] = e.addr;
    } else m.setRmapMm(pfn, null);
  } else if (page.rmapMore) {
    const i = page.rmapMore.findIndex((e) => e.mm === mm && e.addr === addr);
    if (i >= 0) page.rmapMore.splice(i, 1);
  }
  if (m.mapcount[pfn] > 0) m.mapcount[pfn]--;
}

/** every (mm, address) mapping the page */
export function pageMappers(page: Page): { mm: MmStruct; addr: number }[] {
  const out: { mm: MmStruct; addr: number }[] = [];
  if (footprint.on) footprint.reads.push(RMAP_KEY + page.pfn);
  const mm = page.mem.rmapMmOf(page.pfn);
  if (mm) out.push({ mm, addr: page.mem.rmapAddr[page.pfn] });
  if (page.rmapMore) out.push(...page.rmapMore);
  return out;
}
