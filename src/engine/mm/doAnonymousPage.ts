// do_anonymous_page(): entered with page_table_lock held, returns with it released. A read maps the
// zero page read-only; a write drops the lock to allocate a zeroed page (may sleep), re-takes it and
// installs the page if the pte is still none. In the -mm3 variant it is also an ordinary ->nopage.
// 2.5.70 mm/memory.c (reconstructed from 2.6.0); under the 'object' rmap rules 2.6.11 mm/memory.c
// (anon_vma_prepare before the allocation, page_add_anon_rmap).

import { VM_FAULT_MINOR, VM_FAULT_OOM, VM_WRITE } from '../sim/constants';
import type { Step } from '../sim/step';
import type { Task } from '../sim/task';

import { newPteFor } from './mkPte';
import type { MmStruct } from './mmStruct';
import { PG_anon, PG_lru } from './page';
import { PTE_NONE } from './pageTable';
import { anonVmaPrepare, needsAnonVma, pageAddRmapPfn } from './rmap';
import type { Vma } from './vma';

export function* doAnonymousPage(t: Task, mm: MmStruct, vma: Vma, address: number, write: boolean): Generator<Step, number, void> {
  const c = t.kernel.interp?.get('do_anonymous_page');
  if (c) return yield* c(t, mm, vma, address, write ? VM_WRITE : 0);
  t.enter('do_anonymous_page');
  const k = t.kernel;
  const pt = mm.pt;
  const ptl = mm.pageTableLock;
  // "entry = pte_wrprotect(mk_pte(ZERO_PAGE(addr), vma->vm_page_prot));": the VMA is read here, on
  // entry, as 2.6.11 does (the step's footprint reads the mm's VMAs before the lock is dropped)
  const zeroProt = vma.pageProt & ~VM_WRITE;
  if (!write) {
    // read-only mapping of ZERO_PAGE (no reference, no rss: it is PG_reserved)
    if (t.pteWrite(mm, address, 'set_pte(ZERO_PAGE)')) yield t.step;
    pt.setPresent(address, k.alloc.zeroPage.pfn, zeroProt, false);
    if (t.tracing) t.emit('pte', `0x${address.toString(16)} -> zero page`);
    if (t.spinUnlock(ptl)) yield t.step;
    t.exit('do_anonymous_page', 'VM_FAULT_MINOR');
    return VM_FAULT_MINOR;
  }
  if (t.spinUnlock(ptl)) yield t.step;
  // 2.6.11: "if (unlikely(anon_vma_prepare(vma))) goto no_mem;"
  if (needsAnonVma(k.alloc, vma)) yield* anonVmaPrepare(t, vma);
  if (t.sleep('alloc_page(GFP_HIGHUSER)')) yield t.step;
  // the new page is a pfn: no Page is made for an anonymous page until some code asks for it
  const pfn = k.alloc.allocPfn();
  if (pfn < 0) {
    t.exit('do_anonymous_page', 'VM_FAULT_OOM');
    return VM_FAULT_OOM;
  }
  if (t.spinLock(ptl)) yield t.step;
  if (t.pteRead(mm, address, 'pte_none(*page_table)')) yield t.step;
  if (pt.kind(address) !== PTE_NONE) {
    // another thread was faster
    k.alloc.put(k.alloc.page(pfn));
    if (t.spinUnlock(ptl)) yield t.step;
    t.exit('do_anonymous_page', 'VM_FAULT_MINOR');
    return VM_FAULT_MINOR;
  }
  // 2.6.11 order: inc_mm_counter, lru_cache_add_active, page_add_anon_rmap, then set_pte (2.5.70
  // adds the rmap just after set_pte, under the same page_table_lock)
  const alloc = k.alloc;
  alloc.setFlagsPfn(pfn, PG_anon | PG_lru);
  mm.rss++;
  pageAddRmapPfn(alloc, pfn, mm, address);
  // "entry = maybe_mkwrite(pte_mkdirty(mk_pte(page, vma->vm_page_prot)), vma);" before set_pte
  // (newPteFor's result is shared scratch: copied before the yield)
  const e = newPteFor(k, vma, true);
  const prot = e.prot;
  const dirty = e.dirty;
  if (t.pteWrite(mm, address)) yield t.step;
  mm.pt.setPresent(address, pfn, prot, dirty);
  if (t.tracing) t.emit('pte', `0x${address.toString(16)} -> pfn ${pfn} (anonymous)`);
  if (t.spinUnlock(ptl)) yield t.step;
  t.exit('do_anonymous_page', 'VM_FAULT_MINOR');
  return VM_FAULT_MINOR;
}
