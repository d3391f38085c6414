// handle_mm_fault() and handle_pte_fault(): the entry of the fault path (mm/memory.c).
// `access` is the access mask of seed 002's __handle_mm_fault (VM_READ / VM_WRITE / VM_EXEC);
// the older callers pass VM_WRITE or 0 (write_access).

import type { Task } from './task';
import type { Step } from './step';
import type { MmStruct } from './mmStruct';
import type { Vma } from './vma';
import { VM_EXEC, VM_FAULT_MINOR, VM_FAULT_OOM, VM_FAULT_SIGBUS, VM_FAULT_SIGSEGV, VM_HUGETLB, VM_NONUNIFORM, VM_READ, VM_WRITE, faultName } from './constants';
import { PTE_FILE, PTE_NONE, PTE_PRESENT } from './pageTable';
import { doNoPage } from './doNoPage';
import { doFilePage } from './doFilePage';
import { doSwapPage } from './doSwapPage';
import { doWpPage } from './doWpPage';
import { callNopageHch } from './installNewPage';
import { doAnonymousPage } from './doAnonymousPage';
import { hasNopage } from './vmOps';

/** access exceeds the VMA's permissions (the checks of patch 19, strict per bit) */
export function accessExceeds(access: number, vmFlags: number): boolean {
  return (access & VM_WRITE) > (vmFlags & VM_WRITE) || (access & VM_READ) > (vmFlags & VM_READ) || (access & VM_EXEC) > (vmFlags & VM_EXEC);
}

/** handle_mm_fault(); mmap_sem held for read. Returns VM_FAULT_*. */
export function handleMmFault(t: Task, mm: MmStruct, vma: Vma, address: number, access: number): Generator<Step, number, void> {
  return faultGen(t, mm, vma, address, access, false);
}

/** handle_pte_fault(); entered with page_table_lock held, returns with it released */
export function handlePteFault(t: Task, mm: MmStruct, vma: Vma, address: number, access: number): Generator<Step, number, void> {
  return faultGen(t, mm, vma, address, access, true);
}

// handle_pte_fault() is static inline in mm/memory.c: both run in one generator frame
function* faultGen(t: Task, mm: MmStruct, vma: Vma, address: number, access: number, locked: boolean): Generator<Step, number, void> {
  const k = t.kernel;
  const pt = mm.pt;
  const ptl = mm.pageTableLock;
  if (!locked) {
    t.enter('handle_mm_fault');
    if (vma.flags & VM_HUGETLB) {
      t.exit('handle_mm_fault', 'VM_FAULT_SIGBUS');
      return VM_FAULT_SIGBUS; // mapping truncation does this
    }
    yield t.spinLock(ptl);
    // pte_alloc_map(): a missing pte table is allocated with GFP_KERNEL, so the lock is dropped
    if (!pt.hasTable(address)) {
      yield t.spinUnlock(ptl);
      yield t.sleep('pte_alloc_one(GFP_KERNEL)');
      yield t.spinLock(ptl);
      if (!pt.hasTable(address)) pt.allocTable(address); // else: another thread populated the pmd, pte_free(new)
    }
  }
  t.enter('handle_pte_fault');
  yield t.pteRead(mm, address, 'entry = *pte');
  const kind = pt.kind(address);
  const write = (access & VM_WRITE) !== 0;
  const nonuniform = k.remap.checkAfterPte && (vma.flags & VM_NONUNIFORM) !== 0;
  let r: number;
  if (kind === PTE_NONE && !nonuniform && !k.fault.anonymousIsNopage && !hasNopage(vma.ops)) {
    // do_no_page() without ->nopage is do_anonymous_page() with the lock still held
    r = yield* doAnonymousPage(t, mm, vma, address, write);
  } else if (kind !== PTE_PRESENT) {
    // seed 002: for VM_NONUNIFORM VMAs the arch handler skipped the check; do it now, except for
    // file ptes whose own protection decides
    if (nonuniform && kind !== PTE_FILE && accessExceeds(access, vma.flags)) {
      r = yield* outSegv(t, mm);
    } else if (kind === PTE_NONE) {
      if (k.fault.anonymousIsNopage) {
        // -mm3: "return vma->vm_ops->nopage(mm, vma, address & PAGE_MASK, write_access, pte, pmd);"
        r = yield* callNopageHch(t, mm, vma, address, write);
      } else {
        r = yield* doNoPage(t, mm, vma, address, write);
      }
    } else if (kind === PTE_FILE) {
      r = yield* doFilePage(t, mm, vma, address, access);
    } else {
      r = yield* doSwapPage(t, mm, vma, address, write);
    }
  } else if (nonuniform) {
    // present ptes of VM_NONUNIFORM VMAs always carry the exact protection
    r = yield* outSegv(t, mm);
  } else if (pt.prot(address) === 0) {
    // a PROT_NONE pte (only remap_file_pages can make one)
    r = yield* outSegv(t, mm);
  } else if (write && (pt.prot(address) & VM_WRITE) === 0) {
    r = yield* doWpPage(t, mm, vma, address);
  } else {
    yield t.pteWrite(mm, address, 'ptep_set_access_flags');
    if (write) pt.setDirty(address);
    else pt.setYoung(address);
    yield t.spinUnlock(ptl);
    r = VM_FAULT_MINOR;
  }
  t.exit('handle_pte_fault');
  if (!locked) {
    if (t.tracing) t.exit('handle_mm_fault', faultName(r));
    else t.exit('handle_mm_fault');
  }
  return r;
}

function* outSegv(t: Task, mm: MmStruct): Generator<Step, number, void> {
  yield t.spinUnlock(mm.pageTableLock);
  return VM_FAULT_SIGSEGV;
}

export { VM_FAULT_OOM };
