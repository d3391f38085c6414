// mm/mprotect.c: sys_mprotect / mprotect_fixup / change_protection, splitting and merging VMAs.
// Under the nonuniform rules, mprotect() on a VM_NONUNIFORM VMA rewrites the per-page protections
// of present ptes and file ptes in the range (the series' "mprotect coherent" fix).

import { ENOMEM, EINVAL, PAGE_SIZE, VM_ACCESS_MASK, VM_NONUNIFORM, VM_SHARED, VM_WRITE } from '../sim/constants';
import type { Step } from '../sim/step';
import type { Task } from '../sim/task';

import type { MmStruct } from './mmStruct';
import { anonVmaMergeable, mergeInto, pgoffMergeable, splitVma } from './mmap';
import { PTE_FILE, PTE_PRESENT } from './pageTable';
import { flushTlbRange } from './tlb';
import type { Vma } from './vma';

/** change_protection() over [start, end) of vma; page_table_lock taken inside */
function* changeProtection(t: Task, vma: Vma, start: number, end: number, newFlags: number): Generator<Step, void, void> {
  const mm = vma.mm;
  const pt = mm.pt;
  const coherent = (vma.flags & VM_NONUNIFORM) !== 0 && t.kernel.remap.mprotectCoherent;
  const access = newFlags & VM_ACCESS_MASK;
  const pageProt = newFlags & VM_SHARED || coherent ? access : access & ~VM_WRITE;
  t.enter('change_protection');
  if (t.spinLock(mm.pageTableLock)) yield t.step;
  for (let a = start; a < end; a += PAGE_SIZE) {
    if (!pt.hasTable(a)) continue;
    const kind = pt.kind(a);
    if (kind === PTE_PRESENT) {
      if (t.pteWrite(mm, a, 'ptep_modify_prot')) yield t.step;
      // a COW-pending private pte stays read-only; a writable private copy keeps write if allowed
      const cur = pt.prot(a);
      const keepW = !(newFlags & VM_SHARED) && !coherent && (cur & VM_WRITE) !== 0 && (access & VM_WRITE) !== 0;
      pt.setProt(a, pageProt | (keepW ? VM_WRITE : 0));
    } else if (kind === PTE_FILE && coherent) {
      if (t.pteWrite(mm, a, 'pgoff_prot_to_pte')) yield t.step;
      pt.setFile(a, pt.val(a), access);
    }
  }
  flushTlbRange(t, mm, start, end);
  if (t.spinUnlock(mm.pageTableLock)) yield t.step;
  t.exit('change_protection');
}

function mergeable(objectRmap: boolean, a: Vma, b: Vma): boolean {
  return (
    a.end === b.start &&
    a.flags === b.flags &&
    a.file === b.file &&
    a.ops === b.ops &&
    pgoffMergeable(objectRmap, a.file, a.pgoff + a.pages, b.pgoff) &&
    anonVmaMergeable(a, b) &&
    (a.flags & VM_NONUNIFORM) === 0
  );
}

/**
 * mprotect_fixup() for [start, end) inside vma; returns -errno, or the VMA that now covers `start`
 * (the kernel's *pprev), which a merge with the next VMA may have grown past `end`.
 */
function* mprotectFixup(
  t: Task,
  mm: MmStruct,
  vma: Vma,
  start: number,
  end: number,
  newFlags: number,
): Generator<Step, number | Vma, void> {
  t.enter('mprotect_fixup');
  if (newFlags === vma.flags && !(vma.flags & VM_NONUNIFORM)) {
    t.exit('mprotect_fixup', '0');
    return vma;
  }
  if (start > vma.start) {
    const e = splitVma(mm, vma, start, false);
    if (e) {
      t.exit('mprotect_fixup', '-ENOMEM');
      return e;
    }
    vma = vma.next!;
  }
  if (end < vma.end) {
    const e = splitVma(mm, vma, end, false);
    if (e) {
      t.exit('mprotect_fixup', '-ENOMEM');
      return e;
    }
  }
  yield* changeProtection(t, vma, start, end, newFlags);
  vma.flags = newFlags;
  // vma_merge with the neighbours
  const next = vma.next;
  const objectRmap = t.kernel.alloc.objectRmap;
  if (next && mergeable(objectRmap, vma, next)) {
    vma.end = next.end;
    mergeInto(mm, vma, next);
  }
  const prev = vma.prev;
  if (prev && mergeable(objectRmap, prev, vma)) {
    prev.end = vma.end;
    mergeInto(mm, prev, vma);
    vma = prev;
  }
  t.exit('mprotect_fixup', '0');
  return vma;
}

/** sys_mprotect(); takes mmap_sem for write */
export function* sysMprotect(t: Task, mm: MmStruct, start: number, len: number, prot: number): Generator<Step, number, void> {
  if (start % PAGE_SIZE !== 0) return -EINVAL;
  const end = start + len;
  t.enter('sys_mprotect');
  if (t.downWrite(mm.mmapSem)) yield t.step;
  let err = 0;
  let vma = mm.vmas.find(start);
  if (!vma || vma.start > start) err = -ENOMEM;
  let nstart = start;
  while (err === 0 && vma) {
    const newFlags = (vma.flags & ~VM_ACCESS_MASK) | prot;
    const tmp = Math.min(vma.end, end);
    const r = yield* mprotectFixup(t, mm, vma, nstart, tmp, newFlags);
    if (typeof r === 'number') {
      err = r;
      break;
    }
    // as 2.6's sys_mprotect: continue after prev, which a merge with the next VMA may have grown
    nstart = Math.max(tmp, r.end);
    if (nstart >= end) break;
    vma = r.next;
    if (!vma || vma.start !== nstart) {
      err = -ENOMEM;
      break;
    }
  }
  if (err === 0) mm.clearPromise(start, end);
  else mm.clearPromise(start, nstart);
  if (t.upWrite(mm.mmapSem)) yield t.step;
  t.exit('sys_mprotect', String(err));
  return err;
}
