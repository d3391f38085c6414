// Reclaim of one page (2.6.11 mm/vmscan.c shrink_list, mm/rmap.c try_to_unmap; the rmap walk is the
// engine's 2.5 pte_chains): lock it, try_to_unmap() every pte that maps it (a swap entry for
// anonymous pages, a file pte in VM_NONLINEAR VMAs, none for linear file mappings), write it out
// if dirty, and drop it from the swap cache / page cache.

import { VM_NONLINEAR, VM_NONUNIFORM, hex } from '../sim/constants';
import type { Step } from '../sim/step';
import type { Task } from '../sim/task';

import type { Page } from './page';
import { PG_anon, PG_dirty, PG_swapcache } from './page';
import { removeFromPageCache } from './pageCache';
import { PTE_PRESENT } from './pageTable';
import { pageMappers, pageRemoveRmap } from './rmap';
import { flushTlbPage } from './tlb';

export type SwapResult = 'SWAP_SUCCESS' | 'SWAP_AGAIN' | 'SWAP_FAIL';

/** try_to_unmap(page): page lock held. SWAP_AGAIN if a page_table_lock was busy (spin_trylock). */
export function* tryToUnmap(t: Task, page: Page): Generator<Step, SwapResult, void> {
  t.enter('try_to_unmap');
  const k = t.kernel;
  // 2.6.11 mm/rmap.c: "BUG_ON(!PageLocked(page));" -- the lock keeps page->mapping and the rmap stable
  k.lockdep.mustHold(t, page.lock, 'try_to_unmap() is called with the page locked (BUG_ON(!PageLocked(page)) in 2.6.11 mm/rmap.c)');
  let ret: SwapResult = 'SWAP_SUCCESS';
  for (const { mm, addr } of pageMappers(page)) {
    // try_to_unmap_one(): "if (!spin_trylock(&mm->page_table_lock)) return SWAP_AGAIN;"
    if (t.tryAcquire(mm.pageTableLock)) yield t.step;
    if (!t.tryResult) {
      ret = 'SWAP_AGAIN';
      continue;
    }
    const vma = mm.vmas.find(addr);
    if (t.pteWrite(mm, addr, 'ptep_clear_flush')) yield t.step;
    const pt = mm.pt;
    if (pt.kind(addr) === PTE_PRESENT && pt.val(addr) === page.pfn && vma) {
      const pte = pt.get(addr)!;
      if (page.test(PG_anon)) {
        // add_to_swap() happened before; the pte now holds the swap entry
        pt.setSwap(addr, page.swapSlot);
        k.swap.dup(page.swapSlot);
      } else {
        // nonlinear: keep the file offset in a file pte; under the nonuniform rules keep the
        // protection too, even for a page at its linear offset
        const withProt = k.remap.protInFilePte && (vma.flags & VM_NONUNIFORM) !== 0;
        if (vma.flags & VM_NONLINEAR && (withProt || vma.linearIndex(addr) !== page.index))
          pt.setFile(addr, page.index, withProt ? pte.prot : -1);
        else pt.clear(addr);
      }
      if (pte.dirty) page.setFlags(PG_dirty);
      flushTlbPage(t, mm, addr); // ptep_clear_flush
      pageRemoveRmap(page, mm, addr);
      mm.rss--;
      k.alloc.put(page);
      if (t.tracing) t.emit('pte', `${mm.name} ${hex(addr)} unmapped pfn ${page.pfn} for swap-out`);
    }
    if (t.spinUnlock(mm.pageTableLock)) yield t.step;
  }
  t.exit('try_to_unmap', ret);
  return ret;
}

/**
 * shrink_list()'s non-racy busy check under tree_lock: only the cache and the isolating caller may
 * hold the page (page_count == 2), and it must not have been redirtied.
 */
function freeable(page: Page): boolean {
  return page.count === 2 && !page.test(PG_dirty);
}

/** keep_locked: the page stays cached (someone found it meanwhile) */
function* keep(t: Task, page: Page): Generator<Step, SwapResult, void> {
  if (t.unlockPage(page)) yield t.step;
  if (t.tracing) t.emit('note', `pfn ${page.pfn} busy (count ${page.count}): kept`);
  t.exit('shrink_list', 'SWAP_FAIL');
  return 'SWAP_FAIL';
}

/**
 * page_referenced(page) (2.6.11 mm/rmap.c, over the engine's pte_chains): test and clear the young
 * bit of every pte mapping the page, each under its mm's page_table_lock (spin_trylock: a busy lock
 * counts as referenced). Page lock held.
 */
export function* pageReferenced(t: Task, page: Page): Generator<Step, boolean, void> {
  t.enter('page_referenced');
  let referenced = false;
  for (const { mm, addr } of pageMappers(page)) {
    if (t.tryAcquire(mm.pageTableLock)) yield t.step;
    if (!t.tryResult) {
      referenced = true;
      continue;
    }
    if (t.pteWrite(mm, addr, 'ptep_test_and_clear_young')) yield t.step;
    if (mm.pt.kind(addr) === PTE_PRESENT && mm.pt.val(addr) === page.pfn && mm.pt.testAndClearYoung(addr)) {
      referenced = true;
      flushTlbPage(t, mm, addr); // ptep_clear_flush_young: the next use walks the pte and sets young again
    }
    if (t.spinUnlock(mm.pageTableLock)) yield t.step;
  }
  t.exit('page_referenced', referenced ? '1' : '0');
  return referenced;
}

/**
 * shrink_list() for one page (2.6.11 mm/vmscan.c; the caller holds a reference, which it keeps):
 * TestSetPageLocked, page_referenced (kswapd's scan: a page used through a mapping since the last
 * scan is activated, not reclaimed), add_to_swap for an anonymous page, try_to_unmap, write a dirty
 * page, and free it from the swap cache or page cache if nobody else holds it.
 */
export function* reclaimPage(t: Task, page: Page, checkReferenced = false): Generator<Step, SwapResult, void> {
  t.enter('shrink_list');
  const k = t.kernel;
  if (t.tryAcquire(page.lock)) yield t.step;
  if (!t.tryResult) {
    t.exit('shrink_list', 'SWAP_AGAIN');
    return 'SWAP_AGAIN';
  }
  if (page.test(PG_anon) && !page.test(PG_swapcache)) {
    // add_to_swap(): a slot and the swap cache (which takes a reference)
    const slot = k.swap.alloc();
    page.swapSlot = slot;
    page.setFlags(PG_swapcache);
    k.swap.slots.get(slot)!.page = page;
    k.alloc.get(page);
  }
  if (checkReferenced && (yield* pageReferenced(t, page)) && page.mapcount > 0) {
    // activate_locked: recently used through a mapping, kept on the active list
    if (t.unlockPage(page)) yield t.step;
    if (t.tracing) t.emit('note', `pfn ${page.pfn} referenced: activated, not reclaimed`);
    t.exit('shrink_list', 'SWAP_FAIL');
    return 'SWAP_FAIL';
  }
  const mutated = k.mutation.unlockBeforeTryToUnmap;
  if (mutated && t.unlockPage(page)) yield t.step;
  const r = yield* tryToUnmap(t, page);
  if (mutated && t.lockPage(page)) yield t.step;
  if (r !== 'SWAP_SUCCESS' || page.mapcount > 0) {
    if (t.unlockPage(page)) yield t.step;
    t.exit('shrink_list', r);
    return r === 'SWAP_SUCCESS' ? 'SWAP_FAIL' : r;
  }
  if (page.test(PG_swapcache)) {
    if (t.sleep('swap_writepage (I/O)')) yield t.step;
    page.clearFlags(PG_dirty);
    if (t.objWrite('swap:slot:0x', page.swapSlot, 'delete_from_swap_cache')) yield t.step;
    if (!freeable(page)) return yield* keep(t, page);
    const s = k.swap.slots.get(page.swapSlot);
    if (s) {
      s.userWrites = page.userWrites;
      s.page = null;
    }
    k.swap.free(page.swapSlot);
    page.clearFlags(PG_swapcache | PG_dirty);
    page.swapSlot = -1;
    k.alloc.put(page); // the swap cache reference
  } else if (page.mapping) {
    const space = page.mapping;
    if (page.test(PG_dirty)) {
      if (t.sleep('->writepage (I/O)')) yield t.step;
      if (t.objWrite(space.file.backingKey, page.index, 'writepage: data to the backing store')) yield t.step;
      if (page.userWrites > 0) {
        page.version = space.file.bump(page.index);
        page.userWrites = 0;
      }
      page.clearFlags(PG_dirty);
    }
    if (t.objWrite(space.slotKey, page.index, 'remove_from_page_cache')) yield t.step;
    if (!freeable(page)) return yield* keep(t, page);
    removeFromPageCache(t, page);
  }
  if (t.unlockPage(page)) yield t.step;
  t.exit('shrink_list', 'SWAP_SUCCESS');
  return 'SWAP_SUCCESS';
}
