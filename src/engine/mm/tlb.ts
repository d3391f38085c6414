// Per-CPU TLBs and the mmu_gather (2.6.11 include/asm-generic/tlb.h, the i386 flush_tlb_* calls).
// Only worlds that name CPUs have TLBs (Kernel.tlb); elsewhere every helper here is a no-op.
//
// A user access on a CPU first looks in that CPU's TLB: a hit uses the cached translation without
// reading the pte, a miss walks the page table and caches what it found. So a pte that is cleared or
// downgraded must be flushed from every TLB before the page it mapped is freed or reused: that is
// what the mmu_gather does for zap_page_range (tlb_remove_page() collects the pages, tlb_finish_mmu()
// flushes, then frees them) and what ptep_clear_flush / flush_tlb_page do elsewhere. The tlb-stale
// invariant is checked where a page is freed (__free_pages): no TLB may still map it.

import { PAGE_SIZE, hex } from '../sim/constants';
import type { Kernel } from '../sim/kernel';
import { footprint, touchRead, type Step } from '../sim/step';
import type { Task } from '../sim/task';

import type { MmStruct } from './mmStruct';
import type { Page } from './page';

export interface TlbEntry {
  mm: MmStruct;
  addr: number;
  pfn: number;
  write: boolean;
}

/** footprint key of one CPU's entry for a page of an mm, "tlb:A/0x10000@cpu0"; a flush of the page on
 * every CPU writes "tlb:A/0x10000@*", of the whole mm "tlb:A/*" (see Footprint in step.ts) */
export function tlbKey(mm: MmStruct, addr: number, cpu: string): string {
  return `tlb:${mm.name}/0x${(addr - (addr % PAGE_SIZE)).toString(16)}@${cpu}`;
}

export class Tlb {
  /** cpu -> "mm/page address" -> entry */
  readonly cpus = new Map<string, Map<string, TlbEntry>>();
  constructor(names: readonly string[]) {
    for (const n of names) this.cpus.set(n, new Map());
  }
  private static key(mm: MmStruct, addr: number): string {
    return `${mm.name}/${addr - (addr % PAGE_SIZE)}`;
  }
  lookup(cpu: string, mm: MmStruct, addr: number): TlbEntry | undefined {
    return this.cpus.get(cpu)?.get(Tlb.key(mm, addr));
  }
  fill(cpu: string, mm: MmStruct, addr: number, pfn: number, write: boolean): void {
    if (footprint.on) footprint.writes.push(tlbKey(mm, addr, cpu));
    const page = addr - (addr % PAGE_SIZE);
    this.cpus.get(cpu)?.set(Tlb.key(mm, addr), { mm, addr: page, pfn, write });
  }
  /** flush_tlb_page() on every CPU */
  flushPage(mm: MmStruct, addr: number): void {
    if (footprint.on) footprint.writes.push(tlbKey(mm, addr, '*'));
    const key = Tlb.key(mm, addr);
    for (const m of this.cpus.values()) m.delete(key);
  }
  /** flush_tlb_mm() / flush_tlb_range(): every entry of the mm in [start, end) */
  flushRange(mm: MmStruct, start = 0, end = Infinity): void {
    if (footprint.on) footprint.writes.push(`tlb:${mm.name}/*`);
    for (const m of this.cpus.values()) for (const [key, e] of m) if (e.mm === mm && e.addr >= start && e.addr < end) m.delete(key);
  }
  /** the entries that map a pfn */
  mapping(pfn: number): { cpu: string; e: TlbEntry }[] {
    touchRead('tlb:*');
    const out: { cpu: string; e: TlbEntry }[] = [];
    for (const [cpu, m] of this.cpus) for (const e of m.values()) if (e.pfn === pfn) out.push({ cpu, e });
    return out;
  }
  /** compact state for the state hash */
  state(): string {
    const out: string[] = [];
    for (const [cpu, m] of this.cpus) for (const [key, e] of m) out.push(`${cpu}:${key}:${e.pfn}:${+e.write}`);
    return out.sort().join(',');
  }
}

/** the tlb-stale check at __free_pages: installed by the Kernel when it has TLBs */
export function checkFreedTlb(k: Kernel, page: Page): void {
  const tlb = k.tlb;
  if (tlb === null) return;
  const stale = tlb.mapping(page.pfn);
  if (stale.length === 0) return;
  const where = stale.map(({ cpu, e }) => `${cpu}: ${e.mm.name} ${hex(e.addr)}`).join(', ');
  k.recordViolation(
    'tlb-stale',
    `pfn ${page.pfn} freed while a TLB still maps it (${where}): the flush must come before the free`,
    k.current,
    '__free_pages',
  );
}

/** flush_tlb_page(vma, address) (a no-op without TLBs) */
export function flushTlbPage(t: Task, mm: MmStruct, addr: number): void {
  const tlb = t.kernel.tlb;
  if (tlb === null) return;
  tlb.flushPage(mm, addr);
  if (t.tracing) t.emit('note', `flush_tlb_page(${mm.name} ${hex(addr)})`);
}

/** flush_tlb_range(vma, start, end) / flush_tlb_mm(mm) */
export function flushTlbRange(t: Task, mm: MmStruct, start = 0, end = Infinity): void {
  const tlb = t.kernel.tlb;
  if (tlb === null) return;
  tlb.flushRange(mm, start, end);
  if (t.tracing) t.emit('note', end === Infinity ? `flush_tlb_mm(${mm.name})` : `flush_tlb_range(${mm.name} ${hex(start)}-${hex(end)})`);
}

/**
 * struct mmu_gather: the pages a zap took off their ptes, freed only after the TLB flush. Without
 * TLBs (one CPU: "fast mode") tlb_remove_page() frees at once, as the kernel does.
 */
export class MmuGather {
  readonly pages: Page[] = [];
  needFlush = false;
  constructor(
    readonly mm: MmStruct,
    readonly fast: boolean,
  ) {}
}

/** tlb_gather_mmu(mm, full_mm_flush) */
export function tlbGatherMmu(t: Task, mm: MmStruct): MmuGather {
  return new MmuGather(mm, t.kernel.tlb === null);
}

/** tlb_remove_page(tlb, page): the pte's reference, dropped now (fast mode) or after the flush */
export function tlbRemovePage(t: Task, tlb: MmuGather, page: Page): void {
  tlb.needFlush = true;
  if (tlb.fast) t.kernel.alloc.put(page);
  else tlb.pages.push(page);
}

/**
 * tlb_finish_mmu(tlb, start, end) -> tlb_flush_mmu(): flush the TLBs (an IPI to the other CPUs),
 * then free_pages_and_swap_cache(). The 'free-before-flush' mutation swaps the two.
 */
export function* tlbFinishMmu(t: Task, tlb: MmuGather, start: number, end: number): Generator<Step, void, void> {
  if (!tlb.needFlush || tlb.fast) return;
  const k = t.kernel;
  const free = () => {
    for (const p of tlb.pages) k.alloc.put(p);
    tlb.pages.length = 0;
  };
  if (k.mutation.freeBeforeFlush) free();
  // tlb_flush(): flush_tlb_mm, IPIs to the CPUs that run the mm
  if (t.objWrite(`tlb:${tlb.mm.name}/*`, -1, 'tlb_flush: flush_tlb_mm (IPI to every CPU)')) yield t.step;
  flushTlbRange(t, tlb.mm, start, end);
  tlb.needFlush = false;
  free();
}
