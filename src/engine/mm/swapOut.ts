// Reclaim of one page (shrink_list for a chosen page): lock it, try_to_unmap() every pte that maps
// it (a swap entry for anonymous pages, a file pte in VM_NONLINEAR VMAs, none for linear file
// mappings), write it out if dirty, and drop it from the swap cache / page cache.

import { VM_NONLINEAR, VM_NONUNIFORM, hex } from '../sim/constants';
import type { Step } from '../sim/step';
import type { Task } from '../sim/task';

import type { Page } from './page';
import { PG_anon, PG_dirty, PG_swapcache } from './page';
import { removeFromPageCache } from './pageCache';
import { PTE_PRESENT } from './pageTable';
import { pageMappers, pageRemoveRmap } from './rmap';

export type SwapResult = 'SWAP_SUCCESS' | 'SWAP_AGAIN' | 'SWAP_FAIL';

/** try_to_unmap(page): page lock held. SWAP_AGAIN if a page_table_lock was busy (spin_trylock). */
export function* tryToUnmap(t: Task, page: Page): Generator<Step, SwapResult, void> {
  t.enter('try_to_unmap');
  const k = t.kernel;
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
      if (page.flags & PG_anon) {
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
      if (pte.dirty) page.flags |= PG_dirty;
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
  return page.count === 2 && !(page.flags & PG_dirty);
}

/** keep_locked: the page stays cached (someone found it meanwhile) */
function* keep(t: Task, page: Page): Generator<Step, SwapResult, void> {
  if (t.unlockPage(page)) yield t.step;
  if (t.tracing) t.emit('note', `pfn ${page.pfn} busy (count ${page.count}): kept`);
  t.exit('shrink_list', 'SWAP_FAIL');
  return 'SWAP_FAIL';
}

/** reclaim `page` (the caller holds a reference, which it keeps) */
export function* reclaimPage(t: Task, page: Page): Generator<Step, SwapResult, void> {
  t.enter('shrink_list');
  const k = t.kernel;
  if (t.tryAcquire(page.lock)) yield t.step;
  if (!t.tryResult) {
    t.exit('shrink_list', 'SWAP_AGAIN');
    return 'SWAP_AGAIN';
  }
  if (page.flags & PG_anon && !(page.flags & PG_swapcache)) {
    // add_to_swap(): a slot and the swap cache (which takes a reference)
    const slot = k.swap.alloc();
    page.swapSlot = slot;
    page.flags |= PG_swapcache;
    k.swap.slots.get(slot)!.page = page;
    k.alloc.get(page);
  }
  const r = yield* tryToUnmap(t, page);
  if (r !== 'SWAP_SUCCESS' || page.mapcount > 0) {
    if (t.unlockPage(page)) yield t.step;
    t.exit('shrink_list', r);
    return r === 'SWAP_SUCCESS' ? 'SWAP_FAIL' : r;
  }
  if (page.flags & PG_swapcache) {
    if (t.sleep('swap_writepage (I/O)')) yield t.step;
    page.flags &= ~PG_dirty;
    if (t.objWrite('swap:slot:0x', page.swapSlot, 'delete_from_swap_cache')) yield t.step;
    if (!freeable(page)) return yield* keep(t, page);
    const s = k.swap.slots.get(page.swapSlot);
    if (s) {
      s.userWrites = page.userWrites;
      s.page = null;
    }
    k.swap.free(page.swapSlot);
    page.flags &= ~(PG_swapcache | PG_dirty);
    page.swapSlot = -1;
    k.alloc.put(page); // the swap cache reference
  } else if (page.mapping) {
    const space = page.mapping;
    if (page.flags & PG_dirty) {
      if (t.sleep('->writepage (I/O)')) yield t.step;
      if (t.objWrite(space.file.backingKey, page.index, 'writepage: data to the backing store')) yield t.step;
      if (page.userWrites > 0) {
        page.version = space.file.bump(page.index);
        page.userWrites = 0;
      }
      page.flags &= ~PG_dirty;
    }
    if (t.objWrite(space.slotKey, page.index, 'remove_from_page_cache')) yield t.step;
    if (!freeable(page)) return yield* keep(t, page);
    removeFromPageCache(t, page);
  }
  if (t.unlockPage(page)) yield t.step;
  t.exit('shrink_list', 'SWAP_SUCCESS');
  return 'SWAP_SUCCESS';
}
