// Building a new present pte for a faulted page: mk_pte(page, vma->vm_page_prot), pte_mkdirty and
// maybe_mkwrite() for write faults, and (seed 002) the exact protection for VM_NONUNIFORM VMAs.

import { VM_NONUNIFORM, VM_WRITE } from '../sim/constants';
import type { Kernel } from '../sim/kernel';

import type { Vma } from './vma';

export interface NewPte {
  prot: number;
  dirty: boolean;
}

const scratch: NewPte = { prot: 0, dirty: false };

/** the protection and dirty bit of the pte a fault installs; returns a shared scratch object */
export function newPteFor(k: Kernel, vma: Vma, write: boolean): NewPte {
  let prot = vma.pageProt;
  let dirty = false;
  // "if (write_access || unlikely(vma->vm_flags & VM_NONUNIFORM)) entry = maybe_mkwrite(pte_mkdirty(entry), vma)"
  if (write || (k.remap.checkAfterPte && (vma.flags & VM_NONUNIFORM) !== 0)) {
    dirty = true;
    if (vma.flags & VM_WRITE) prot |= VM_WRITE;
  }
  scratch.prot = prot;
  scratch.dirty = dirty;
  return scratch;
}
