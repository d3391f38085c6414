// Reclaim of one page (2.6.11 mm/vmscan.c shrink_list): lock it, try_to_unmap() every pte that
// maps it (a swap entry for anonymous pages, a file pte in VM_NONLINEAR VMAs, none for linear file
// mappings), write it out if dirty, and drop it from the swap cache / page cache. The rmap walk is
// the era's: 2.6.0 mm/rmap.c's pte_chains (spin_trylock of each page_table_lock) in 2.5.70 / 2.6.0
// columns, 2.6.11 mm/rmap.c's object-based rmap (i_mmap under i_mmap_lock, the anon_vma under its
// lock, vma_address(), spin_lock of page_table_lock) under the 'object' rules.

import { PAGE_SIZE, VM_NONLINEAR, VM_NONUNIFORM, VM_RESERVED, hex } from '../sim/constants';
import { touchRead, type Step } from '../sim/step';
import type { Task } from '../sim/task';

import type { MmStruct } from './mmStruct';
import type { Page } from './page';
import { PG_anon, PG_dirty, PG_swapcache } from './page';
import { removeFromPageCache } from './pageCache';
import { PTE_PRESENT } from './pageTable';
import { pageMappers, pageRemoveRmap, vmaAddress } from './rmap';
import { flushTlbPage } from './tlb';
import type { Vma } from './vma';

export type SwapResult = 'SWAP_SUCCESS' | 'SWAP_AGAIN' | 'SWAP_FAIL';

/**
 * The common end of try_to_unmap_one() (both eras) and try_to_unmap_cluster(): page_table_lock held
 * and the pte at `addr` maps `page` (pfn `pfn`). Clear it, leave a swap entry (anonymous) or a file
 * pte (nonlinear), move the dirty bit to the page, drop the rmap entry and the pte's reference.
 */
function unmapPte(t: Task, mm: MmStruct, vma: Vma, addr: number, page: Page): void {
  const k = t.kernel;
  const pt = mm.pt;
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

/** try_to_unmap(page): page lock held. The walk of the column's era (see the header). */
export function* tryToUnmap(t: Task, page: Page): Generator<Step, SwapResult, void> {
  t.enter('try_to_unmap');
  const k = t.kernel;
  // 2.6.11 mm/rmap.c: "BUG_ON(!PageLocked(page));" -- the lock keeps page->mapping and the rmap stable
  k.lockdep.mustHold(t, page.lock, 'try_to_unmap() is called with the page locked (BUG_ON(!PageLocked(page)) in 2.6.11 mm/rmap.c)');
  let ret: SwapResult;
  if (k.alloc.objectRmap) {
    ret = page.test(PG_anon) ? yield* tryToUnmapAnon(t, page) : yield* tryToUnmapFile(t, page);
    if (page.mapcount === 0) ret = 'SWAP_SUCCESS';
  } else ret = yield* tryToUnmapChains(t, page);
  t.exit('try_to_unmap', ret);
  return ret;
}

/** 2.6.0 mm/rmap.c try_to_unmap() over the pte_chains: SWAP_AGAIN if a page_table_lock was busy (spin_trylock) */
function* tryToUnmapChains(t: Task, page: Page): Generator<Step, SwapResult, void> {
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
    if (pt.kind(addr) === PTE_PRESENT && pt.val(addr) === page.pfn && vma) unmapPte(t, mm, vma, addr, page);
    if (t.spinUnlock(mm.pageTableLock)) yield t.step;
  }
  return ret;
}

/**
 * try_to_unmap_one(page, vma) (2.6.11 mm/rmap.c): the address from vma_address(); the VMA may not
 * map the page at all (object rmap finds every VMA over the page's offset, also where the pte is
 * none or maps another page), so the pte is checked under spin_lock(&mm->page_table_lock). A
 * young pte or a VM_RESERVED VMA fails (SWAP_FAIL: referenced since page_referenced looked), and
 * so does a swap cache page someone else holds a reference to (get_user_pages). The `!mm->rss`
 * shortcut is left out: it only saves taking the lock.
 */
function* tryToUnmapOne(t: Task, page: Page, vma: Vma): Generator<Step, SwapResult, void> {
  const address = vmaAddress(page, vma);
  if (address < 0) return 'SWAP_AGAIN';
  const mm = vma.mm;
  const pt = mm.pt;
  let ret: SwapResult = 'SWAP_AGAIN';
  if (t.spinLock(mm.pageTableLock)) yield t.step;
  if (t.pteWrite(mm, address, 'ptep_clear_flush')) yield t.step;
  if (pt.kind(address) === PTE_PRESENT && pt.val(address) === page.pfn) {
    if (vma.flags & VM_RESERVED || pt.testAndClearYoung(address)) {
      // ptep_clear_flush_young(): the next use walks the pte and sets young again
      flushTlbPage(t, mm, address);
      ret = 'SWAP_FAIL';
    } else if (page.test(PG_swapcache) && page.count !== page.mapcount + 2) ret = 'SWAP_FAIL';
    else unmapPte(t, mm, vma, address, page);
  }
  if (t.spinUnlock(mm.pageTableLock)) yield t.step;
  return ret;
}

/** try_to_unmap_anon() (2.6.11 mm/rmap.c): page_lock_anon_vma(), then every VMA on anon_vma->head */
function* tryToUnmapAnon(t: Task, page: Page): Generator<Step, SwapResult, void> {
  let ret: SwapResult = 'SWAP_AGAIN';
  // page_lock_anon_vma(): NULL unless PageAnon and page_mapped
  const anonVma = page.mapcount > 0 ? page.anonVma : null;
  if (anonVma === null) return ret;
  if (t.spinLock(anonVma.lock)) yield t.step;
  touchRead(anonVma.headKey);
  for (const vma of [...anonVma.head]) {
    ret = yield* tryToUnmapOne(t, page, vma);
    if (ret === 'SWAP_FAIL' || page.mapcount === 0) break;
  }
  if (t.spinUnlock(anonVma.lock)) yield t.step;
  return ret;
}

/** the pages of a nonlinear VMA try_to_unmap_cluster() scans at a time (CLUSTER_SIZE on i386) */
const CLUSTER_PAGES = 32;

/**
 * try_to_unmap_file() (2.6.11 mm/rmap.c): under spin_lock(&mapping->i_mmap_lock), every VMA of
 * i_mmap over the page's offset (the prio tree; a list here), then, if the page is still mapped,
 * the nonlinear VMAs: try_to_unmap_cluster() unmaps whatever pages it finds there, young ones
 * excepted, until as many ptes as the page's mapcount went. The cursor the kernel keeps in
 * vm_private_data across calls is not modelled: each call scans each nonlinear VMA from its start,
 * CLUSTER_PAGES pages.
 */
function* tryToUnmapFile(t: Task, page: Page): Generator<Step, SwapResult, void> {
  const space = page.mapping;
  let ret: SwapResult = 'SWAP_AGAIN';
  if (space === null) return ret;
  if (t.spinLock(space.iMmapLock)) yield t.step;
  touchRead(space.mappingsKey);
  for (const vma of [...space.mappings]) {
    if (vmaAddress(page, vma) < 0) continue; // not over pgoff: the prio tree skips it
    ret = yield* tryToUnmapOne(t, page, vma);
    if (ret === 'SWAP_FAIL' || page.mapcount === 0) break;
  }
  if (ret !== 'SWAP_FAIL' && page.mapcount > 0 && space.nonlinear.size > 0) {
    const nonlinear = [...space.nonlinear].filter((v) => !(v.flags & VM_RESERVED));
    if (nonlinear.length === 0) ret = 'SWAP_FAIL';
    let mapcount = page.mapcount;
    for (const vma of nonlinear) {
      if (mapcount <= 0) break;
      mapcount -= yield* tryToUnmapCluster(t, vma, page);
    }
  }
  if (t.spinUnlock(space.iMmapLock)) yield t.step;
  return ret;
}

/**
 * try_to_unmap_cluster() (2.6.11 mm/rmap.c) over the first CLUSTER_PAGES pages of a nonlinear VMA:
 * under spin_lock(&mm->page_table_lock) each present pte of the mapping's pages that is not young
 * is unmapped, leaving a file pte. Returns how many ptes it unmapped.
 */
function* tryToUnmapCluster(t: Task, vma: Vma, page: Page): Generator<Step, number, void> {
  const k = t.kernel;
  const mm = vma.mm;
  const pt = mm.pt;
  let unmapped = 0;
  if (t.spinLock(mm.pageTableLock)) yield t.step;
  const end = Math.min(vma.end, vma.start + CLUSTER_PAGES * PAGE_SIZE);
  for (let addr = vma.start; addr < end; addr += PAGE_SIZE) {
    if (t.pteWrite(mm, addr, 'ptep_clear_flush')) yield t.step;
    if (pt.kind(addr) !== PTE_PRESENT) continue;
    const p = k.alloc.byPfn(pt.val(addr));
    if (p === undefined || p.reserved || p.mapping !== page.mapping) continue;
    if (pt.testAndClearYoung(addr)) {
      flushTlbPage(t, mm, addr);
      continue;
    }
    unmapPte(t, mm, vma, addr, p);
    unmapped++;
  }
  if (t.spinUnlock(mm.pageTableLock)) yield t.step;
  return unmapped;
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
 * page_referenced(page) (2.6.11 mm/rmap.c). Page lock held. In 2.5.70 / 2.6.0 columns over the
 * engine's pte_chains: test and clear the young bit of every pte mapping the page, each under its
 * mm's page_table_lock (spin_trylock: a busy lock counts as referenced). Under the 'object' rules
 * page_referenced_anon (anon_vma->lock) or page_referenced_file (i_mmap_lock), each VMA through
 * page_referenced_one() with spin_lock and vma_address(), stopping when the mapcount is used up.
 */
export function* pageReferenced(t: Task, page: Page): Generator<Step, boolean, void> {
  t.enter('page_referenced');
  let referenced = false;
  if (t.kernel.alloc.objectRmap) referenced = yield* pageReferencedObject(t, page);
  else
    for (const { mm, addr } of pageMappers(page)) {
      if (t.tryAcquire(mm.pageTableLock)) yield t.step;
      if (!t.tryResult) {
        referenced = true;
        continue;
      }
      if ((yield* clearYoung(t, mm, addr, page)) === YOUNG) referenced = true;
      if (t.spinUnlock(mm.pageTableLock)) yield t.step;
    }
  t.exit('page_referenced', referenced ? '1' : '0');
  return referenced;
}

const NOT_MAPPED = 0;
const MAPPED = 1;
const YOUNG = 2;

/** ptep_clear_flush_young() of the pte at `addr` if it maps `page`; page_table_lock held. NOT_MAPPED,
 * MAPPED (not young) or YOUNG (cleared). */
function* clearYoung(t: Task, mm: MmStruct, addr: number, page: Page): Generator<Step, number, void> {
  if (t.pteWrite(mm, addr, 'ptep_test_and_clear_young')) yield t.step;
  if (mm.pt.kind(addr) !== PTE_PRESENT || mm.pt.val(addr) !== page.pfn) return NOT_MAPPED;
  if (!mm.pt.testAndClearYoung(addr)) return MAPPED;
  flushTlbPage(t, mm, addr); // the next use walks the pte and sets young again
  return YOUNG;
}

/** page_referenced_anon() / page_referenced_file() (2.6.11 mm/rmap.c) */
function* pageReferencedObject(t: Task, page: Page): Generator<Step, boolean, void> {
  let referenced = false;
  if (page.mapcount === 0) return false;
  const anon = page.test(PG_anon);
  const lock = anon ? (page.anonVma?.lock ?? null) : (page.mapping?.iMmapLock ?? null);
  if (lock === null) return false;
  if (t.spinLock(lock)) yield t.step;
  // sampled under the lock, as the kernel does: a fault meanwhile may have mapped the page again
  let mapcount = page.mapcount;
  let vmas: Vma[];
  if (anon) {
    touchRead(page.anonVma!.headKey);
    vmas = [...page.anonVma!.head];
  } else {
    touchRead(page.mapping!.mappingsKey);
    vmas = [...page.mapping!.mappings];
  }
  for (const vma of vmas) {
    const address = vmaAddress(page, vma);
    if (address < 0) continue;
    // page_referenced_one()
    const mm = vma.mm;
    if (t.spinLock(mm.pageTableLock)) yield t.step;
    const r = yield* clearYoung(t, mm, address, page);
    if (r === YOUNG) referenced = true;
    if (r !== NOT_MAPPED) mapcount--;
    if (t.spinUnlock(mm.pageTableLock)) yield t.step;
    if (mapcount === 0) break;
  }
  if (t.spinUnlock(lock)) yield t.step;
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
