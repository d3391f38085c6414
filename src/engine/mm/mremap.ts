// do_mremap() (2.6.11 mm/mremap.c): shrink (do_munmap of the tail), expand in place when the next
// VMA leaves room, or move: copy_vma() at the new address (linked into the file's mapping under its
// lock, ahead of the source), move_page_tables() page by page, then
// do_munmap() of the old range. move_one_page() takes the file's mapping lock before
// page_table_lock (so that vmtruncate, which zaps the VMAs of the mapping one after the other under
// that lock, cannot zap the destination before the source and leave a moved page behind; the
// mapping lock is the era's: 2.5's i_shared_sem or 2.6.11's i_mmap_lock), then moves the
// pte: ptep_clear_flush() at the old address, set_pte() at the new one, and the rmap entry with it
// (the engine's 2.5 pte_chains; 2.6.11's object rmap needs no per-pte update).

import { EFAULT, EINVAL, ENOMEM, PAGE_SIZE, TASK_SIZE, VM_HUGETLB, hex } from '../sim/constants';
import { touchWrite, type Step } from '../sim/step';
import type { Task } from '../sim/task';

import type { MmStruct } from './mmStruct';
import { doMunmap } from './mmap';
import { PTE_NONE, PTE_PRESENT, PTE_SWAP } from './pageTable';
import { anonVmaLink, pageAddRmap, pageRemoveRmap } from './rmap';
import { flushTlbPage } from './tlb';
import { Vma } from './vma';

export const MREMAP_MAYMOVE = 'MREMAP_MAYMOVE';
export const MREMAP_FIXED = 'MREMAP_FIXED';
/** where get_unmapped_area() starts looking (TASK_UNMAPPED_BASE on i386) */
const TASK_UNMAPPED_BASE = 0x40000000;

/** move_one_page(); mmap_sem held for write (the engine's page table allocation does not fail) */
function* moveOnePage(t: Task, mm: MmStruct, vma: Vma, oldAddr: number, newAddr: number): Generator<Step, void, void> {
  const k = t.kernel;
  const pt = mm.pt;
  const ptl = mm.pageTableLock;
  const sem = vma.file && !k.mutation.moveWithoutMappingLock ? vma.file.mapping(mm.node).lock(k.alloc.objectRmap) : null;
  if (sem && t.acquire(sem)) yield t.step;
  if (t.spinLock(ptl)) yield t.step;
  if (pt.hasTable(oldAddr)) {
    if (!pt.hasTable(newAddr)) {
      // alloc_one_pte_map(): the mapping lock is dropped, pte_alloc_map() drops page_table_lock
      if (sem && t.release(sem)) yield t.step;
      if (t.spinUnlock(ptl)) yield t.step;
      if (t.sleep('pte_alloc_one(GFP_KERNEL)')) yield t.step;
      if (t.spinLock(ptl)) yield t.step;
      if (!pt.hasTable(newAddr)) pt.allocTable(newAddr);
      if (sem) {
        // "if (mapping && !spin_trylock(&mapping->i_mmap_lock))": back off to the lock order
        if (t.tryAcquire(sem)) yield t.step;
        if (!t.tryResult) {
          if (t.spinUnlock(ptl)) yield t.step;
          if (t.acquire(sem)) yield t.step;
          if (t.spinLock(ptl)) yield t.step;
        }
      }
    }
    // the source entry is re-read: page_table_lock may have been dropped
    if (t.pteWrite(mm, oldAddr, 'ptep_clear_flush')) yield t.step;
    const pte = pt.get(oldAddr);
    if (pte !== null && pte.kind !== PTE_NONE) {
      pt.clear(oldAddr);
      flushTlbPage(t, mm, oldAddr);
      if (t.pteWrite(mm, newAddr, 'set_pte')) yield t.step;
      if (pte.kind === PTE_PRESENT) {
        pt.setPresent(newAddr, pte.val, pte.prot, pte.dirty, pte.young);
        const page = k.alloc.byPfn(pte.val);
        if (page && !page.reserved) {
          pageRemoveRmap(page, mm, oldAddr);
          pageAddRmap(page, mm, newAddr);
        }
      } else {
        const prot = pte.protValid ? pte.prot : -1;
        if (pte.kind === PTE_SWAP) pt.setSwap(newAddr, pte.val, prot);
        else pt.setFile(newAddr, pte.val, prot);
      }
      if (t.tracing) t.emit('pte', `move ${hex(oldAddr)} -> ${hex(newAddr)}`);
    }
  }
  if (t.spinUnlock(ptl)) yield t.step;
  if (sem && t.release(sem)) yield t.step;
}

/** move_vma(): the new VMA, the ptes, then do_munmap of the old range; returns the new address or -errno */
function* moveVma(
  t: Task,
  mm: MmStruct,
  vma: Vma,
  oldAddr: number,
  oldLen: number,
  newLen: number,
  newAddr: number,
): Generator<Step, number, void> {
  t.enter('move_vma');
  if (mm.mapCount >= mm.maxMapCount - 3) {
    t.exit('move_vma', '-ENOMEM');
    return -ENOMEM;
  }
  // copy_vma(): a VMA at the new address over the same pages of the file (or anonymous memory)
  const newPgoff = vma.pgoff + (oldAddr - vma.start) / PAGE_SIZE;
  const nv = new Vma(mm, newAddr, newAddr + newLen, vma.flags, newPgoff, vma.file, vma.ops);
  nv.privateData = vma.privateData;
  mm.vmas.insert(nv);
  if (vma.file) {
    // vma_link(): into the mapping's list under its lock, ahead of the source (so an invalidation
    // walking the list may clean the destination before the source)
    const space = vma.file.mapping(mm.node);
    const mlock = space.lock(t.kernel.alloc.objectRmap);
    if (t.acquire(mlock)) yield t.step;
    space.linkBefore(nv, vma);
    if (t.release(mlock)) yield t.step;
  }
  // __anon_vma_link(): the new VMA shares the source's anon_vma (2.6.11), so the moved anonymous
  // pages, whose index vm_pgoff keeps, are found through it
  if (vma.anonVma !== null) yield* anonVmaLink(t, nv, vma.anonVma);
  t.enter('move_page_tables');
  for (let off = 0; off < oldLen; off += PAGE_SIZE) yield* moveOnePage(t, mm, vma, oldAddr + off, newAddr + off);
  t.exit('move_page_tables', String(oldLen));
  yield* doMunmap(t, mm, oldAddr, oldLen);
  t.exit('move_vma', hex(newAddr));
  return newAddr;
}

/** get_unmapped_area() for a move: the lowest gap of `len` bytes from TASK_UNMAPPED_BASE, or -ENOMEM */
function unmappedArea(mm: MmStruct, len: number): number {
  let addr = TASK_UNMAPPED_BASE;
  for (let v = mm.vmas.find(addr); v !== null; v = v.next) {
    if (addr + len <= v.start) break;
    addr = Math.max(addr, v.end);
  }
  return addr + len <= TASK_SIZE ? addr : -ENOMEM;
}

/** do_mremap(addr, old_len, new_len, flags, new_addr); mmap_sem held for write */
export function* doMremap(
  t: Task,
  mm: MmStruct,
  addr: number,
  oldLen: number,
  newLen: number,
  flags: string[],
  newAddr: number,
): Generator<Step, number, void> {
  t.enter('do_mremap');
  const fixed = flags.includes(MREMAP_FIXED);
  const maymove = flags.includes(MREMAP_MAYMOVE);
  const out = (r: number) => {
    t.exit('do_mremap', r < 0 ? String(r) : hex(r));
    return r;
  };
  if (addr % PAGE_SIZE !== 0 || newLen <= 0) return out(-EINVAL);
  if (fixed) {
    if (newAddr % PAGE_SIZE !== 0 || !maymove) return out(-EINVAL);
    if (newLen > TASK_SIZE || newAddr > TASK_SIZE - newLen) return out(-EINVAL);
    // the new location may not overlap the old one
    if (newAddr <= addr && newAddr + newLen > addr) return out(-EINVAL);
    if (addr <= newAddr && addr + oldLen > newAddr) return out(-EINVAL);
    const r = yield* doMunmap(t, mm, newAddr, newLen);
    if (r) return out(r);
  }
  // always allow a shrinking remap: that just unmaps the unnecessary pages
  if (oldLen >= newLen) {
    const r = yield* doMunmap(t, mm, addr + newLen, oldLen - newLen);
    if (r && oldLen !== newLen) return out(r);
    if (!fixed || newAddr === addr) return out(addr);
    oldLen = newLen;
  }
  const vma = mm.vmas.find(addr);
  if (vma === null || vma.start > addr) return out(-EFAULT);
  if (vma.flags & VM_HUGETLB) return out(-EINVAL);
  // we can't remap across vm area boundaries
  if (oldLen > vma.end - addr) return out(-EFAULT);
  // old_len exactly to the end of the area, and not relocating: can we just expand it?
  if (oldLen === vma.end - addr && !(fixed && addr !== newAddr) && (oldLen !== newLen || !maymove)) {
    const maxAddr = vma.next ? vma.next.start : TASK_SIZE;
    if (maxAddr - addr >= newLen) {
      // vma_adjust(vma, vma->vm_start, addr + new_len, ...): a file VMA changes under the mapping's
      // lock, where an invalidation walking i_mmap reads it
      if (vma.file) touchWrite(vma.file.mapping(mm.node).mappingsKey);
      vma.end = addr + newLen;
      return out(addr);
    }
  }
  if (!maymove) return out(-ENOMEM);
  if (!fixed) {
    newAddr = unmappedArea(mm, newLen);
    if (newAddr < 0) return out(newAddr);
  }
  const r = yield* moveVma(t, mm, vma, addr, oldLen, newLen, newAddr);
  return out(r);
}
