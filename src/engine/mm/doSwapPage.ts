// do_swap_page(): the pte holds a swap entry. Entered with page_table_lock held, returns with it
// released. Looks the slot up in the swap cache or reads it (may sleep), locks the page, re-checks
// the pte and maps the page.

import { VM_FAULT_MAJOR, VM_FAULT_MINOR, VM_FAULT_OOM, VM_WRITE } from '../sim/constants';
import type { Step } from '../sim/step';
import type { Task } from '../sim/task';

import { doWpPage } from './doWpPage';
import type { MmStruct } from './mmStruct';
import { PG_anon, PG_lru, PG_swapcache } from './page';
import { PTE_SWAP } from './pageTable';
import { pageAddRmap } from './rmap';
import type { Vma } from './vma';

export function* doSwapPage(t: Task, mm: MmStruct, vma: Vma, address: number, write: boolean): Generator<Step, number, void> {
  t.enter('do_swap_page');
  const k = t.kernel;
  const pt = mm.pt;
  const ptl = mm.pageTableLock;
  const slot = pt.val(address);
  if (t.spinUnlock(ptl)) yield t.step;
  let ret = VM_FAULT_MINOR;
  if (t.objRead('swap:slot:0x', slot, 'lookup_swap_cache')) yield t.step;
  let page = k.swap.lookup(slot);
  if (page) k.alloc.get(page);
  else {
    if (t.sleep('read_swap_cache_async (swap I/O)')) yield t.step;
    page = k.swap.lookup(slot);
    if (page) k.alloc.get(page);
    else {
      page = k.alloc.alloc();
      const s = k.swap.slots.get(slot);
      if (!page || !s) {
        if (page) k.alloc.put(page);
        if (t.spinLock(ptl)) yield t.step;
        if (t.pteRead(mm, address)) yield t.step;
        const same = pt.kind(address) === PTE_SWAP && pt.val(address) === slot;
        if (t.spinUnlock(ptl)) yield t.step;
        t.exit('do_swap_page', same ? 'VM_FAULT_OOM' : 'VM_FAULT_MINOR');
        return same ? VM_FAULT_OOM : VM_FAULT_MINOR;
      }
      // add_to_swap_cache: the cache holds the allocation reference, we take our own
      page.setFlags(PG_anon | PG_lru | PG_swapcache);
      page.swapSlot = slot;
      page.userWrites = s.userWrites;
      s.page = page;
      s.count++;
      k.alloc.get(page);
      ret = VM_FAULT_MAJOR;
    }
  }
  if (t.lockPage(page)) yield t.step;
  if (t.spinLock(ptl)) yield t.step;
  if (t.pteRead(mm, address, 'pte_same(*page_table, orig_pte)')) yield t.step;
  if (!(pt.kind(address) === PTE_SWAP && pt.val(address) === slot)) {
    if (t.spinUnlock(ptl)) yield t.step;
    if (t.unlockPage(page)) yield t.step;
    k.alloc.put(page);
    t.exit('do_swap_page', 'VM_FAULT_MINOR');
    return VM_FAULT_MINOR;
  }
  // swap_free(entry); remove_exclusive_swap_page() when only the swap cache is left
  k.swap.free(slot);
  const s = k.swap.slots.get(slot);
  if (s && s.count === 1 && s.page === page) {
    s.page = null;
    k.swap.free(slot);
    page.clearFlags(PG_swapcache);
    page.swapSlot = -1;
    k.alloc.put(page);
  }
  mm.rss++;
  let prot = vma.pageProt;
  let dirty = false;
  let doWp = write;
  if (write && page.mapcount === 0 && !page.test(PG_swapcache) && page.count === 1) {
    prot |= vma.flags & VM_WRITE;
    dirty = true;
    doWp = false;
  }
  if (t.unlockPage(page)) yield t.step;
  if (t.pteWrite(mm, address)) yield t.step;
  pt.setPresent(address, page.pfn, prot, dirty);
  pageAddRmap(page, mm, address);
  if (t.tracing) t.emit('pte', `0x${address.toString(16)} -> pfn ${page.pfn} (swap slot ${slot})`);
  if (doWp) {
    const r = yield* doWpPage(t, mm, vma, address);
    t.exit('do_swap_page');
    return r === VM_FAULT_OOM ? VM_FAULT_OOM : ret;
  }
  if (t.spinUnlock(ptl)) yield t.step;
  t.exit('do_swap_page');
  return ret;
}
