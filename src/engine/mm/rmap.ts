// Reverse mapping. 2.5.70 mm/rmap.c (pte_chain with the PageDirect shortcut): which (mm, address)
// map a page; the first mapping is kept in mem_map, further ones in an array on the Page
// (pte_chain_alloc). Every era keeps this record, which is also page_mapcount(); the 2.5 reclaim
// walks it. 2.6.11 mm/rmap.c (object-based rmap, the 'object' rules): an anonymous page points at
// its VMA's anon_vma (page->mapping | PAGE_MAPPING_ANON) and records its linear index; reclaim walks
// the anon_vma's VMA list, or a file page's i_mmap, and computes each address with vma_address().

import { PAGE_SIZE } from '../sim/constants';
import { Spinlock } from '../sim/locks';
import { footprint, touchWrite, type Step } from '../sim/step';
import type { Task } from '../sim/task';

import type { MmStruct } from './mmStruct';
import type { Page, PageAllocator } from './page';
import { PG_anon, PG_reserved, RMAP_KEY } from './page';
import type { Vma } from './vma';

/** struct anon_vma (2.6.11 include/linux/rmap.h): the VMAs that may map an anonymous page, under its lock */
export class AnonVma {
  readonly lock: Spinlock;
  /** anon_vma->head: the VMAs linked by anon_vma_prepare, anon_vma_link and vma splits */
  readonly head: Vma[] = [];
  /** footprint key of the list (anon_vma_link / unlink write it, the rmap walks read it) */
  readonly headKey: string;
  /** its number in mem_map's anon_vma column (MemMap.setAnonVma), 0 until a page points at it */
  no = 0;
  constructor(readonly name: string) {
    this.lock = new Spinlock('anon_vma_lock', name, 'anon_vma_lock');
    this.headKey = `${name}/head`;
  }
  add(v: Vma): void {
    touchWrite(this.headKey);
    if (footprint.on) footprint.writes.push(anonVmaFieldKey(v.mm));
    v.anonVma = this;
    if (!this.head.includes(v)) this.head.push(v);
  }
  remove(v: Vma): void {
    touchWrite(this.headKey);
    const i = this.head.indexOf(v);
    if (i >= 0) this.head.splice(i, 1);
  }
}

/** footprint key of the vma->anon_vma fields of an mm's VMAs (set by anon_vma_prepare, fork, merges) */
function anonVmaFieldKey(mm: MmStruct): string {
  return `mm:${mm.name}/anon_vma`;
}

/** "if (unlikely(!vma->anon_vma))": the fault paths ask before anon_vma_prepare() (false unless the
 * 'object' rmap rules are in force) */
export function needsAnonVma(alloc: PageAllocator, vma: Vma): boolean {
  if (!alloc.objectRmap) return false;
  if (footprint.on) footprint.reads.push(anonVmaFieldKey(vma.mm));
  return vma.anonVma === null;
}

/**
 * anon_vma_prepare(vma) (2.6.11 mm/rmap.c; mmap_sem held): give an anonymous VMA its anon_vma before
 * the first anonymous page is mapped in it. anon_vma_alloc() may sleep; the VMA takes it under
 * page_table_lock (a sibling thread may have been first). find_mergeable_anon_vma() is not modelled:
 * a new VMA always gets its own. Only under the 'object' rules; returns 0 (it never fails here).
 */
export function* anonVmaPrepare(t: Task, vma: Vma): Generator<Step, number, void> {
  if (!needsAnonVma(t.kernel.alloc, vma)) return 0;
  t.enter('anon_vma_prepare');
  if (t.sleep('anon_vma_alloc(SLAB_KERNEL)')) yield t.step;
  const mm = vma.mm;
  const allocated = new AnonVma(`anon_vma(${mm.name}:0x${vma.start.toString(16)})`);
  if (t.spinLock(mm.pageTableLock)) yield t.step;
  if (needsAnonVma(t.kernel.alloc, vma)) allocated.add(vma);
  if (t.spinUnlock(mm.pageTableLock)) yield t.step;
  t.exit('anon_vma_prepare', '0');
  return 0;
}

/** anon_vma_link(vma) (2.6.11 mm/rmap.c): fork's copy joins the parent VMA's anon_vma under its lock */
export function* anonVmaLink(t: Task, vma: Vma, anonVma: AnonVma | null): Generator<Step, void, void> {
  vma.anonVma = null;
  if (anonVma === null) return;
  if (t.spinLock(anonVma.lock)) yield t.step;
  anonVma.add(vma);
  if (t.spinUnlock(anonVma.lock)) yield t.step;
}

/** anon_vma_unlink(vma) (2.6.11 mm/rmap.c): the VMA leaves its anon_vma's list under its lock */
export function* anonVmaUnlink(t: Task, vma: Vma): Generator<Step, void, void> {
  const anonVma = vma.anonVma;
  if (anonVma === null) return;
  if (t.spinLock(anonVma.lock)) yield t.step;
  anonVma.remove(vma);
  if (t.spinUnlock(anonVma.lock)) yield t.step;
}

/**
 * vma_address(page, vma) (2.6.11 mm/rmap.c): where `vma` maps the page, from page->index and
 * vm_pgoff, or -1 (-EFAULT) when that lies outside the VMA.
 */
export function vmaAddress(page: Page, vma: Vma): number {
  const address = vma.start + (page.index - vma.pgoff) * PAGE_SIZE;
  return address < vma.start || address >= vma.end ? -1 : address;
}

/** page_add_rmap() on a pfn (the anonymous fault path has no Page for it) */
export function pageAddRmapPfn(alloc: PageAllocator, pfn: number, mm: MmStruct, addr: number): void {
  const m = alloc.mem;
  if (m.flags[pfn] & PG_reserved) return;
  if (footprint.on) footprint.writes.push(RMAP_KEY + pfn);
  // page_add_anon_rmap() (2.6.11): the first mapping sets page->mapping to the VMA's anon_vma and
  // page->index to linear_page_index(vma, address)
  if (alloc.objectRmap && m.mapcount[pfn] === 0 && m.flags[pfn] & PG_anon) {
    const vma = mm.vmas.find(addr);
    m.setAnonVma(pfn, vma?.anonVma ?? null);
    if (vma) m.index[pfn] = vma.linearIndex(addr);
  }
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
