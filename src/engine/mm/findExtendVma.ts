// find_extend_vma() (mm/mmap.c): the VMA containing addr, growing a VM_GROWSDOWN stack VMA down
// to it when addr lies just below. get_user_pages() and the page-walk API start every VMA with it.

import type { MmStruct } from './mmStruct';
import type { Vma } from './vma';
import { PAGE_SIZE, VM_GROWSDOWN } from '../sim/constants';

export function findExtendVma(mm: MmStruct, addr: number): Vma | null {
  const vma = mm.vmas.find(addr);
  if (vma === null) return null;
  if (vma.start <= addr) return vma;
  if (!(vma.flags & VM_GROWSDOWN)) return null;
  // expand_stack(): the VMA below must not be overlapped
  const start = Math.floor(addr / PAGE_SIZE) * PAGE_SIZE;
  const prev = vma.prev;
  if (prev !== null && prev.end > start) return null;
  vma.pgoff -= (vma.start - start) / PAGE_SIZE;
  mm.vmas.rekey(vma, start);
  return vma;
}
