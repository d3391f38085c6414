// Huge TLB pages (arch/i386/mm/hugetlbpage.c of 2.5.46): a hugetlb VMA is populated completely at
// mmap time (hugetlb_prefault) with compound pages of HPAGE_SIZE, so it never faults. The sparse
// page table has no pmd-level entry, so a huge pte is kept as one present pte per base page, all
// pointing into the same compound page; rss grows by HPAGE_SIZE / PAGE_SIZE per huge page, as
// set_huge_pte() does.

import { SideTable } from '../sim/checkpoint';
import { EINVAL, ENOMEM, PAGE_SIZE, PMD_SHIFT, VM_HUGETLB, VM_WRITE } from '../sim/constants';
import type { Kernel } from '../sim/kernel';
import type { Step } from '../sim/step';
import type { Task } from '../sim/task';

import type { MmStruct } from './mmStruct';
import { PG_compound, PG_tail, type Page } from './page';
import { PTE_NONE } from './pageTable';
import { flushTlbRange } from './tlb';
import type { Vma } from './vma';

/** a huge page maps one pmd: 2 MB with the PAE-like layout of constants.ts */
export const HPAGE_SHIFT = PMD_SHIFT;
export const HPAGE_SIZE = 2 ** HPAGE_SHIFT;
export const HPAGE_PAGES = HPAGE_SIZE / PAGE_SIZE;

/** the base pages of each compound page, by head */
const subpages = new SideTable<Page, Page[]>();

/** compound_head(): the head page of a compound page, or the page itself */
export function compoundHead(page: Page): Page {
  return page.head ?? page;
}

/** the i-th base page of a compound page (head + i) */
export function compoundSubpage(head: Page, i: number): Page {
  const sub = subpages.get(head);
  if (sub === undefined || i < 0 || i >= sub.length)
    throw new Error(`pfn ${head.pfn} is not the head of a compound page with a base page ${i}`);
  return sub[i];
}

export function isHugetlbVma(vma: Vma): boolean {
  return (vma.flags & VM_HUGETLB) !== 0;
}

/** alloc_hugetlb_page(): HPAGE_PAGES base pages made into one compound page; null when out of memory */
export function allocHugePage(k: Kernel): Page[] | null {
  const pages: Page[] = [];
  for (let i = 0; i < HPAGE_PAGES; i++) {
    const p = k.alloc.alloc();
    if (p === null) {
      for (const q of pages) {
        q.head = null;
        q.flags = 0;
        k.alloc.put(q);
      }
      return null;
    }
    pages.push(p);
  }
  const head = pages[0];
  head.setFlags(PG_compound);
  for (let i = 1; i < pages.length; i++) {
    const tail = pages[i];
    tail.setFlags(PG_tail);
    tail.head = head;
    // a tail's count lives in its head (get_page on a tail takes a reference on the head)
    tail.count = 0;
  }
  subpages.set(head, pages);
  return pages;
}

/**
 * hugetlb_prefault(): allocate and map every huge page of a new hugetlb VMA; mmap_sem held for
 * write. Returns 0, -EINVAL for a VMA that is not huge-page aligned, or -ENOMEM.
 */
export function* hugetlbPrefault(t: Task, mm: MmStruct, vma: Vma): Generator<Step, number, void> {
  t.enter('hugetlb_prefault');
  if (vma.start % HPAGE_SIZE !== 0 || vma.end % HPAGE_SIZE !== 0) {
    t.exit('hugetlb_prefault', '-EINVAL');
    return -EINVAL;
  }
  const k = t.kernel;
  if (t.spinLock(mm.pageTableLock)) yield t.step;
  let ret = 0;
  for (let addr = vma.start; addr < vma.end; addr += HPAGE_SIZE) {
    if (mm.pt.kind(addr) !== PTE_NONE) continue;
    const pages = allocHugePage(k);
    if (pages === null) {
      ret = -ENOMEM;
      break;
    }
    // set_huge_pte(): writable and dirty when the VMA is writable; the pmd holds the reference
    if (t.pteWrite(mm, addr, 'set_huge_pte')) yield t.step;
    const head = pages[0];
    head.mapcount = 1;
    const prot = vma.pageProt | (vma.flags & VM_WRITE);
    const dirty = (vma.flags & VM_WRITE) !== 0;
    for (let i = 0; i < HPAGE_PAGES; i++) mm.pt.setPresent(addr + i * PAGE_SIZE, pages[i].pfn, prot, dirty);
    mm.rss += HPAGE_PAGES;
    if (t.tracing) t.emit('pte', `huge pte 0x${addr.toString(16)} -> compound pfn ${head.pfn} (${HPAGE_PAGES} pages)`);
  }
  if (t.spinUnlock(mm.pageTableLock)) yield t.step;
  t.exit('hugetlb_prefault', String(ret));
  return ret;
}

/** unmap_hugepage_range(): drop the huge ptes of [start, end) and the references they held */
export function* unmapHugepageRange(t: Task, vma: Vma, start: number, end: number): Generator<Step, number, void> {
  const mm = vma.mm;
  const k = t.kernel;
  t.enter('unmap_hugepage_range');
  if (t.spinLock(mm.pageTableLock)) yield t.step;
  let n = 0;
  for (let addr = start - (start % HPAGE_SIZE); addr < end; addr += HPAGE_SIZE) {
    if (mm.pt.kind(addr) === PTE_NONE) continue;
    const head = compoundHead(k.alloc.byPfn(mm.pt.val(addr))!);
    if (t.pteWrite(mm, addr, 'huge_pte_clear')) yield t.step;
    for (let i = 0; i < HPAGE_PAGES; i++) mm.pt.clear(addr + i * PAGE_SIZE);
    flushTlbRange(t, mm, addr, addr + HPAGE_SIZE);
    mm.rss -= HPAGE_PAGES;
    head.mapcount--; // fork shares huge pages: one map count per huge pte
    putCompoundPage(k, head);
    if (t.tracing) t.emit('pte', `clear huge pte 0x${addr.toString(16)} (compound pfn ${head.pfn})`);
    n++;
  }
  if (t.spinUnlock(mm.pageTableLock)) yield t.step;
  t.exit('unmap_hugepage_range', String(n));
  return n;
}

/** put_page() on a compound page: the last reference frees every base page */
export function putCompoundPage(k: Kernel, head: Page): void {
  if (head.count <= 0) {
    k.alloc.put(head); // reports the underflow
    return;
  }
  if (head.count > 1) {
    head.count--;
    return;
  }
  const pages = subpages.get(head) ?? [head];
  subpages.delete(head);
  for (let i = pages.length - 1; i >= 1; i--) {
    const tail = pages[i];
    tail.head = null;
    tail.flags = 0;
    tail.count = 1;
    k.alloc.put(tail);
  }
  head.clearFlags(PG_compound);
  k.alloc.put(head);
}
