// Building a new present pte for a faulted page: mk_pte(page, vma->vm_page_prot), pte_mkdirty and,
// for write faults, the fault variant's era: pte_mkwrite() (2.5.70, 2.6.0: writable whatever the
// VMA says) or maybe_mkwrite() (2.6.11: only with VM_WRITE); seed 002's VM_NONUNIFORM line
// (2.6.13) always uses maybe_mkwrite().

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
  const nonuniform = k.remap.checkAfterPte && (vma.flags & VM_NONUNIFORM) !== 0;
  if (write && !nonuniform && k.fault.mkwrite === 'pte_mkwrite') {
    // "if (write_access) entry = pte_mkwrite(pte_mkdirty(entry));"
    dirty = true;
    prot |= VM_WRITE;
  } else if (write || nonuniform) {
    // "if (write_access || unlikely(vma->vm_flags & VM_NONUNIFORM)) entry = maybe_mkwrite(pte_mkdirty(entry), vma)"
    dirty = true;
    if (vma.flags & VM_WRITE) prot |= VM_WRITE;
  }
  scratch.prot = prot;
  scratch.dirty = dirty;
  return scratch;
}
