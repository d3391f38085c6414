// mm/mmap.c: do_mmap_pgoff (MAP_FIXED), do_munmap, split_vma and vma_merge, with the
// sysctl_max_map_count limit checked where the kernel checks it. The mapping's VMA list is changed
// under the era's lock: 2.6.0 mm/mmap.c down(&mapping->i_shared_sem) (2.5.70 and 2.6.0 columns),
// 2.6.11 mm/mmap.c spin_lock(&mapping->i_mmap_lock) (the 'object' rmap rules) -- in vma_link and
// vma_merge of a file mapping, and in remove_vm_struct after munmap's zap. split_vma's relinking is
// done without lock steps (its VMA halves cover the same pages).

import {
  EINVAL,
  ENOMEM,
  PAGE_SIZE,
  TASK_SIZE,
  VM_HUGETLB,
  VM_IO,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYSHARE,
  VM_MAYWRITE,
  VM_NONLINEAR,
  VM_NONUNIFORM,
  VM_RESERVED,
  VM_SHARED,
} from '../sim/constants';
import type { Step } from '../sim/step';
import type { Task } from '../sim/task';

import type { File } from './addressSpace';
import { unmapHugepageRange } from './hugetlb';
import type { MmStruct } from './mmStruct';
import { anonVmaUnlink } from './rmap';
import type { VmOperations } from './vmOps';
import { Vma } from './vma';
import { zapPageRange } from './zap';

/** VM_SPECIAL: never merged */
const VM_SPECIAL = VM_IO | VM_RESERVED | VM_HUGETLB | VM_NONLINEAR | VM_NONUNIFORM;

function canMerge(a: Vma, flags: number, file: File | null, ops: VmOperations | null): boolean {
  return a.flags === flags && a.file === file && a.ops === ops && (flags & VM_SPECIAL) === 0;
}

/**
 * Whether two adjacent VMAs' offsets allow a merge: file VMAs need contiguous vm_pgoff; anonymous ones
 * too under the object rmap (2.6.11 can_vma_merge_after/before: vma_address() computes from
 * vm_pgoff), not in 2.6.0 ("if (!file) return 1;", an anonymous mapping).
 */
export function pgoffMergeable(objectRmap: boolean, file: File | null, endPgoff: number, nextPgoff: number): boolean {
  return (!file && !objectRmap) || endPgoff === nextPgoff;
}

/** is_mergeable_anon_vma() (2.6.11): at most one of the two has an anon_vma, or they share it */
export function anonVmaMergeable(a: Vma, b: Vma): boolean {
  return a.anonVma === null || b.anonVma === null || a.anonVma === b.anonVma;
}

/** the end of a merge: `gone` leaves, `survivor` covers its range and, where it has none, takes its
 * anon_vma (vma_adjust's importer), so the anonymous pages of the range stay reachable */
export function mergeInto(mm: MmStruct, survivor: Vma, gone: Vma): void {
  if (survivor.anonVma === null && gone.anonVma !== null) gone.anonVma.add(survivor);
  removeVma(mm, gone);
}

/** vma_merge(): extend prev and/or next instead of inserting [addr, end); true if merged */
export function vmaMerge(
  mm: MmStruct,
  addr: number,
  end: number,
  flags: number,
  file: File | null,
  pgoff: number,
  ops: VmOperations | null,
  objectRmap = false,
): boolean {
  const prev = mm.vmas.findPrev(addr);
  const pages = (end - addr) / PAGE_SIZE;
  const contiguous = (endPgoff: number, nextPgoff: number) => pgoffMergeable(objectRmap, file, endPgoff, nextPgoff);
  if (prev && prev.end === addr && canMerge(prev, flags, file, ops) && contiguous(prev.pgoff + prev.pages, pgoff)) {
    prev.end = end;
    const next = prev.next;
    if (
      next &&
      next.start === end &&
      canMerge(next, flags, file, ops) &&
      contiguous(pgoff + pages, next.pgoff) &&
      anonVmaMergeable(prev, next)
    ) {
      prev.end = next.end;
      mergeInto(mm, prev, next);
    }
    return true;
  }
  const next = prev ? prev.next : mm.vmas.head;
  if (next && next.start === end && canMerge(next, flags, file, ops) && contiguous(pgoff + pages, next.pgoff)) {
    next.pgoff = pgoff;
    mm.vmas.rekey(next, addr);
    return true;
  }
  return false;
}

export function insertVma(mm: MmStruct, v: Vma): void {
  mm.vmas.insert(v);
  if (v.file) v.file.mapping(mm.node).link(v);
}

export function removeVma(mm: MmStruct, v: Vma): void {
  mm.vmas.remove(v);
  if (v.file) v.file.mapping(mm.node).unlink(v);
  v.anonVma?.remove(v);
}

/**
 * remove_vm_struct() (2.6.11 mm/mmap.c; remove_shared_vm_struct() in 2.6.0): after the zap, a VMA of
 * munmap leaves its file's i_mmap under the era's mapping lock and its anon_vma under anon_vma->lock.
 */
function* removeVmStruct(t: Task, mm: MmStruct, v: Vma): Generator<Step, void, void> {
  if (v.file) {
    const space = v.file.mapping(mm.node);
    const mlock = space.lock(t.kernel.alloc.objectRmap);
    if (t.acquire(mlock)) yield t.step;
    space.unlink(v);
    if (t.release(mlock)) yield t.step;
  }
  yield* anonVmaUnlink(t, v);
}

/** split_vma(): -ENOMEM at the map count limit */
export function splitVma(mm: MmStruct, vma: Vma, addr: number, newBelow: boolean): number {
  if (mm.mapCount >= mm.maxMapCount) return -ENOMEM;
  const off = (addr - vma.start) / PAGE_SIZE;
  if (newBelow) {
    const nv = new Vma(mm, vma.start, addr, vma.flags, vma.pgoff, vma.file, vma.ops);
    nv.privateData = vma.privateData;
    vma.pgoff += off;
    mm.vmas.rekey(vma, addr);
    insertVma(mm, nv);
    vma.anonVma?.add(nv);
  } else {
    const nv = new Vma(mm, addr, vma.end, vma.flags, vma.pgoff + off, vma.file, vma.ops);
    nv.privateData = vma.privateData;
    vma.end = addr;
    insertVma(mm, nv);
    vma.anonVma?.add(nv);
  }
  return 0;
}

/** do_munmap(); mmap_sem held for write */
export function* doMunmap(t: Task, mm: MmStruct, start: number, len: number): Generator<Step, number, void> {
  t.enter('do_munmap');
  if (start % PAGE_SIZE !== 0 || start > TASK_SIZE || len > TASK_SIZE - start) {
    t.exit('do_munmap', '-EINVAL');
    return -EINVAL;
  }
  const end = start + len;
  let vma = mm.vmas.find(start);
  if (!vma || vma.start >= end) {
    t.exit('do_munmap', '0');
    return 0;
  }
  if (start > vma.start) {
    const e = splitVma(mm, vma, start, false);
    if (e) {
      t.exit('do_munmap', String(e));
      return e;
    }
  }
  const last = mm.vmas.find(end - 1);
  if (last && last.end > end && last.start < end) {
    const e = splitVma(mm, last, end, true);
    if (e) {
      t.exit('do_munmap', String(e));
      return e;
    }
  }
  // the splits re-keyed VMAs: look the first one up again
  vma = mm.vmas.find(start)!;
  // detach_vmas_to_be_unmapped(), unmap_region(), then unmap_vma_list() -> remove_vm_struct(): the
  // VMAs stay on the file's i_mmap (and their anon_vma) while their ptes are zapped
  const victims: Vma[] = [];
  for (let v: Vma | null = vma; v && v.start < end; v = v.next) victims.push(v);
  for (const v of victims) mm.vmas.remove(v);
  for (const v of victims) {
    if (v.flags & VM_HUGETLB) yield* unmapHugepageRange(t, v, v.start, v.end);
    else yield* zapPageRange(t, v, v.start, v.end);
  }
  for (const v of victims) yield* removeVmStruct(t, mm, v);
  mm.pt.freeEmptyTables(start, end);
  mm.clearPromise(start, end);
  t.exit('do_munmap', '0');
  return 0;
}

export interface MmapRequest {
  addr: number;
  len: number;
  prot: number;
  shared: boolean;
  file: File | null;
  pgoff: number;
  extraFlags: number;
  ops: VmOperations | null;
  /** file->f_op->mmap() on the new VMA before vma_link(), where it does more than set vm_ops
   *  (hugetlbfs prefaults): 0 or -errno */
  fileMmap?: (vma: Vma) => Generator<Step, number, void>;
}

/** do_mmap_pgoff() with MAP_FIXED semantics; mmap_sem held for write. Returns addr or -errno. */
export function* doMmapPgoff(t: Task, mm: MmStruct, r: MmapRequest): Generator<Step, number, void> {
  t.enter('do_mmap_pgoff');
  if (r.len <= 0 || r.len > TASK_SIZE || r.addr % PAGE_SIZE !== 0) {
    t.exit('do_mmap_pgoff', '-EINVAL');
    return -EINVAL;
  }
  // get_unmapped_area(), MAP_FIXED: the range must lie below TASK_SIZE
  if (r.addr > TASK_SIZE - r.len) {
    t.exit('do_mmap_pgoff', '-ENOMEM');
    return -ENOMEM;
  }
  // "Too many mappings?" (2.5/2.6: checked before the new VMA, with '>')
  if (mm.mapCount > mm.maxMapCount) {
    t.exit('do_mmap_pgoff', '-ENOMEM');
    return -ENOMEM;
  }
  if (r.file && r.pgoff + r.len / PAGE_SIZE > r.file.size && r.file.fs === 'shmem') r.file.ensure(r.pgoff + r.len / PAGE_SIZE);
  const flags = r.prot | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | (r.shared ? VM_SHARED | VM_MAYSHARE : 0) | r.extraFlags;
  // MAP_FIXED: clear the old mappings first (do_munmap returns at once when nothing overlaps)
  const old = mm.vmas.find(r.addr);
  if (old !== null && old.start < r.addr + r.len) {
    const e = yield* doMunmap(t, mm, r.addr, r.len);
    if (e) {
      t.exit('do_mmap_pgoff', '-ENOMEM');
      return e;
    }
  }
  const end = r.addr + r.len;
  const pgoff = r.file ? r.pgoff : r.addr / PAGE_SIZE;
  // f_op->mmap runs on a VMA no list holds yet (2.6.11 mm/mmap.c: file->f_op->mmap, then vma_link),
  // so a truncate in between does not see what it mapped; VM_RESERVED keeps such a VMA unmerged
  let fresh: Vma | null = null;
  if (r.fileMmap) {
    fresh = new Vma(mm, r.addr, end, flags, pgoff, r.file, r.ops);
    const e = yield* r.fileMmap(fresh);
    if (e) {
      // unmap_and_free_vma: undo any partial mapping
      yield* unmapHugepageRange(t, fresh, fresh.start, fresh.end);
      t.exit('do_mmap_pgoff', String(e));
      return e;
    }
  }
  // vma_merge() / vma_link() of a file mapping: under the mapping's lock (see the header)
  const mlock = r.file ? r.file.mapping(mm.node).lock(t.kernel.alloc.objectRmap) : null;
  if (mlock !== null && t.acquire(mlock)) yield t.step;
  if (fresh) insertVma(mm, fresh);
  else if (!vmaMerge(mm, r.addr, end, flags, r.file, pgoff, r.ops, t.kernel.alloc.objectRmap))
    insertVma(mm, new Vma(mm, r.addr, end, flags, pgoff, r.file, r.ops));
  if (mlock !== null && t.release(mlock)) yield t.step;
  mm.clearPromise(r.addr, end);
  t.exit('do_mmap_pgoff', '0x' + r.addr.toString(16));
  return r.addr;
}
