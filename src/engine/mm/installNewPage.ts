// install_new_page() of the install_new_page variants (the second half of the old do_no_page(),
// made callable by ->nopage implementations), and the -mm3 calling convention of ->nopage.

import { VM_FAULT_MAJOR, VM_FAULT_MINOR, VM_FAULT_OOM, VM_FAULT_SIGBUS, VM_SHARED, VM_WRITE } from '../sim/constants';
import type { Step } from '../sim/step';
import type { Task } from '../sim/task';

import { newPteFor } from './mkPte';
import type { MmStruct } from './mmStruct';
import type { Page } from './page';
import { PG_anon, PG_lru } from './page';
import { PTE_NONE } from './pageTable';
import { pageAddRmap } from './rmap';
import { NOPAGE_OOM, NOPAGE_SIGBUS, type NopageResult } from './vmOps';
import type { Vma } from './vma';

/**
 * The tail every converted ->nopage got from the patch: "return VM_FAULT_SIGBUS" where it returned
 * NULL, VM_FAULT_OOM for NOPAGE_OOM, "return install_new_page(...)" where it returned the page.
 */
export function* installNopageResult(
  t: Task,
  mm: MmStruct,
  vma: Vma,
  address: number,
  write: boolean,
  r: NopageResult,
): Generator<Step, number, void> {
  if (r === NOPAGE_SIGBUS) return VM_FAULT_SIGBUS;
  if (r === NOPAGE_OOM) return VM_FAULT_OOM;
  return yield* installNewPage(t, mm, vma, address, write, r);
}

/**
 * install_new_page(mm, vma, address, write_access, pmd, new_page): called without
 * page_table_lock, with a referenced page; takes the lock and installs the pte if still none.
 */
export function* installNewPage(
  t: Task,
  mm: MmStruct,
  vma: Vma,
  address: number,
  write: boolean,
  newPage: Page | null,
): Generator<Step, number, void> {
  const c = t.kernel.interp?.get('install_new_page');
  if (c) return yield* c(t, mm, vma, address, write ? VM_WRITE : 0, newPage);
  t.enter('install_new_page');
  const k = t.kernel;
  k.count('install_new_page calls');
  k.count('install_new_page args', 6);
  const ptl = mm.pageTableLock;
  // pte_chain_alloc(GFP_KERNEL)
  if (t.sleep('pte_chain_alloc(GFP_KERNEL)')) yield t.step;
  if (newPage === null) t.oops('NULL pointer dereference: install_new_page() called with new_page == NULL');
  let page = newPage;
  // should we do an early C-O-W break?
  if (write && !(vma.flags & VM_SHARED)) {
    const copy = yield* earlyCowBreak(t, page);
    if (copy === null) {
      t.exit('install_new_page', 'VM_FAULT_OOM');
      return VM_FAULT_OOM;
    }
    page = copy;
  }
  if (t.spinLock(ptl)) yield t.step;
  const r = yield* setPteIfNone(t, mm, vma, address, write, page);
  t.exit('install_new_page', r === VM_FAULT_MAJOR ? 'VM_FAULT_MAJOR' : 'VM_FAULT_MINOR');
  return r;
}

/**
 * -mm3: handle_pte_fault() and do_file_page() call vma->vm_ops->nopage(mm, vma, address,
 * write_access, page_table, pmd) directly, with page_table_lock held. Run faithfully: a VMA with
 * no vm_ops (an ordinary anonymous mapping) dereferences NULL.
 */
export function* callNopageHch(t: Task, mm: MmStruct, vma: Vma, address: number, write: boolean): Generator<Step, number, void> {
  if (vma.ops === null)
    t.oops('NULL pointer dereference in handle_pte_fault: vma->vm_ops is NULL (anonymous VMA), reading vma->vm_ops->nopage');
  const fn = vma.ops.nopageHch;
  if (!fn) t.oops(`NULL pointer dereference in handle_pte_fault: ${vma.ops.name} vm_ops has no nopage, calling vma->vm_ops->nopage`);
  // int (*nopage)(mm, vma, address, write_access, page_table, pmd)
  t.kernel.count('nopage calls');
  t.kernel.count('nopage args', 6);
  const r = yield* fn(t, mm, vma, address, write);
  // the contract of the -mm3 hook: it returns with page_table_lock released
  t.kernel.lockdep.mustNotHold(
    t,
    mm.pageTableLock,
    `${vma.ops.name} ->nopage must pte_unmap() and spin_unlock(&mm->page_table_lock) before returning`,
  );
  return r;
}

/**
 * The early C-O-W break of a private write fault (do_no_page and install_new_page alike): a private
 * copy replaces the page from ->nopage, whose reference is dropped. null when out of memory.
 */
export function* earlyCowBreak(t: Task, page: Page): Generator<Step, Page | null, void> {
  const alloc = t.kernel.alloc;
  if (t.sleep('alloc_page(GFP_HIGHUSER)')) yield t.step;
  const copy = alloc.alloc();
  if (copy === null) {
    alloc.put(page);
    return null;
  }
  copy.setFlags(PG_anon | PG_lru);
  copy.userWrites = page.userWrites;
  alloc.put(page);
  return copy;
}

/**
 * The common tail of do_no_page() and install_new_page(): with page_table_lock held, map the page
 * if the pte is still none (else a sibling thread was faster: drop the page), then unlock.
 */
export function* setPteIfNone(t: Task, mm: MmStruct, vma: Vma, address: number, write: boolean, page: Page): Generator<Step, number, void> {
  const k = t.kernel;
  const pt = mm.pt;
  if (t.pteRead(mm, address, 'pte_none(*page_table)')) yield t.step;
  if (pt.kind(address) !== PTE_NONE) {
    k.alloc.put(page);
    if (t.spinUnlock(mm.pageTableLock)) yield t.step;
    return VM_FAULT_MINOR;
  }
  if (!page.reserved) mm.rss++;
  // newPteFor() returns a scratch object that another task's fault may overwrite across the yield
  const { prot, dirty } = newPteFor(k, vma, write);
  if (t.pteWrite(mm, address)) yield t.step;
  pt.setPresent(address, page.pfn, prot, dirty);
  pageAddRmap(page, mm, address);
  if (t.tracing)
    t.emit(
      'pte',
      `0x${address.toString(16)} -> pfn ${page.pfn}${page.mapping ? ` (${page.mapping.name} page ${page.index} v${page.version})` : ''}`,
    );
  if (t.spinUnlock(mm.pageTableLock)) yield t.step;
  return VM_FAULT_MAJOR;
}
