// follow_hugetlb_page(): get_user_pages() for a VM_HUGETLB VMA. Hugetlb VMAs are populated at mmap
// time, so there is nothing to fault: each base page is the compound page of its huge pte plus
// the offset. 2.5.46 reads the huge ptes without page_table_lock; seed 000's patch 02 rewrites it
// for the page-walk API, calling the walker for every page, and takes page_table_lock
// ("which wasn't needed before"), except under option 1, which tells the walker it is not held.

import type { Task } from '../sim/task';
import type { Step } from '../sim/step';
import type { MmStruct } from './mmStruct';
import type { Vma } from './vma';
import type { Page } from './page';
import { PAGE_SIZE } from '../sim/constants';
import { PTE_PRESENT } from './pageTable';
import { compoundHead, compoundSubpage, HPAGE_SIZE } from './hugetlb';
import { gupGetPage } from './pinnedPages';
import { callWalker, type PageWalk, ptlLock, ptlUnlock } from './pageWalk';
import type { GupRules } from '../sim/variants';

/** huge_pte_offset() + pte_page() + the offset in the huge page */
function* hugePage(t: Task, mm: MmStruct, addr: number): Generator<Step, Page, void> {
  const base = addr - (addr % HPAGE_SIZE);
  if (t.pteRead(mm, base, 'pte = *huge_pte_offset(mm, start)')) yield t.step;
  const pte = mm.pt.get(base);
  const page = pte !== null && pte.kind === PTE_PRESENT ? t.kernel.alloc.byPfn(pte.val) : undefined;
  if (page === undefined) t.oops(`follow_hugetlb_page: no huge pte at 0x${base.toString(16)} (pte_page of a none pte)`);
  return compoundSubpage(compoundHead(page), (addr - base) / PAGE_SIZE);
}

export interface GupCursor {
  start: number;
  len: number;
}

/**
 * 2.5.46: fill pages[] and vmas[] from index i for the part of [start, start + len) inside vma,
 * with get_page() on each page; advances the cursor and returns the new i.
 */
export function* followHugetlbPage2546(t: Task, mm: MmStruct, vma: Vma, pages: Page[] | null, vmas: Vma[] | null, cur: GupCursor, i: number): Generator<Step, number, void> {
  t.enter('follow_hugetlb_page');
  do {
    const page = yield* hugePage(t, mm, cur.start);
    const hpageEnd = cur.start - (cur.start % HPAGE_SIZE) + HPAGE_SIZE;
    // back1: the rest of this huge page comes from the same pte
    let p = page;
    for (;;) {
      if (pages) {
        gupGetPage(t, p);
        pages[i] = p;
      }
      if (vmas) vmas[i] = vma;
      i++;
      cur.len--;
      cur.start += PAGE_SIZE;
      if (!(cur.start < hpageEnd && cur.len > 0 && cur.start < vma.end)) break;
      p = compoundSubpage(compoundHead(p), (cur.start % HPAGE_SIZE) / PAGE_SIZE);
    }
  } while (cur.len > 0 && cur.start < vma.end);
  t.exit('follow_hugetlb_page', String(i));
  return i;
}

/**
 * The page-walk version (seed 000, patch 02): the walker is entered for every page from cur.start
 * to the end of the VMA. As posted, it returns 0 both when the walker is done ("case 1: ret = 0;
 * goto out_unlock;", cur.start left at that page) and at the end of the VMA (cur.start = vm_end),
 * and a negative errno on error; walk_user_pages() goes on after a 0 either way.
 */
export function* followHugetlbPageWalk<D>(t: Task, rules: GupRules, pw: PageWalk<D>, vma: Vma, cur: { start: number }): Generator<Step, number, void> {
  t.enter('follow_hugetlb_page');
  const mm = vma.mm;
  const ptl = mm.pageTableLock;
  // option 2 looks each page up under the lock and drops it before the walker
  const perPage = rules.hugetlbLock && rules.walkerLock === 'never';
  const across = rules.hugetlbLock && !perPage;
  if (across && ptlLock(t, ptl)) yield t.step;
  let ret = 0;
  while (cur.start < vma.end) {
    if (perPage && ptlLock(t, ptl)) yield t.step;
    const page = yield* hugePage(t, mm, cur.start);
    if (perPage && ptlUnlock(t, ptl)) yield t.step;
    ret = yield* callWalker(t, mm, rules, pw, vma, page, cur.start, across);
    if (ret !== 0) break;
    cur.start += PAGE_SIZE;
  }
  // a failing walker (or option 4's cleanup path) has dropped the lock already
  if (across && ret >= 0 && ptlUnlock(t, ptl)) yield t.step;
  if (ret > 0) ret = 0;
  t.exit('follow_hugetlb_page', String(ret));
  return ret;
}
