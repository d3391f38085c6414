// User-space accesses and the architecture fault handler (arch/i386/mm/fault.c, with seed 002's
// patch 19 where the remap rules ask for it): the MMU walks the pte; if it does not allow the
// access, do_page_fault() runs and the access is retried. Signals are recorded and checked against
// what the protections promise (the sigsegv invariant).

import {
  PAGE_SIZE,
  VM_EXEC,
  VM_FAULT_MAJOR,
  VM_FAULT_MINOR,
  VM_FAULT_OOM,
  VM_FAULT_SIGBUS,
  VM_FAULT_SIGSEGV,
  VM_NONUNIFORM,
  VM_READ,
  VM_WRITE,
  VM_ACCESS_MASK,
  faultName,
  hex,
  protString,
} from '../sim/constants';
import type { OpOutcome } from '../sim/ops';
import { footprint, type Step } from '../sim/step';
import type { Task } from '../sim/task';

import { handleMmFault } from './handleMmFault';
import type { MmStruct } from './mmStruct';
import { DATA_KEY } from './page';
import { PageTable, PTE_DIRTY, PTE_KIND_MASK, PTE_NONE, PTE_PRESENT, PTE_PROT_SHIFT, PTE_YOUNG } from './pageTable';
import { tlbKey, type Tlb } from './tlb';
import type { Vma } from './vma';

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

/** what user space was promised for this page: the remap_file_pages protection, else the VMA's */
export function promisedAccess(mm: MmStruct, address: number): number {
  // promisedProt goes with the VMAs (MmStruct.vmasKey)
  if (footprint.on) footprint.reads.push(mm.vmasKey);
  const pn = Math.floor(address / PAGE_SIZE);
  const p = mm.promisedProt.size === 0 ? undefined : mm.promisedProt.get(pn);
  if (p !== undefined) return p;
  const v = mm.vmas.find(address);
  if (!v || v.start > address) return -1;
  return v.flags & VM_ACCESS_MASK;
}

/**
 * i386 without NX: a pte is readable or not, and an instruction fetch is a read. So a read or exec
 * is allowed by any of VM_READ / VM_EXEC, a write only by VM_WRITE.
 */
export function allows(prot: number, access: number): boolean {
  if (access & VM_WRITE) return (prot & VM_WRITE) !== 0;
  return (prot & (VM_READ | VM_EXEC)) !== 0;
}

/**
 * User accesses to `pages` consecutive pages from `address` (a load, store or instruction fetch
 * each). The MMU walks the pte without page_table_lock, as hardware does; when it does not allow
 * the access, do_page_fault() runs (in this frame: the exception handler) and the access is
 * retried. Returns ACCESS_* of the first access that does not complete (or ACCESS_OK); the index
 * of that page, the last fault result and the faults taken are left in t.accessPage,
 * t.accessFault and t.accessFaults (summed, with t.accessMajor, over all pages).
 */
export function* userAccess(t: Task, address: number, access: number, pages = 1): Generator<Step, number, void> {
  return (yield* userAccessOp(t, address, access, pages, false)).code!;
}

/** the operations 'read' / 'write' / 'exec' (one page) and 'touch' (a range): userAccess with the
 * result formatted in the same frame */
export function* userAccessOp(t: Task, address: number, access: number, pages: number, range: boolean): Generator<Step, OpOutcome, void> {
  // the string building and checks live in plain helpers: a generator's frame is saved and
  // restored at every yield, so it is kept small
  const mm = t.mm!;
  t.accessFaults = 0;
  t.accessMajor = 0;
  let outcome = ACCESS_OK;
  let fault = -100;
  let i = 0;
  const tlb = t.kernel.tlb;
  for (; i < pages; i++, address += PAGE_SIZE) {
    fault = -100;
    outcome = ACCESS_OK;
    if (tlb !== null) {
      // the CPU's TLB first: a hit uses the cached translation and never reads the pte
      if (t.cpu !== null && t.objRead(tlbKey(mm, address, t.cpu), -1, 'TLB lookup')) yield t.step;
      // (no sigsegv check on a hit: until the flush, a translation the kernel is removing is
      // still the hardware's to use -- what must hold is that its page is not freed: tlb-stale)
      if (tlbAccess(t, tlb, mm, address, access)) continue;
    }
    for (let tries = 0; ; tries++) {
      if (t.pteRead(mm, address, 'MMU page walk')) yield t.step;
      const kind = mmuAccess(t, mm, address, access);
      if (kind < 0) {
        // the access completed; the translation is cached
        if (tlb !== null && t.cpu !== null) tlb.fill(t.cpu, mm, address, mm.pt.val(address), (mm.pt.prot(address) & VM_WRITE) !== 0);
        break;
      }
      if (tries >= 4) {
        faultLoop(t, address, tries, fault);
        outcome = ACCESS_SIGSEGV;
        break;
      }
      // ---- do_page_fault(regs, error_code) ----
      t.enter('do_page_fault');
      if (t.downRead(mm.mmapSem)) yield t.step;
      const vma = mm.vmas.find(address);
      const accessMask = faultAccessMask(t, vma, address, access, kind);
      fault = VM_FAULT_SIGSEGV; // bad_area
      if (accessMask >= 0) fault = yield* handleMmFault(t, mm, vma!, address, accessMask);
      if (t.upRead(mm.mmapSem)) yield t.step;
      outcome = faultDone(t, address, fault);
      if (outcome !== ACCESS_OK) break;
    }
    checkPromise(t, mm, address, access, outcome);
    if (outcome !== ACCESS_OK) break;
  }
  return accessResult(t, outcome, fault, i, pages, range);
}

/** a TLB hit that allows the access: the access goes to the cached frame, whatever the pte says now */
function tlbAccess(t: Task, tlb: Tlb, mm: MmStruct, address: number, access: number): boolean {
  if (t.cpu === null) return false;
  const e = tlb.lookup(t.cpu, mm, address);
  if (e === undefined || (access & VM_WRITE && !e.write)) return false;
  const alloc = t.kernel.alloc;
  if (access & VM_WRITE && !alloc.isReserved(e.pfn)) {
    if (footprint.on) footprint.writes.push(DATA_KEY + e.pfn);
    alloc.mem.userWrites[e.pfn]++;
  }
  if (t.tracing) t.emit('note', `${t.cpu} TLB hit ${hex(address)} -> pfn ${e.pfn}`);
  return true;
}

/** the MMU's walk and access check: -1 if the access completed (young/dirty set), else the pte kind */
function mmuAccess(t: Task, mm: MmStruct, address: number, access: number): number {
  const tbl = mm.pt.lookup(address);
  const slot = PageTable.slot(address);
  const kind = tbl === undefined ? PTE_NONE : tbl.bits[slot] & PTE_KIND_MASK;
  if (kind !== PTE_PRESENT || !allows((tbl!.bits[slot] >> PTE_PROT_SHIFT) & 7, access)) return kind;
  if (access & VM_WRITE) {
    tbl!.bits[slot] |= PTE_DIRTY | PTE_YOUNG;
    const alloc = t.kernel.alloc;
    const pfn = tbl!.val[slot];
    if (!alloc.isReserved(pfn)) {
      if (footprint.on) footprint.writes.push(DATA_KEY + pfn);
      alloc.mem.userWrites[pfn]++;
    }
  } else tbl!.bits[slot] |= PTE_YOUNG;
  return -1;
}

/** do_page_fault()'s VMA checks: the access mask for handle_mm_fault, or -1 for bad_area */
function faultAccessMask(t: Task, vma: Vma | null, address: number, access: number, kind: number): number {
  if (vma === null || vma.start > address) return -1;
  const write = (access & VM_WRITE) !== 0;
  let ok: boolean;
  let prot = true; // a failure goes to bad_area_prot (seed 002) rather than bad_area
  if (write)
    ok = (vma.flags & VM_WRITE) !== 0; // case 2/3: write
  else if (kind === PTE_PRESENT) {
    ok = false; // case 1: read, present
    prot = false;
  } else ok = (vma.flags & (VM_READ | VM_EXEC)) !== 0; // case 0: read (or fetch), not present
  if (ok) return write ? VM_WRITE : 0;
  if (prot && t.kernel.remap.checkAfterPte && vma.flags & VM_NONUNIFORM) {
    // bad_area_prot: a VM_NONUNIFORM VMA's protection is not the page's; the pte decides
    return (write ? VM_WRITE : 0) | (vma.flags & VM_EXEC ? VM_EXEC : VM_READ);
  }
  return -1;
}

/** the end of do_page_fault(): fault counters, trace; the outcome of the access */
function faultDone(t: Task, address: number, fault: number): number {
  const k = t.kernel;
  t.accessFaults++;
  k.count('faults');
  if (fault === VM_FAULT_MINOR) t.minFlt++;
  else if (fault === VM_FAULT_MAJOR) {
    t.majFlt++;
    t.accessMajor++;
    k.count('major faults');
  }
  const outcome = outcomeOfFault(fault);
  if (t.tracing) {
    t.emit('fault', `${hex(address)} ${faultName(fault)} -> ${OUTCOME_NAMES[outcome]}`);
    t.exit('do_page_fault', faultName(fault));
  } else t.exit('do_page_fault');
  return outcome;
}

function faultLoop(t: Task, address: number, tries: number, fault: number): void {
  t.violation('fault-loop', `${hex(address)}: access still not allowed after ${tries} handled faults (last ${faultName(fault)})`);
}

/** the sigsegv invariant: SIGSEGV exactly when the protections say so */
function checkPromise(t: Task, mm: MmStruct, address: number, access: number, outcome: number): void {
  // an access the MMU completed (after a fault or not) while munmap/mprotect holds mmap_sem for
  // write: the protection is still changing (the ptes go after the VMA), so nothing was promised yet
  if (outcome === ACCESS_OK) {
    // it reads mmap_sem's writer: an access with no lock step of its own conflicts with down_write/up_write
    if (footprint.on) footprint.reads.push(mm.mmapSem.key);
    if (mm.mmapSem.writer !== null) return;
  }
  const promised = promisedAccess(mm, address);
  const expectSegv = promised < 0 || !allows(promised, access);
  if (outcome !== ACCESS_OOM && expectSegv !== (outcome === ACCESS_SIGSEGV)) {
    const what = access & VM_WRITE ? 'write' : access & VM_EXEC ? 'exec' : 'read';
    t.violation(
      'sigsegv',
      `${mm.name} ${what} at ${hex(address)}: ${outcome === ACCESS_OK ? 'allowed' : OUTCOME_NAMES[outcome]} but the protection promised is ${promised < 0 ? 'unmapped' : protString(promised)}`,
    );
  }
}

function accessResult(t: Task, outcome: number, fault: number, i: number, pages: number, range: boolean): OpOutcome {
  t.accessPage = i;
  t.accessFault = fault;
  let res: OpOutcome;
  if (outcome === ACCESS_SIGSEGV) res = { result: 'SIGSEGV', signal: 'SIGSEGV' };
  else if (outcome === ACCESS_SIGBUS) res = { result: 'SIGBUS', signal: 'SIGBUS' };
  else if (outcome === ACCESS_OOM) res = { result: 'VM_FAULT_OOM' };
  else if (range) return { result: `${pages} pages, ${t.accessFaults} faults (${t.accessMajor} major)`, code: ACCESS_OK };
  else return { result: t.accessFaults === 0 ? 'no fault' : faultName(fault), code: ACCESS_OK };
  if (range) res.result += ` at page ${i}`;
  res.code = outcome;
  return res;
}
