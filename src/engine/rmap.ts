// Reverse mapping of 2.5 (pte_chain with the PageDirect shortcut): which (mm, address) map a page.
// The first mapping is kept inline in the page, further ones in an array (pte_chain_alloc).

import type { Page } from './page';
import type { MmStruct } from './mmStruct';

type RmapPage = Page;

/** page_add_rmap() */
export function pageAddRmap(page: Page, mm: MmStruct, addr: number): void {
  const p = page as RmapPage;
  if (page.reserved) return;
  page.mapcount++;
  if (!p.rmapMm) {
    p.rmapMm = mm;
    p.rmapAddr = addr;
  } else (p.rmapMore ??= []).push({ mm, addr });
}

/** page_remove_rmap() */
export function pageRemoveRmap(page: Page, mm: MmStruct, addr: number): void {
  const p = page as RmapPage;
  if (page.reserved) return;
  if (p.rmapMm === mm && p.rmapAddr === addr) {
    const m = p.rmapMore;
    if (m && m.length > 0) {
      const e = m.pop()!;
      p.rmapMm = e.mm;
      p.rmapAddr = e.addr;
    } else p.rmapMm = null;
  } else if (p.rmapMore) {
    const i = p.rmapMore.findIndex((e) => e.mm === mm && e.addr === addr);
    if (i >= 0) p.rmapMore.splice(i, 1);
  }
  if (page.mapcount > 0) page.mapcount--;
}

/** every (mm, address) mapping the page */
export function pageMappers(page: Page): { mm: MmStruct; addr: number }[] {
  const p = page as RmapPage;
  const out: { mm: MmStruct; addr: number }[] = [];
  if (p.rmapMm) out.push({ mm: p.rmapMm, addr: p.rmapAddr! });
  if (p.rmapMore) out.push(...p.rmapMore);
  return out;
}

export function resetRmap(page: Page): void {
  const p = page as RmapPage;
  p.rmapMm = null;
  p.rmapMore = null;
}
