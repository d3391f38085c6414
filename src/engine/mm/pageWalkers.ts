// The custom page walkers: gup_add_pages (collects referenced pages, what get_user_pages() is built
// on), a counting walker (make_pages_present()'s kind: touches without taking references), and a
// collector that refuses the page at a given position (as st.c refuses a page above max_pfn),
// which runs the error and cleanup paths. Each is written against the lock contract it carries in
// its customdata: normally the option in force; a walker written for another option shows what
// breaks when contracts are mixed.

import type { Task } from '../sim/task';
import type { Step } from '../sim/step';
import type { Page } from './page';
import { EFAULT } from '../sim/constants';
import { IS_ERR, PTR_ERR } from './errPtr';
import { gupGetPage, gupReleasePage } from './pinnedPages';
import { ptlLock, ptlUnlock, type PageOrErr, type VmaOrErr, type WalkerContract } from './pageWalk';

export interface GupAddPages extends WalkerContract {
  pages: Page[];
  count: number;
  maxPages: number;
}

export interface CountPages extends WalkerContract {
  count: number;
  todo: number;
}

export interface FailAtPages extends GupAddPages {
  /** position (0-based, in walk order) of the page the walker refuses */
  failAt: number;
  seen: number;
}

/** the unlock a walker does on its error path, as its contract tells it */
function* dropLockOnError(t: Task, d: WalkerContract, vma: VmaOrErr, page: PageOrErr, locked: boolean): Generator<Step, void, void> {
  const mm = t.mm!;
  switch (d.contract.walkerLock) {
    case 'unless-vma-err':
      // seed 000: "if (!IS_ERR(vma)) spin_unlock(&vma->vm_mm->page_table_lock);"
      if (!IS_ERR(vma) && ptlUnlock(t, mm.pageTableLock)) yield t.step;
      break;
    case 'flag':
      if (locked && ptlUnlock(t, mm.pageTableLock)) yield t.step;
      break;
    case 'unless-page-err':
      // option 3: only an error for a valid page finds the lock held
      if (!IS_ERR(page) && ptlUnlock(t, mm.pageTableLock)) yield t.step;
      break;
    case 'never':
    case 'always':
      break;
  }
}

/** gup_pages_cleanup(): give back every page collected so far */
export function* gupPagesCleanup(t: Task, gup: GupAddPages): Generator<Step, void, void> {
  t.enter('gup_pages_cleanup');
  while (gup.count > 0) {
    gup.count--;
    gupReleasePage(t, gup.pages[gup.count]);
    gup.pages.length = gup.count;
  }
  t.exit('gup_pages_cleanup');
}

/** gup_add_pages(): add a referenced page to gup->pages; stop when max_pages are collected */
export function* gupAddPages(t: Task, vma: VmaOrErr, page: PageOrErr, _virt: number, gup: GupAddPages, locked: boolean): Generator<Step, number, void> {
  t.enter('gup_add_pages');
  const mm = t.mm!;
  const c = gup.contract;
  if (!IS_ERR(page)) {
    // option 2 enters unlocked: the reference is taken under the lock again
    const relock = c.walkerLock === 'never';
    if (relock && ptlLock(t, mm.pageTableLock)) yield t.step;
    if (gup.count >= gup.maxPages) {
      t.violation('buffer-overflow', `gup_add_pages writes pages[${gup.count}] of an array of ${gup.maxPages}: the walk went on after the walker said it was done`);
    }
    gup.pages[gup.count++] = page;
    // flush_dcache_page(page) is a no-op here
    if (!page.reserved) gupGetPage(t, page);
    if (relock && ptlUnlock(t, mm.pageTableLock)) yield t.step;
    const ret = gup.count === gup.maxPages ? 1 : 0;
    t.exit('gup_add_pages', String(ret));
    return ret;
  }
  if (c.walkerLock === 'always') {
    // option 4 never hands a walker an error: walk_user_pages() runs the cleanup function
    t.oops('gup_add_pages: IS_ERR(page) under option 4, whose walkers never see errors');
  }
  yield* dropLockOnError(t, gup, vma, page, locked);
  yield* gupPagesCleanup(t, gup);
  const ret = PTR_ERR(page);
  t.exit('gup_add_pages', String(ret));
  return ret;
}

/** a make_pages_present()-like walker: counts present pages, takes no reference */
export function* countPagesWalker(t: Task, vma: VmaOrErr, page: PageOrErr, _virt: number, d: CountPages, locked: boolean): Generator<Step, number, void> {
  t.enter('count_pages_walker');
  if (!IS_ERR(page)) {
    d.count++;
    const ret = d.count === d.todo ? 1 : 0;
    t.exit('count_pages_walker', String(ret));
    return ret;
  }
  if (d.contract.walkerLock === 'always') t.oops('count_pages_walker: IS_ERR(page) under option 4, whose walkers never see errors');
  yield* dropLockOnError(t, d, vma, page, locked);
  t.exit('count_pages_walker', String(PTR_ERR(page)));
  return PTR_ERR(page);
}

/** gup_add_pages that refuses the page at position failAt with -EFAULT: an error for a valid page */
export function* failAtWalker(t: Task, vma: VmaOrErr, page: PageOrErr, virt: number, d: FailAtPages, locked: boolean): Generator<Step, number, void> {
  if (IS_ERR(page) || d.seen !== d.failAt) {
    d.seen++;
    return yield* gupAddPages(t, vma, page, virt, d, locked);
  }
  t.enter('fail_at_walker');
  d.seen++;
  const c = d.contract;
  if (c.walkerLock !== 'always') {
    // "If it returns a negative value but got a valid page, then the page_table_lock must be
    // dropped by this function" (seed 001; seed 000: "if it is held")
    yield* dropLockOnError(t, d, vma, page, locked);
    yield* gupPagesCleanup(t, d);
  }
  t.exit('fail_at_walker', String(-EFAULT));
  return -EFAULT;
}
