// The page cache of an address_space (2.6.11 mm/filemap.c, mm/truncate.c; 2.5.70 has the same
// structure): find_get_page(), add_to_page_cache() under mapping->tree_lock, page_cache_read(),
// filemap_getpage() (the look-up ->populate and the model filesystems use), the removal used by
// truncate and invalidation, and truncate_inode_pages().

import { EEXIST, ENOMEM } from '../sim/constants';
import type { Step } from '../sim/step';
import type { Task } from '../sim/task';

import type { AddressSpace } from './addressSpace';
import { PG_lru, PG_uptodate, PG_dirty, type Page } from './page';

export const ENOMEM_PAGE = 'ENOMEM' as const;

/**
 * find_get_page(mapping, offset) (2.6.11 mm/filemap.c): a referenced page or null. The radix-tree
 * look-up and page_cache_get() happen under tree_lock, so they are one step here.
 */
export function* findGetPage(t: Task, space: AddressSpace, pgoff: number): Generator<Step, Page | null, void> {
  if (t.objRead(space.slotKey, pgoff, 'find_get_page')) yield t.step;
  const page = space.cache.get(pgoff);
  if (page === undefined) return null;
  t.kernel.alloc.get(page);
  return page;
}

/**
 * add_to_page_cache(page, mapping, offset) (2.6.11 mm/filemap.c): radix_tree_insert() under
 * mapping->tree_lock; on success the page is in the cache, locked (SetPageLocked: nobody else can
 * see it yet), with the cache's reference. -EEXIST when another reader inserted a page there first.
 */
export function* addToPageCache(t: Task, page: Page, space: AddressSpace, pgoff: number): Generator<Step, number, void> {
  t.enter('add_to_page_cache');
  if (t.kernel.mutation.racyAddToPageCache) {
    const r = yield* racyAddToPageCache(t, page, space, pgoff);
    t.exit('add_to_page_cache', String(r));
    return r;
  }
  if (t.spinLock(space.treeLock)) yield t.step;
  if (t.objWrite(space.slotKey, pgoff, 'radix_tree_insert')) yield t.step;
  let err = 0;
  if (space.cache.has(pgoff)) err = -EEXIST;
  else {
    t.kernel.alloc.get(page); // page_cache_get: the cache's reference
    t.setLockedUncontended(page.lock); // SetPageLocked
    page.mapping = space;
    page.index = pgoff;
    space.cache.set(pgoff, page);
  }
  if (t.spinUnlock(space.treeLock)) yield t.step;
  t.exit('add_to_page_cache', err ? '-EEXIST' : '0');
  return err;
}

/** the 'racy-add_to_page_cache' mutation: look up, lock the page, insert over whatever is there */
function* racyAddToPageCache(t: Task, page: Page, space: AddressSpace, pgoff: number): Generator<Step, number, void> {
  if (t.objRead(space.slotKey, pgoff, 'radix_tree_lookup')) yield t.step;
  if (space.cache.has(pgoff)) return -EEXIST;
  if (t.lockPage(page)) yield t.step;
  t.kernel.alloc.get(page);
  page.mapping = space;
  page.index = pgoff;
  space.cache.set(pgoff, page);
  return 0;
}

/**
 * mapping->a_ops->readpage() of a locked, new page: the I/O (may sleep), the data from the backing
 * store, SetPageUptodate, unlock_page() when the I/O completes.
 */
function* readpage(t: Task, space: AddressSpace, page: Page, io: string): Generator<Step, void, void> {
  if (t.sleep(io)) yield t.step;
  if (t.objRead(space.file.backingKey, page.index, 'readpage: data from the backing store')) yield t.step;
  page.version = space.file.version(page.index);
  page.setFlags(PG_uptodate);
  if (t.tracing) t.emit('note', `${space.name} page ${page.index} read, version ${page.version}`);
  if (t.unlockPage(page)) yield t.step;
}

/**
 * page_cache_read(file, offset) (2.6.11 mm/filemap.c): allocate a page, add it to the cache and
 * start ->readpage; 0 also when another reader added the page first (-EEXIST: the caller looks it
 * up again), -ENOMEM.
 */
export function* pageCacheRead(t: Task, space: AddressSpace, pgoff: number, io: string): Generator<Step, number, void> {
  t.enter('page_cache_read');
  const k = t.kernel;
  if (t.sleep('page_cache_alloc_cold(GFP_KERNEL)')) yield t.step;
  const page = k.alloc.allocCold();
  if (page === null) {
    t.exit('page_cache_read', '-ENOMEM');
    return -ENOMEM;
  }
  const err = yield* addToPageCache(t, page, space, pgoff);
  if (err === 0) {
    page.setFlags(PG_lru); // lru_cache_add
    yield* readpage(t, space, page, io);
  } else if (t.tracing) t.emit('note', `${space.name} page ${pgoff}: another reader added it first (-EEXIST), look it up again`);
  k.alloc.put(page); // page_cache_release: the allocation's reference
  t.exit('page_cache_read', '0');
  return 0;
}

/**
 * After finding a page that is not uptodate (page_not_uptodate in filemap_nopage and
 * filemap_getpage): wait for its lock, then 'truncated' if it left the cache meanwhile
 * (!page->mapping), 'ok' once uptodate (reading it again if nobody did). The page reference stays.
 */
export function* waitUptodate(t: Task, space: AddressSpace, page: Page, io: string): Generator<Step, 'ok' | 'truncated', void> {
  if (t.lockPage(page)) yield t.step;
  // Did it get unhashed while we waited for it?
  if (page.mapping === null) {
    if (t.unlockPage(page)) yield t.step;
    if (t.tracing) t.emit('note', `pfn ${page.pfn} was truncated while we waited for its lock`);
    return 'truncated';
  }
  // Did somebody else get it up-to-date?
  if (page.test(PG_uptodate)) {
    if (t.unlockPage(page)) yield t.step;
    return 'ok';
  }
  yield* readpage(t, space, page, io);
  return 'ok';
}

/**
 * filemap_getpage(file, pgoff, nonblock) (2.6.11 mm/filemap.c): a referenced, uptodate page, null
 * (not cached and `nonblock`, or truncated while we waited: the caller's error), or 'ENOMEM'.
 * `io` names the read (disk, network).
 */
export function* filemapGetpage(
  t: Task,
  space: AddressSpace,
  pgoff: number,
  nonblock: boolean,
  io: string,
): Generator<Step, Page | null | typeof ENOMEM_PAGE, void> {
  const k = t.kernel;
  for (;;) {
    // retry_find:
    const page = yield* findGetPage(t, space, pgoff);
    if (page === null) {
      if (nonblock) return null;
      const err = yield* pageCacheRead(t, space, pgoff, io);
      if (err < 0) return ENOMEM_PAGE;
      continue;
    }
    if (page.test(PG_uptodate)) return page;
    if ((yield* waitUptodate(t, space, page, io)) === 'ok') return page;
    k.alloc.put(page);
    return null;
  }
}

/** remove_from_page_cache() + page_cache_release() of the cache reference; page lock held by caller */
export function removeFromPageCache(t: Task, page: Page): void {
  const space = page.mapping;
  if (!space) return;
  if (space.cache.get(page.index) === page) space.cache.delete(page.index);
  page.mapping = null;
  page.clearFlags(PG_dirty);
  t.kernel.alloc.put(page);
}

/** truncate_inode_pages(mapping, lstart) (2.6.11 mm/truncate.c): drop every cached page at or beyond `start` */
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
      // a note for the trace, not a read of the kernel's: no footprint (truncate_complete_page never looks)
      const mapped = page.mem.mapcount[page.pfn];
      if (mapped > 0 && t.tracing) t.emit('note', `${space.name} page ${i} still mapped ${mapped} time(s) while truncated`);
      // truncate_complete_page(): clear_page_dirty, ClearPageUptodate, remove_from_page_cache
      page.clearFlags(PG_uptodate);
      removeFromPageCache(t, page);
    }
    if (t.unlockPage(page)) yield t.step;
    t.kernel.alloc.put(page);
  }
  t.exit('truncate_inode_pages');
}
