// MachineSnapshot of the kernel state (for views, the CLI and tests).

import { HPAGE_PAGES, HPAGE_SIZE } from '../mm/hugetlb';
import { PageTable, PTE_FILE, PTE_PRESENT, PTE_SWAP } from '../mm/pageTable';

import { protString, VM_HUGETLB, vmFlagNames } from './constants';
import type { Kernel } from './kernel';
import type { MachineSnapshot, PteSnapshot, TlbEntrySnapshot } from './spec';

/** a snapshot lists the backing-store versions of this many pages of a file at most */
const SNAPSHOT_VERSIONS = 4096;

/** the TLB entries of one mm, by CPU then address */
function tlbOf(k: Kernel, mm: string): TlbEntrySnapshot[] {
  const out: TlbEntrySnapshot[] = [];
  for (const [cpu, m] of k.tlb!.cpus)
    for (const e of m.values()) if (e.mm.name === mm) out.push({ cpu, addr: e.addr, pfn: e.pfn, write: e.write });
  return out.sort((a, b) => a.cpu.localeCompare(b.cpu) || a.addr - b.addr);
}

export function takeSnapshot(k: Kernel): MachineSnapshot {
  const mms = [...k.mms.values()].map((mm) => {
    const ptes: PteSnapshot[] = [];
    // VMAs walked alongside the ptes (both in address order): a hugetlb VMA's huge pte is one entry
    let v = mm.vmas.head;
    for (const [addr, p] of mm.pt.entries()) {
      while (v !== null && v.end <= addr) v = v.next;
      const huge = v !== null && v.start <= addr && (v.flags & VM_HUGETLB) !== 0 && p.kind === PTE_PRESENT;
      if (huge && addr % HPAGE_SIZE !== 0) continue;
      const [pgd, pmd, pte] = PageTable.indices(addr);
      const s: PteSnapshot = { addr, pgd, pmd, pte, kind: p.kind === PTE_PRESENT ? 'present' : p.kind === PTE_SWAP ? 'swap' : 'file' };
      if (huge) {
        s.huge = true;
        s.pages = HPAGE_PAGES;
      }
      if (p.kind === PTE_PRESENT) {
        s.pfn = p.val;
        s.prot = protString(p.prot);
        s.dirty = p.dirty;
        s.young = p.young;
      } else if (p.kind === PTE_FILE) {
        s.pgoff = p.val;
        if (p.protValid) s.prot = protString(p.prot);
      } else {
        s.swapSlot = p.val;
        if (p.protValid) s.prot = protString(p.prot);
      }
      ptes.push(s);
    }
    return {
      name: mm.name,
      rss: mm.rss,
      mapCount: mm.mapCount,
      vmas: [...mm.vmas].map((v) => ({
        start: v.start,
        end: v.end,
        flags: vmFlagNames(v.flags),
        prot: protString(v.flags),
        pgoff: v.pgoff,
        file: v.file?.name,
        ops: v.ops ? v.ops.names() : [],
      })),
      ptes,
      ...(k.tlb !== null ? { tlb: tlbOf(k, mm.name) } : {}),
    };
  });
  const pages = [...k.alloc.pages()]
    .filter((p) => !p.free)
    .map((p) => ({
      pfn: p.pfn,
      count: p.count,
      mapcount: p.mapcount,
      pins: p.pins,
      flags: p.flagNames(),
      ...(p.mapping ? { file: p.mapping.name, index: p.index, version: p.version } : {}),
    }));
  const files: MachineSnapshot['files'] = [];
  for (const f of k.files.values()) {
    const spaces = f.spacesList();
    if (spaces.length === 0) files.push({ name: f.name, size: f.size, cached: [], versions: f.versionList(SNAPSHOT_VERSIONS) });
    for (const s of spaces)
      files.push({
        name: s.name,
        size: f.size,
        cached: [...s.cache.keys()].sort((a, b) => a - b),
        versions: f.versionList(SNAPSHOT_VERSIONS),
      });
  }
  return { mms, pages, files, counters: Object.fromEntries([...k.counters].sort((a, b) => a[0].localeCompare(b[0]))) };
}
