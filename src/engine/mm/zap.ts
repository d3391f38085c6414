// zap_page_range / unmap_page_range: tear down the ptes of a range under page_table_lock,
// dropping the references and rmap entries the ptes held.

import { PAGE_SIZE, VM_NONLINEAR, VM_NONUNIFORM } from '../sim/constants';
import type { Step } from '../sim/step';
import type { Task } from '../sim/task';

import { PTE_FILE, PTE_NONE, PTE_PRESENT, PTE_SWAP } from './pageTable';
import { pageRemoveRmap } from './rmap';
import { setPageDirty } from './setPageDirty';
import { flushTlbPage, tlbFinishMmu, tlbGatherMmu, tlbRemovePage, type MmuGather } from './tlb';
import type { Vma } from './vma';

/** struct zap_details (2.6): restrict the zap to pages of one mapping within an index range */
export interface ZapDetails {
  firstIndex: number;
  lastIndex: number;
  /** keep a file pte in a nonlinear VMA instead of clearing (so a later fault refinds the offset) */
  nonlinear: boolean;
  /** only zap pages that belong to this address space (not COWed anonymous copies) */
  checkMapping: unknown;
}

/** zap the ptes of [start, end) of `vma`; the caller does NOT hold page_table_lock */
export function* zapPageRange(
  t: Task,
  vma: Vma,
  start: number,
  end: number,
  details: ZapDetails | null = null,
): Generator<Step, number, void> {
  const mm = vma.mm;
  t.enter('zap_page_range');
  if (t.spinLock(mm.pageTableLock)) yield t.step;
  const tlb = tlbGatherMmu(t, mm);
  const n = yield* zapPteRange(t, vma, start, end, details, tlb);
  yield* tlbFinishMmu(t, tlb, start, end);
  if (t.spinUnlock(mm.pageTableLock)) yield t.step;
  t.exit('zap_page_range', String(n));
  return n;
}

/** the pte loop of zap_page_range; page_table_lock held. Returns the number of ptes torn down. The
 * pages go to the mmu_gather (freed after the TLB flush); without one they are released at once. */
export function* zapPteRange(
  t: Task,
  vma: Vma,
  start: number,
  end: number,
  details: ZapDetails | null,
  tlb: MmuGather | null = null,
): Generator<Step, number, void> {
  const mm = vma.mm;
  const pt = mm.pt;
  const k = t.kernel;
  let n = 0;
  for (let addr = start; addr < end; addr += PAGE_SIZE) {
    if (!pt.hasTable(addr)) {
      // skip to the next pte table
      const tableSpan = 512 * PAGE_SIZE;
      addr = Math.floor(addr / tableSpan) * tableSpan + tableSpan - PAGE_SIZE;
      continue;
    }
    const kind = pt.kind(addr);
    if (kind === PTE_NONE) continue;
    if (kind === PTE_PRESENT) {
      const page = k.alloc.byPfn(pt.val(addr))!;
      if (details) {
        if (details.checkMapping && page.mapping !== details.checkMapping) continue;
        if (page.index < details.firstIndex || page.index > details.lastIndex) continue;
      }
      if (t.pteWrite(mm, addr, 'ptep_get_and_clear')) yield t.step;
      const pte = pt.get(addr);
      if (pte === null || pte.kind !== PTE_PRESENT) continue;
      const keepFile = details !== null && details.nonlinear && (vma.flags & VM_NONLINEAR) !== 0 && vma.linearIndex(addr) !== page.index;
      if (keepFile) pt.setFile(addr, page.index, vma.flags & VM_NONUNIFORM && k.remap.protInFilePte ? pte.prot : -1);
      else pt.clear(addr);
      if (!page.reserved) {
        if (pte.dirty) setPageDirty(t, page, true);
        pageRemoveRmap(page, mm, addr);
        mm.rss--;
        if (tlb !== null) tlbRemovePage(t, tlb, page);
        else {
          flushTlbPage(t, mm, addr);
          k.alloc.put(page);
        }
        if (t.tracing) t.emit('ref', `put_page pfn ${page.pfn} -> ${page.count}`);
      }
      if (t.tracing) t.emit('pte', `clear 0x${addr.toString(16)} (pfn ${page.pfn})`);
      n++;
    } else {
      if (details) continue; // invalidation leaves swap and file ptes alone
      if (t.pteWrite(mm, addr, 'pte_clear')) yield t.step;
      if (kind === PTE_SWAP) k.swap.free(pt.val(addr));
      pt.clear(addr);
      if (t.tracing) t.emit('pte', `clear ${kind === PTE_FILE ? 'file' : 'swap'} pte 0x${addr.toString(16)}`);
      n++;
    }
  }
  return n;
}
