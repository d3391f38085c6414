// kswapd's scan of the LRU (2.6.11 mm/vmscan.c: balance_pgdat -> shrink_zone -> shrink_cache ->
// shrink_list, one zone, one scan per pass): isolate_lru_pages() takes every page off the LRU under
// zone->lru_lock with a reference, shrink_list() reclaims each (swapOut.ts: page_referenced,
// try_to_unmap through the rmap, writeback, removal from the swap or page cache), and the pages it
// kept go back on the LRU. The isolated batch is kept in the task's samples, so that the explorer
// sees it as part of the task's state.

import { touchRead, type Step } from '../sim/step';
import type { Task } from '../sim/task';

import type { Page } from './page';
import { LRU_KEYS, PG_compound, PG_lru, PG_reserved, PG_tail } from './page';
import { reclaimPage } from './swapOut';

/** kswapd: `passes` scans of the whole LRU; returns "N freed of M scanned" */
export function* kswapd(t: Task, passes: number): Generator<Step, string, void> {
  t.enter('kswapd');
  const k = t.kernel;
  const m = k.alloc.mem;
  let freed = 0;
  let scanned = 0;
  for (let pass = 0; pass < passes; pass++) {
    // isolate_lru_pages(): TestClearPageLRU and get_page under zone->lru_lock
    if (t.spinLock(k.lruLock)) yield t.step;
    const batch: Page[] = [];
    // the scan reads every page's place on the LRU (lru_cache_add and the frees write it)
    touchRead(LRU_KEYS);
    for (let pfn = 0; pfn < m.size; pfn++) {
      const f = m.flags[pfn];
      if (m.free[pfn] || !(f & PG_lru) || f & (PG_reserved | PG_compound | PG_tail)) continue;
      const page = k.alloc.page(pfn);
      page.clearFlags(PG_lru);
      k.alloc.get(page);
      t.sample(`isolated${batch.length}`, pfn);
      batch.push(page);
    }
    if (t.spinUnlock(k.lruLock)) yield t.step;
    for (let i = 0; i < batch.length; i++) {
      const page = batch[i];
      scanned++;
      const r = yield* reclaimPage(t, page, true);
      if (r === 'SWAP_SUCCESS') freed++;
      else {
        // putback_lru_pages()
        if (t.spinLock(k.lruLock)) yield t.step;
        page.setFlags(PG_lru);
        if (t.spinUnlock(k.lruLock)) yield t.step;
      }
      t.forget(`isolated${i}`);
      k.alloc.put(page); // the isolation reference: the last one of a reclaimed page
    }
  }
  t.exit('kswapd', `${freed} freed`);
  return `${freed} freed of ${scanned} scanned`;
}
