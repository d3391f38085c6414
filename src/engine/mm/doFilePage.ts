// do_file_page(): the pte is a file pte of a nonlinear VMA. Entered with page_table_lock held.
// Without ->populate (or for a private write) it falls back to the linear fault path; otherwise it
// re-populates the page at the offset the file pte kept, with the protection the file pte kept
// (nonuniform) or the VMA's.

import type { Task } from '../sim/task';
import type { Step } from '../sim/step';
import type { MmStruct } from './mmStruct';
import { accessExceeds, type Vma } from './vma';
import { ENOMEM, PAGE_SIZE, VM_FAULT_MAJOR, VM_FAULT_OOM, VM_FAULT_SIGBUS, VM_FAULT_SIGSEGV, VM_NONUNIFORM, VM_SHARED, VM_WRITE } from '../sim/constants';
import { hasNopage } from './vmOps';
import { doNoPage } from './doNoPage';
import { callNopageHch } from './installNewPage';

export function* doFilePage(t: Task, mm: MmStruct, vma: Vma, address: number, access: number): Generator<Step, number, void> {
  t.enter('do_file_page');
  const k = t.kernel;
  const pt = mm.pt;
  const write = (access & VM_WRITE) !== 0;
  const nonuniform = k.remap.checkAfterPte && (vma.flags & VM_NONUNIFORM) !== 0;
  // BUG_ON(!vma->vm_ops || !vma->vm_ops->nopage);
  if (!hasNopage(vma.ops)) t.oops('kernel BUG at mm/memory.c: do_file_page: BUG_ON(!vma->vm_ops || !vma->vm_ops->nopage)');
  if (!vma.ops!.populate || (write && !(vma.flags & VM_SHARED))) {
    // behaving as if pte_file was cleared: check protections like handle_pte_fault
    if (nonuniform && accessExceeds(access, vma.flags)) {
      if (t.spinUnlock(mm.pageTableLock)) yield t.step;
      t.exit('do_file_page', 'VM_FAULT_SIGSEGV');
      return VM_FAULT_SIGSEGV;
    }
    if (t.pteWrite(mm, address, 'pte_clear')) yield t.step;
    pt.clear(address);
    const r = k.fault.anonymousIsNopage ? yield* callNopageHch(t, mm, vma, address, write) : yield* doNoPage(t, mm, vma, address, write);
    t.exit('do_file_page');
    return r;
  }
  const fpte = pt.get(address)!;
  const pgoff = fpte.val;
  const prot = nonuniform && fpte.protValid ? fpte.prot : vma.pageProt;
  if (t.spinUnlock(mm.pageTableLock)) yield t.step;
  const base = address - (address % PAGE_SIZE);
  const err = yield* vma.ops!.populate(t, vma, base, PAGE_SIZE, prot, pgoff, false);
  t.exit('do_file_page', String(err));
  if (err === -ENOMEM) return VM_FAULT_OOM;
  if (err) return VM_FAULT_SIGBUS;
  return VM_FAULT_MAJOR;
}
