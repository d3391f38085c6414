// set_page_dirty() and set_page_dirty_lock(). When a dirty pte is torn down (zap, remap) the page
// takes the pte's dirt: the filesystem saw the write fault. When a driver calls them after a device
// wrote into pages pinned by get_user_pages(), the filesystem's view of the page matters: a file page that is
// clean and that no pte has dirtied since it was last cleaned is one the filesystem believes
// clean (after writeback it may have dropped the page's buffers); nothing called ->page_mkwrite,
// so dirtying it is the bug of "The Trouble with get_user_pages()" (ext4:
// BUG_ON(!PagePrivate(page)) in the next writepage): the dirty-after-writeback invariant.

import { SideTable } from '../sim/checkpoint';
import type { Kernel } from '../sim/kernel';
import type { Step } from '../sim/step';
import type { Task } from '../sim/task';

import { compoundHead } from './hugetlb';
import { PG_dirty, type Page } from './page';
import { PTE_PRESENT } from './pageTable';
import { pageMappers } from './rmap';

/** pages that writeback cleaned, and the file index they were cleaned at (see writeback.ts) */
const cleanedByWriteback = new SideTable<Page, number>();
/** device writes since the page was last cleaned or dirtied (see dmaWrite.ts) */
const dmaSinceClean = new SideTable<Page, number>();

export function noteWritebackCleaned(page: Page): void {
  cleanedByWriteback.set(page, page.index);
  dmaSinceClean.delete(page);
}

export function noteDmaWrite(page: Page): void {
  dmaSinceClean.set(page, (dmaSinceClean.get(page) ?? 0) + 1);
}

export function dmaWritesSinceClean(page: Page): number {
  return dmaSinceClean.get(page) ?? 0;
}

/** a pte mapping the page is dirty: a CPU store went through a fault the filesystem saw */
export function anyPteDirty(k: Kernel, page: Page): boolean {
  for (const { mm, addr } of pageMappers(page)) {
    const pte = mm.pt.get(addr);
    if (pte !== null && pte.kind === PTE_PRESENT && pte.dirty && pte.val === page.pfn) return true;
  }
  void k;
  return false;
}

/** the page is dirty as the VM sees it: PG_dirty or a dirty pte */
export function pageDirtyAnywhere(k: Kernel, page: Page): boolean {
  return page.test(PG_dirty) || anyPteDirty(k, page);
}

/**
 * set_page_dirty(): true if it was clean. Does not sleep. `fromPte`: the caller tears down a dirty
 * pte of the page (zap_pte_range, zap_pte), whose write fault the filesystem saw, so only the flag
 * is set (__set_page_dirty_buffers / __set_page_dirty_nobuffers reduced to it).
 */
export function setPageDirty(t: Task, page: Page, fromPte = false): boolean {
  if (fromPte) {
    const was = !page.test(PG_dirty);
    page.setFlags(PG_dirty);
    return was;
  }
  const k = t.kernel;
  const head = compoundHead(page);
  if (head.reserved || head.test(PG_dirty)) return false;
  const space = head.mapping;
  if (space !== null && space.file.fs !== 'shmem' && !anyPteDirty(k, head)) {
    const what = `${space.name} page ${head.index} (pfn ${head.pfn})`;
    const wb = cleanedByWriteback.get(head) === head.index;
    t.violation(
      'dirty-after-writeback',
      wb
        ? `set_page_dirty on ${what}: writeback cleaned it while it was pinned and the filesystem dropped its buffers; nothing called ->page_mkwrite since (ext4: BUG_ON(!PagePrivate(page)) at the next writepage)`
        : `set_page_dirty on ${what}, which the filesystem believes clean: no write fault since it was read, so ->page_mkwrite never ran`,
    );
  }
  head.setFlags(PG_dirty);
  dmaSinceClean.delete(head);
  if (t.tracing) t.emit('note', `set_page_dirty pfn ${head.pfn}`);
  return true;
}

/** set_page_dirty_lock(): lock_page() (may sleep), set_page_dirty(), unlock_page() */
export function* setPageDirtyLock(t: Task, page: Page): Generator<Step, boolean, void> {
  t.enter('set_page_dirty_lock');
  const head = compoundHead(page);
  if (t.lockPage(head)) yield t.step;
  const r = setPageDirty(t, head);
  if (t.unlockPage(head)) yield t.step;
  t.exit('set_page_dirty_lock', String(+r));
  return r;
}
