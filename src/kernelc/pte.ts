// pte_t values and the pointers the fault path passes around (pte_t *, pmd_t *), over the engine's
// PageTable. A pte value is one number: the entry's flag byte (kind, protection, dirty, young, as
// the PageTable stores it) plus 256 times its pfn, file offset or swap slot, so a value read into a
// local is hashable and comparable (pte_same) like the kernel's pte_low.

import type { MmStruct } from '../engine/mm/mmStruct';
import { PageTable, PTE_DIRTY, PTE_KIND_MASK, PTE_NONE, PTE_PRESENT, PTE_PROT_SHIFT, PTE_YOUNG } from '../engine/mm/pageTable';
import { VM_WRITE } from '../engine/sim/constants';

const PROT_VALID = 0x80;

export const pteBits = (e: number): number => e % 256;
export const pteVal = (e: number): number => Math.floor(e / 256);
export const pteKind = (e: number): number => (e % 256) & PTE_KIND_MASK;
export const pteProt = (e: number): number => ((e % 256) >> PTE_PROT_SHIFT) & 7;
export const withBits = (e: number, bits: number): number => pteVal(e) * 256 + bits;

export function mkPte(pfn: number, prot: number): number {
  // i386 protections carry _PAGE_ACCESSED: a new pte is young
  return pfn * 256 + (PTE_PRESENT | (prot << PTE_PROT_SHIFT) | PTE_YOUNG);
}
export const pteMkdirty = (e: number): number => withBits(e, pteBits(e) | PTE_DIRTY);
export const pteMkyoung = (e: number): number => withBits(e, pteBits(e) | PTE_YOUNG);
export const pteWrprotect = (e: number): number => withBits(e, pteBits(e) & ~(VM_WRITE << PTE_PROT_SHIFT));
export const pteMkwrite = (e: number): number => withBits(e, pteBits(e) | (VM_WRITE << PTE_PROT_SHIFT));

/** *ptep: the entry as a value */
export function readPte(mm: MmStruct, addr: number): number {
  const t = mm.pt.lookup(addr);
  if (t === undefined) return 0;
  const i = PageTable.slot(addr);
  return t.val[i] * 256 + t.bits[i];
}

/** set_pte(ptep, e) */
export function writePte(mm: MmStruct, addr: number, e: number): void {
  const bits = pteBits(e);
  const kind = bits & PTE_KIND_MASK;
  const prot = (bits >> PTE_PROT_SHIFT) & 7;
  const pt = mm.pt;
  if (kind === PTE_NONE) pt.clear(addr);
  else if (kind === PTE_PRESENT) pt.setPresent(addr, pteVal(e), prot, (bits & PTE_DIRTY) !== 0, (bits & PTE_YOUNG) !== 0);
  else if (kind === 2) pt.setSwap(addr, pteVal(e), bits & PROT_VALID ? prot : -1);
  else pt.setFile(addr, pteVal(e), bits & PROT_VALID ? prot : -1);
}

/** pte_t *: one entry of an mm's page tables (the address as the fault path passed it) */
export class PtePtr {
  constructor(
    readonly mm: MmStruct,
    readonly addr: number,
  ) {}
  stateKey(): string {
    return `pte@${this.addr.toString(16)}`;
  }
}

/** pgd_t * / pud_t * / pmd_t *: the upper levels, only ever passed on to the next lookup */
export class PmdPtr {
  constructor(
    readonly mm: MmStruct,
    readonly addr: number,
    readonly level: 'pgd' | 'pud' | 'pmd',
  ) {}
  stateKey(): string {
    return `${this.level}@${this.addr.toString(16)}`;
  }
}
