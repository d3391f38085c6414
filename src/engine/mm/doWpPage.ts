// do_wp_page(): a write to a present, write-protected pte (copy on write). Entered with
// page_table_lock held, returns with it released. If the page has a single user it is reused
// (made writable); otherwise a copy is allocated with the lock dropped, and installed only if the
// pte did not change meanwhile. As in 2.5.70 both paths make the pte writable whatever the VMA
// says: a write reaching here from a user access already passed the VM_WRITE check in
// do_page_fault(), and a forced get_user_pages() write must end with follow_page(write) succeeding.

import { VM_FAULT_MINOR, VM_FAULT_OOM, VM_WRITE } from '../sim/constants';
import type { Step } from '../sim/step';
import type { Task } from '../sim/task';

import type { MmStruct } from './mmStruct';
import { PG_anon, PG_lru, PG_swapcache, type Page } from './page';
import { PTE_PRESENT } from './pageTable';
import { anonVmaPrepare, needsAnonVma, pageAddRmap, pageRemoveRmap } from './rmap';
import { flushTlbPage } from './tlb';
import type { Vma } from './vma';

/** can_share_swap_page(): an anonymous page mapped once and referenced only by that pte */
function canShare(page: Page): boolean {
  if (page.reserved || !page.test(PG_anon)) return false;
  const refs = page.count - (page.test(PG_swapcache) ? 1 : 0);
  return page.mapcount === 1 && refs === 1;
}

export function* doWpPage(t: Task, mm: MmStruct, vma: Vma, address: number): Generator<Step, number, void> {
  t.enter('do_wp_page');
  const k = t.kernel;
  const pt = mm.pt;
  const ptl = mm.pageTableLock;
  const pfn = pt.val(address);
  const oldPage = k.alloc.byPfn(pfn)!;
  // if (!TestSetPageLocked(old_page)) { reuse = can_share_swap_page(old_page); unlock_page(old_page); ... }
  if (!oldPage.reserved) {
    if (t.tryAcquire(oldPage.lock)) yield t.step;
    if (t.tryResult) {
      const reuse = canShare(oldPage);
      if (t.unlockPage(oldPage)) yield t.step;
      if (reuse) {
        if (t.pteWrite(mm, address, 'ptep_establish(pte_mkwrite(pte_mkdirty))')) yield t.step;
        pt.setPresent(address, pfn, pt.prot(address) | VM_WRITE, true);
        if (t.spinUnlock(ptl)) yield t.step;
        t.exit('do_wp_page', 'VM_FAULT_MINOR (reuse)');
        return VM_FAULT_MINOR;
      }
    }
  }
  // ok, we need to copy
  if (!oldPage.reserved) k.alloc.get(oldPage);
  if (t.spinUnlock(ptl)) yield t.step;
  // 2.6.11: "if (unlikely(anon_vma_prepare(vma))) goto no_new_page;"
  if (needsAnonVma(k.alloc, vma)) yield* anonVmaPrepare(t, vma);
  if (t.sleep('alloc_page(GFP_HIGHUSER)')) yield t.step;
  const newPage = k.alloc.alloc();
  if (newPage === null) {
    k.alloc.put(oldPage);
    t.exit('do_wp_page', 'VM_FAULT_OOM');
    return VM_FAULT_OOM;
  }
  newPage.setFlags(PG_anon | PG_lru);
  newPage.userWrites = oldPage.reserved ? 0 : oldPage.userWrites;
  // re-check the pte - we dropped the lock
  if (t.spinLock(ptl)) yield t.step;
  if (t.pteRead(mm, address, 'pte_same(*page_table, pte)')) yield t.step;
  let release = newPage;
  if (pt.kind(address) === PTE_PRESENT && pt.val(address) === pfn) {
    if (oldPage.reserved) mm.rss++;
    else pageRemoveRmap(oldPage, mm, address);
    if (t.pteWrite(mm, address, 'break_cow: pte_mkwrite(pte_mkdirty(mk_pte(new_page, vm_page_prot)))')) yield t.step;
    pt.setPresent(address, newPage.pfn, vma.pageProt | VM_WRITE, true);
    flushTlbPage(t, mm, address); // ptep_establish: the old translation leaves every TLB
    pageAddRmap(newPage, mm, address);
    if (t.tracing) t.emit('pte', `0x${address.toString(16)} COW pfn ${pfn} -> pfn ${newPage.pfn}`);
    // free the old page (the pte's reference)
    release = oldPage;
  }
  k.alloc.put(release);
  k.alloc.put(oldPage);
  if (t.spinUnlock(ptl)) yield t.step;
  t.exit('do_wp_page', 'VM_FAULT_MINOR');
  return VM_FAULT_MINOR;
}
