// The architecture fault handler (arch/i386/mm/fault.c, with seed 002's patch 19 where the remap
// rules ask for it) and a user-space access: the MMU walks the pte; if it does not allow the
// access, do_page_fault() runs and the access is retried. Signals are recorded and checked against
// what the protections promise (the sigsegv invariant).

import type { Task } from './task';
import type { Step } from './step';
import type { MmStruct } from './mmStruct';
import { PAGE_SIZE, VM_EXEC, VM_FAULT_MAJOR, VM_FAULT_MINOR, VM_FAULT_OOM, VM_FAULT_SIGBUS, VM_FAULT_SIGSEGV, VM_NONUNIFORM, VM_READ, VM_WRITE, VM_ACCESS_MASK, faultName, hex, protString } from './constants';
import { PTE_PRESENT } from './pageTable';
import { handleMmFault } from './handleMmFault';

/** outcome of a user access: the access completed, or a signal, or the OOM killer */
export const ACCESS_OK = 0;
export const ACCESS_SIGSEGV = 1;
export const ACCESS_SIGBUS = 2;
export const ACCESS_OOM = 3;

function outcomeOfFault(fault: number): number {
  switch (fault) {
    case VM_FAULT_MINOR:
    case VM_FAULT_MAJOR:
      return ACCESS_OK;
    case VM_FAULT_SIGBUS:
      return ACCESS_SIGBUS;
    case VM_FAULT_OOM:
      return ACCESS_OOM;
    default:
      return ACCESS_SIGSEGV;
  }
}

const OUTCOME_NAMES = ['ok', 'SIGSEGV', 'SIGBUS', 'OOM'];

/** do_page_fault() for a user access; `present` is the error code's protection-fault bit */
export function* doPageFault(t: Task, mm: MmStruct, address: number, access: number, present: boolean): Generator<Step, number, void> {
  t.enter('do_page_fault');
  const k = t.kernel;
  yield t.downRead(mm.mmapSem);
  const vma = mm.vmas.find(address);
  let accessMask = -1; // -1: bad_area
  if (vma && vma.start <= address) {
    const write = (access & VM_WRITE) !== 0;
    let ok: boolean;
    let prot = true; // a failure goes to bad_area_prot (seed 002) rather than bad_area
    if (write) ok = (vma.flags & VM_WRITE) !== 0; // case 2/3: write
    else if (present) {
      ok = false; // case 1: read, present
      prot = false;
    } else ok = access & VM_EXEC ? (vma.flags & VM_EXEC) !== 0 : (vma.flags & (VM_READ | VM_EXEC)) !== 0; // case 0
    if (ok) accessMask = write ? VM_WRITE : 0;
    else if (prot && k.remap.checkAfterPte && vma.flags & VM_NONUNIFORM) {
      // bad_area_prot: a VM_NONUNIFORM VMA's protection is not the page's; the pte decides
      accessMask = (write ? VM_WRITE : 0) | (vma.flags & VM_EXEC ? VM_EXEC : VM_READ);
    }
  }
  let fault = VM_FAULT_SIGSEGV; // bad_area
  if (accessMask >= 0) {
    fault = yield* handleMmFault(t, mm, vma!, address, accessMask);
    if (fault === VM_FAULT_MINOR) t.minFlt++;
    else if (fault === VM_FAULT_MAJOR) t.majFlt++;
  }
  yield t.upRead(mm.mmapSem);
  if (t.tracing) {
    t.emit('fault', `${hex(address)} ${faultName(fault)} -> ${OUTCOME_NAMES[outcomeOfFault(fault)]}`);
    t.exit('do_page_fault', faultName(fault));
  } else t.exit('do_page_fault');
  return fault;
}

/** what user space was promised for this page: the remap_file_pages protection, else the VMA's */
export function promisedAccess(mm: MmStruct, address: number): number {
  const pn = Math.floor(address / PAGE_SIZE);
  const p = mm.promisedProt.get(pn);
  if (p !== undefined) return p;
  const v = mm.vmas.find(address);
  if (!v || v.start > address) return -1;
  return v.flags & VM_ACCESS_MASK;
}

function allows(prot: number, access: number): boolean {
  return (access & ~prot & VM_ACCESS_MASK) === 0;
}

/**
 * A load/store/instruction fetch at `address`: returns ACCESS_*; the last fault result and the
 * number of faults taken are left in t.accessFault / t.accessFaults. The MMU walk reads the pte
 * without page_table_lock, as hardware does.
 */
export function* userAccess(t: Task, address: number, access: number): Generator<Step, number, void> {
  const mm = t.mm!;
  const pt = mm.pt;
  const k = t.kernel;
  let fault = -100;
  let faults = 0;
  let outcome = ACCESS_OK;
  for (let tries = 0; ; tries++) {
    yield t.pteRead(mm, address, 'MMU page walk');
    if (pt.kind(address) === PTE_PRESENT && allows(pt.prot(address), access)) {
      // the access completes; the MMU sets young/dirty
      if (access & VM_WRITE) {
        pt.setDirty(address);
        const page = k.alloc.byPfn(pt.val(address));
        if (page !== undefined && !page.reserved) page.userWrites++;
      } else pt.setYoung(address);
      outcome = ACCESS_OK;
      break;
    }
    if (tries >= 4) {
      t.violation('fault-loop', `${hex(address)}: access still not allowed after ${tries} handled faults (last ${faultName(fault)})`);
      outcome = ACCESS_SIGSEGV;
      break;
    }
    fault = yield* doPageFault(t, mm, address, access, pt.kind(address) === PTE_PRESENT);
    faults++;
    outcome = outcomeOfFault(fault);
    if (outcome !== ACCESS_OK) break;
  }
  t.accessFault = fault;
  t.accessFaults = faults;
  // the sigsegv invariant: SIGSEGV exactly when the protections say so
  const promised = promisedAccess(mm, address);
  const expectSegv = promised < 0 || !allows(promised, access);
  if (outcome !== ACCESS_OOM && expectSegv !== (outcome === ACCESS_SIGSEGV)) {
    const what = access & VM_WRITE ? 'write' : access & VM_EXEC ? 'exec' : 'read';
    t.violation('sigsegv', `${mm.name} ${what} at ${hex(address)}: ${outcome === ACCESS_OK ? 'allowed' : OUTCOME_NAMES[outcome]} but the protection promised is ${promised < 0 ? 'unmapped' : protString(promised)}`);
  }
  return outcome;
}
