// handle_mm_fault() and handle_pte_fault(): the entry of the fault path (mm/memory.c).
// `access` is the access mask of seed 002's __handle_mm_fault (VM_READ / VM_WRITE / VM_EXEC);
// the older callers pass VM_WRITE or 0 (write_access).

import type { Task } from '../sim/task';
import type { Step } from '../sim/step';
import type { MmStruct } from './mmStruct';
import { accessExceeds, type Vma } from './vma';
import { VM_FAULT_MINOR, VM_FAULT_OOM, VM_FAULT_SIGBUS, VM_FAULT_SIGSEGV, VM_HUGETLB, VM_NONUNIFORM, VM_WRITE, faultName } from '../sim/constants';
import { PTE_FILE, PTE_NONE, PTE_PRESENT } from './pageTable';
import { doNoPage } from './doNoPage';
import { doFilePage } from './doFilePage';
import { doSwapPage } from './doSwapPage';
import { doWpPage } from './doWpPage';
import { callNopageHch } from './installNewPage';
import { doAnonymousPage } from './doAnonymousPage';
import { hasNopage } from './vmOps';

/** handle_mm_fault(); mmap_sem held for read. Returns VM_FAULT_*. */
export function handleMmFault(t: Task, mm: MmStruct, vma: Vma, address: number, access: number): Generator<Step, number, void> {
  return faultGen(t, mm, vma, address, access, false);
}

/** handle_pte_fault(); entered with page_table_lock held, returns with it released */
export function handlePteFault(t: Task, mm: MmStruct, vma: Vma, address: number, access: number): Generator<Step, number, void> {
  return faultGen(t, mm, vma, address, access, true);
}

// handle_pte_fault() is static inline in mm/memory.c: both run in one generator frame. The branch
// decision is a plain function so that the frame saved at every yield stays small.
function* faultGen(t: Task, mm: MmStruct, vma: Vma, address: number, access: number, locked: boolean): Generator<Step, number, void> {
  if (!locked) {
    const cm = t.kernel.interp?.get('handle_mm_fault');
    if (cm) return yield* cm(t, mm, vma, address, access & VM_WRITE);
    t.enter('handle_mm_fault');
    if (vma.flags & VM_HUGETLB) {
      t.exit('handle_mm_fault', 'VM_FAULT_SIGBUS');
      return VM_FAULT_SIGBUS; // mapping truncation does this
    }
    if (t.spinLock(mm.pageTableLock)) yield t.step;
    // pte_alloc_map(): a missing pte table is allocated with GFP_KERNEL, so the lock is dropped
    if (!mm.pt.hasTable(address)) {
      if (t.spinUnlock(mm.pageTableLock)) yield t.step;
      if (t.sleep('pte_alloc_one(GFP_KERNEL)')) yield t.step;
      if (t.spinLock(mm.pageTableLock)) yield t.step;
      if (!mm.pt.hasTable(address)) mm.pt.allocTable(address); // else: another thread populated the pmd, pte_free(new)
    }
  }
  const c = t.kernel.interp?.get('handle_pte_fault');
  if (c) {
    const rc = yield* c(t, mm, vma, address, access & VM_WRITE);
    if (!locked) t.exit('handle_mm_fault', t.tracing ? faultName(rc) : undefined);
    return rc;
  }
  t.enter('handle_pte_fault');
  if (t.pteRead(mm, address, 'entry = *pte')) yield t.step;
  let r: number;
  switch (pteFaultBranch(t, mm, vma, address, access)) {
    case B_ANON:
      // do_no_page() without ->nopage is do_anonymous_page() with the lock still held
      r = yield* doAnonymousPage(t, mm, vma, address, (access & VM_WRITE) !== 0);
      break;
    case B_SEGV:
      r = yield* outSegv(t, mm);
      break;
    case B_NOPAGE_HCH:
      // -mm3: "return vma->vm_ops->nopage(mm, vma, address & PAGE_MASK, write_access, pte, pmd);"
      r = yield* callNopageHch(t, mm, vma, address, (access & VM_WRITE) !== 0);
      break;
    case B_NOPAGE:
      r = yield* doNoPage(t, mm, vma, address, (access & VM_WRITE) !== 0);
      break;
    case B_FILE:
      r = yield* doFilePage(t, mm, vma, address, access);
      break;
    case B_SWAP:
      r = yield* doSwapPage(t, mm, vma, address, (access & VM_WRITE) !== 0);
      break;
    case B_WP:
      r = yield* doWpPage(t, mm, vma, address);
      break;
    default:
      if (t.pteWrite(mm, address, 'ptep_set_access_flags')) yield t.step;
      if (access & VM_WRITE) mm.pt.setDirty(address);
      else mm.pt.setYoung(address);
      if (t.spinUnlock(mm.pageTableLock)) yield t.step;
      r = VM_FAULT_MINOR;
  }
  faultExit(t, r, locked);
  return r;
}

const B_ANON = 0;
const B_SEGV = 1;
const B_NOPAGE_HCH = 2;
const B_NOPAGE = 3;
const B_FILE = 4;
const B_SWAP = 5;
const B_WP = 6;
const B_MINOR = 7;

/** handle_pte_fault()'s decision on the entry it read */
function pteFaultBranch(t: Task, mm: MmStruct, vma: Vma, address: number, access: number): number {
  const k = t.kernel;
  const pt = mm.pt;
  const kind = pt.kind(address);
  const nonuniform = k.remap.checkAfterPte && (vma.flags & VM_NONUNIFORM) !== 0;
  if (kind !== PTE_PRESENT) {
    if (kind === PTE_NONE && !nonuniform && !k.fault.anonymousIsNopage && !hasNopage(vma.ops)) return B_ANON;
    // seed 002: for VM_NONUNIFORM VMAs the arch handler skipped the check; do it now, except for
    // file ptes whose own protection decides
    if (nonuniform && kind !== PTE_FILE && accessExceeds(access, vma.flags)) return B_SEGV;
    if (kind === PTE_NONE) return k.fault.anonymousIsNopage ? B_NOPAGE_HCH : B_NOPAGE;
    return kind === PTE_FILE ? B_FILE : B_SWAP;
  }
  // present ptes of VM_NONUNIFORM VMAs always carry the exact protection
  if (nonuniform) return B_SEGV;
  // a PROT_NONE pte (only remap_file_pages can make one)
  if (pt.prot(address) === 0) return B_SEGV;
  if (access & VM_WRITE && (pt.prot(address) & VM_WRITE) === 0) return B_WP;
  return B_MINOR;
}

function faultExit(t: Task, r: number, locked: boolean): void {
  t.exit('handle_pte_fault');
  if (!locked) {
    if (t.tracing) t.exit('handle_mm_fault', faultName(r));
    else t.exit('handle_mm_fault');
  }
}

function* outSegv(t: Task, mm: MmStruct): Generator<Step, number, void> {
  if (t.spinUnlock(mm.pageTableLock)) yield t.step;
  return VM_FAULT_SIGSEGV;
}

export { VM_FAULT_OOM };
