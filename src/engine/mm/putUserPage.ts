// put_user_page(), put_user_pages(), put_user_pages_dirty() and put_user_pages_dirty_lock() of
// seed 003, and the put_page() release they replace. Under the 'put_page' rules a pin is a plain
// reference and put_user_page*() are the patch's placeholders (they call put_page()). Under the
// 'put_user_page' rules pins are counted apart (page->pins), so each misuse is caught where it
// happens: put_page() on a pinned page (the pin is never dropped: put_page-on-pinned),
// put_user_page() on a page that is not pinned (put_user_page-not-pinned), and releasing the same
// pins twice (double-release).

import type { ReleaseFn } from '../sim/spec';
import type { Step } from '../sim/step';
import type { Task } from '../sim/task';
import { releaseRules } from '../sim/variants';

import { compoundHead } from './hugetlb';
import { PG_dirty, type Page } from './page';
import { putPage, unpinPage, type PageSet } from './pinnedPages';
import { dmaWritesSinceClean, pageDirtyAnywhere, setPageDirty, setPageDirtyLock } from './setPageDirty';

/** put_page() by a caller that got the page from get_user_pages() */
export function putPageOfGup(t: Task, page: Page, set: PageSet | null): void {
  t.enter('put_page');
  const head = compoundHead(page);
  if (releaseRules(t.kernel).pinsApart && head.pins > 0 && (set === null || set.pinned)) {
    t.violation(
      'put_page-on-pinned',
      `put_page on pfn ${head.pfn}, pinned by get_user_pages (${head.pins} pin(s)): the reference goes, the pin stays for ever; release it with put_user_page()`,
    );
  }
  putPage(t, head);
  t.exit('put_page');
}

/** put_user_page(): release a page pinned by get_user_pages*() */
export function putUserPage(t: Task, page: Page, set: PageSet | null = null): void {
  t.enter('put_user_page');
  const head = compoundHead(page);
  if (head.reserved) {
    // get_user_pages() took nothing on a PG_reserved page
    t.exit('put_user_page');
    return;
  }
  if (!releaseRules(t.kernel).pinsApart) {
    // seed 003's placeholder: "static inline void put_user_page(struct page *page) { put_page(page); }"
    putPage(t, head);
  } else if (head.pins > 0) {
    unpinPage(t, head);
  } else {
    if (set !== null && set.releasedBy !== null) {
      t.violation(
        'double-release',
        `put_user_page on pfn ${head.pfn}: '${set.name}' was already released by ${set.releasedBy}; the page holds no pin`,
      );
    } else {
      t.violation(
        'put_user_page-not-pinned',
        `put_user_page on pfn ${head.pfn}, which holds no pin${set && !set.pinned ? ` ('${set.name}' holds plain references)` : ''}`,
      );
    }
    // the reference goes anyway, as the placeholder would drop it
    putPage(t, head);
  }
  t.exit('put_user_page');
}

/** put_user_pages(): put_user_page() on each page */
export function putUserPages(t: Task, pages: readonly Page[], set: PageSet | null = null): void {
  t.enter('put_user_pages');
  for (const p of pages) putUserPage(t, p, set);
  t.exit('put_user_pages');
}

/**
 * __put_user_pages_dirty(): for each page (its head if compound), set it dirty if it is clean,
 * then put_user_page(); `lock` selects set_page_dirty_lock(), which takes the page lock and may
 * sleep.
 */
export function* putUserPagesDirty(
  t: Task,
  pages: readonly Page[],
  lock: boolean,
  set: PageSet | null = null,
): Generator<Step, void, void> {
  const fn = lock ? 'put_user_pages_dirty_lock' : 'put_user_pages_dirty';
  t.enter(lock ? 'put_user_pages_dirty_lock' : 'put_user_pages_dirty');
  for (const p of pages) {
    const head = compoundHead(p);
    // "if (!PageDirty(page)) sdf(page);"
    if (!head.reserved && !head.test(PG_dirty)) {
      if (lock) yield* setPageDirtyLock(t, head);
      else setPageDirty(t, head);
    }
    putUserPage(t, head, set);
  }
  t.exit(fn);
}

/** device data that reached a page after it was last cleaned, and that this release leaves clean */
export function checkDmaDataKept(t: Task, page: Page): void {
  const head = compoundHead(page);
  // anonymous and shmem pages go to swap dirty or not; a clean file page is simply dropped
  if (head.reserved || head.mapping === null || head.mapping.file.fs === 'shmem') return;
  const n = dmaWritesSinceClean(head);
  if (n > 0 && !pageDirtyAnywhere(t.kernel, head)) {
    t.violation(
      'dma-data-lost',
      `pfn ${head.pfn}${head.mapping ? ` (${head.mapping.name} page ${head.index})` : ''}: the device wrote into it ${n} time(s) since it was last cleaned and it is released clean; the data will never reach the backing store`,
    );
  }
}

/** release a collected set the way a driver does it with `fn` */
export function* releasePageSet(t: Task, set: PageSet, fn: ReleaseFn): Generator<Step, void, void> {
  const pages = set.pages;
  switch (fn) {
    case 'put_page':
      for (const p of pages) {
        checkDmaDataKept(t, p);
        putPageOfGup(t, p, set);
      }
      break;
    case 'put_user_page':
      for (const p of pages) {
        checkDmaDataKept(t, p);
        putUserPage(t, p, set);
      }
      break;
    case 'put_user_pages':
      for (const p of pages) checkDmaDataKept(t, p);
      putUserPages(t, pages, set);
      break;
    case 'put_user_pages_dirty':
    case 'put_user_pages_dirty_lock':
      yield* putUserPagesDirty(t, pages, fn === 'put_user_pages_dirty_lock', set);
      break;
    case 'set_page_dirty+put_page':
    case 'set_page_dirty_lock+put_page':
      for (const p of pages) {
        if (!compoundHead(p).reserved) {
          if (fn === 'set_page_dirty_lock+put_page') yield* setPageDirtyLock(t, p);
          else setPageDirty(t, p);
        }
        putPageOfGup(t, p, set);
      }
      break;
  }
}
