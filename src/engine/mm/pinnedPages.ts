// The references get_user_pages() takes and how they are dropped, and the named sets of pages an
// operation collected (the `as` of a gup/walk/get-one-page op), which later dma-write and release
// operations name. Under the put_user_page rules a gup reference is also counted as a DMA pin in
// page->pins (one reference per pin: kernel.pinBias = 1), so pins can be told from references.

import type { Task } from '../sim/task';
import { releaseRules } from '../sim/variants';

import { compoundHead, putCompoundPage } from './hugetlb';
import type { Page } from './page';
import { PG_compound } from './page';
import type { Vma } from './vma';

/** page_cache_get() of get_user_pages(): a reference on the page (its head if compound), and a pin
 * under the put_user_page rules */
export function gupGetPage(t: Task, page: Page): void {
  const k = t.kernel;
  const head = compoundHead(page);
  if (head.free) {
    // the page was freed after it was looked up and before this reference: memory corruption
    t.violation('use-after-free', `page_cache_get on pfn ${head.pfn}, which was freed after follow_page() found it`);
  }
  k.alloc.get(head);
  k.count('gup references');
  if (t.tracing) t.emit('ref', `get_page pfn ${head.pfn} -> ${head.count}`);
  if (releaseRules(k).pinsApart) {
    k.pinBias = 1;
    head.pins++;
    if (t.tracing) t.emit('pin', `pin pfn ${head.pfn} -> ${head.pins} pin(s)`);
  }
}

/** put_page() / page_cache_release() with compound pages: the reference is the head's */
export function putPage(t: Task, page: Page): void {
  const k = t.kernel;
  const head = compoundHead(page);
  if (head.reserved) return;
  if (head.test(PG_compound)) putCompoundPage(k, head);
  else k.alloc.put(head);
  if (t.tracing) t.emit('ref', `put_page pfn ${head.pfn} -> ${head.free ? 'freed' : head.count}`);
}

/** drop one pin and its reference (the body of put_user_page() once pins are tracked) */
export function unpinPage(t: Task, page: Page): void {
  const head = compoundHead(page);
  head.pins--;
  if (t.tracing) t.emit('pin', `unpin pfn ${head.pfn} -> ${head.pins} pin(s)`);
  putPage(t, head);
}

/**
 * How the kernel's own error paths (gup_pages_cleanup, the get_page_map failure of
 * get_user_pages) give back what get_user_pages collected: a plain reference, or a pin.
 */
export function gupReleasePage(t: Task, page: Page): void {
  if (compoundHead(page).reserved) return;
  if (releaseRules(t.kernel).pinsApart) unpinPage(t, page);
  else putPage(t, page);
}

/** pages one operation collected, named by its `as` */
export interface PageSet {
  name: string;
  /** task whose operation collected them */
  owner: string;
  /** the op that collected them, e.g. "get_user_pages" */
  by: string;
  pages: Page[];
  /** vmas[] of 2.5.46 get_user_pages (null for the page-walk API, which has none) */
  vmas: Vma[] | null;
  /** taken as pins (put_user_page rules) rather than plain references */
  pinned: boolean;
  /** write access was asked for (the device may write into them) */
  write: boolean;
  releasedBy: string | null;
}

const KEY = 'pageset:';

export function storePageSet(t: Task, set: PageSet): void {
  t.locals.set(KEY + set.name, set);
}

/** the set named `name`: the task's own, else one collected by another task (a driver's
 * completion may run elsewhere) */
export function findPageSet(t: Task, name: string): PageSet | undefined {
  const own = t.locals.get(KEY + name) as PageSet | undefined;
  if (own) return own;
  for (const other of t.kernel.tasks) {
    const s = other.locals.get(KEY + name) as PageSet | undefined;
    if (s) return s;
  }
  return undefined;
}
