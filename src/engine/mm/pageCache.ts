// Page cache lookups and reads shared by the filesystems' ->nopage and ->populate:
// find_get_page(), page_cache_read() (add a locked page, ->readpage I/O, unlock), and the
// removal used by truncate and invalidation.

import type { Step } from '../sim/step';
import type { Task } from '../sim/task';

import type { AddressSpace } from './addressSpace';
import { PG_lru, PG_uptodate, PG_dirty, type Page } from './page';

export const ENOMEM_PAGE = 'ENOMEM' as const;

/**
 * filemap_getpage()/find_get_page + page_cache_read: a referenced, uptodate page of `space` at
 * `pgoff`, or null when `nonblock` and not cached, or 'ENOMEM'. `io` names the read (disk, network).
 */
export function* findOrReadPage(
  t: Task,
  space: AddressSpace,
  pgoff: number,
  nonblock: boolean,
  io: string,
): Generator<Step, Page | null | typeof ENOMEM_PAGE, void> {
  const k = t.kernel;
  for (;;) {
    if (t.objRead(space.slotKey, pgoff, 'find_get_page')) yield t.step;
    const cached = space.cache.get(pgoff);
    if (cached) {
      k.alloc.get(cached);
      if (!(cached.flags & PG_uptodate)) {
        // wait_on_page_locked(): the reader holds the page lock until the I/O completes
        if (t.lockPage(cached)) yield t.step;
        if (t.unlockPage(cached)) yield t.step;
      }
      return cached;
    }
    if (nonblock) return null;
    if (t.sleep('page_cache_alloc(GFP_KERNEL)')) yield t.step;
    const page = k.alloc.alloc();
    if (!page) return ENOMEM_PAGE;
    if (t.objWrite(space.slotKey, pgoff, 'add_to_page_cache')) yield t.step;
    if (space.cache.has(pgoff)) {
      // raced with another reader: drop ours and look again
      k.alloc.put(page);
      continue;
    }
    if (t.lockPage(page)) yield t.step;
    page.mapping = space;
    page.index = pgoff;
    page.flags |= PG_lru;
    space.cache.set(pgoff, page);
    k.alloc.get(page); // the page cache reference; the allocation reference is ours
    if (t.sleep(io)) yield t.step;
    if (t.objRead(space.file.backingKey, pgoff, 'readpage: data from the backing store')) yield t.step;
    page.version = space.file.version(pgoff);
    page.flags |= PG_uptodate;
    if (t.tracing) t.emit('note', `${space.name} page ${pgoff} read, version ${page.version}`);
    if (t.unlockPage(page)) yield t.step;
    return page;
  }
}

/** remove_from_page_cache() + page_cache_release() of the cache reference; page lock held by caller */
export function removeFromPageCache(t: Task, page: Page): void {
  const space = page.mapping;
  if (!space) return;
  if (space.cache.get(page.index) === page) space.cache.delete(page.index);
  page.mapping = null;
  page.flags &= ~PG_dirty;
  t.kernel.alloc.put(page);
}

/** truncate_inode_pages(mapping, lstart): drop every cached page at or beyond `start` */
export function* truncateInodePages(t: Task, space: AddressSpace, start: number, end = Infinity): Generator<Step, void, void> {
  t.enter('truncate_inode_pages');
  const idx = [...space.cache.keys()].filter((i) => i >= start && i < end).sort((a, b) => a - b);
  for (const i of idx) {
    if (t.objRead(space.slotKey, i, 'find_lock_page')) yield t.step;
    const page = space.cache.get(i);
    if (!page) continue;
    t.kernel.alloc.get(page);
    if (t.lockPage(page)) yield t.step;
    if (t.objWrite(space.slotKey, i, 'truncate_complete_page')) yield t.step;
    if (page.mapping === space) {
      if (page.mapcount > 0 && t.tracing) t.emit('note', `${space.name} page ${i} still mapped ${page.mapcount} time(s) while truncated`);
      removeFromPageCache(t, page);
    }
    if (t.unlockPage(page)) yield t.step;
    t.kernel.alloc.put(page);
  }
  t.exit('truncate_inode_pages');
}
