// mm/fremap.c: install_page(), install_file_pte() and sys_remap_file_pages() in the two variants
// of seed 002 ('2.6.13': prot must be 0; 'nonuniform': per-page protections with MAP_NOINHERIT).

import { EINVAL, ENOMEM, PAGE_SIZE, VM_ACCESS_MASK, VM_NONLINEAR, VM_NONUNIFORM, VM_RESERVED, VM_SHARED } from '../sim/constants';
import { touchWrite, type Step } from '../sim/step';
import type { Task } from '../sim/task';

import type { MmStruct } from './mmStruct';
import type { Page } from './page';
import { PTE_NONE, PTE_PRESENT, PTE_SWAP } from './pageTable';
import { pageAddRmap, pageRemoveRmap } from './rmap';
import { setPageDirty } from './setPageDirty';
import { flushTlbPage } from './tlb';
import type { Vma } from './vma';

/** zap_pte(): release whatever the pte held; page_table_lock held */
function* zapPte(t: Task, mm: MmStruct, addr: number): Generator<Step, void, void> {
  const pt = mm.pt;
  const kind = pt.kind(addr);
  if (kind === PTE_NONE) return;
  if (t.pteWrite(mm, addr, 'ptep_clear_flush')) yield t.step;
  if (kind === PTE_PRESENT) {
    const page = t.kernel.alloc.byPfn(pt.val(addr))!;
    const dirty = pt.get(addr)!.dirty;
    pt.clear(addr);
    flushTlbPage(t, mm, addr);
    if (!page.reserved) {
      if (dirty) setPageDirty(t, page, true);
      pageRemoveRmap(page, mm, addr);
      t.kernel.alloc.put(page);
      mm.rss--;
    }
  } else {
    if (kind === PTE_SWAP) t.kernel.swap.free(pt.val(addr));
    pt.clear(addr);
  }
}

function* ptlAndTable(t: Task, mm: MmStruct, addr: number): Generator<Step, void, void> {
  if (t.spinLock(mm.pageTableLock)) yield t.step;
  if (!mm.pt.hasTable(addr)) mm.pt.allocTable(addr);
}

/** install_page(mm, vma, addr, page, prot): the page reference becomes the pte's */
export function* installPage(t: Task, mm: MmStruct, vma: Vma, addr: number, page: Page, prot: number): Generator<Step, number, void> {
  t.enter('install_page');
  yield* ptlAndTable(t, mm, addr);
  // "This page may have been truncated. Tell the caller about it."
  const file = vma.file!;
  if (!page.mapping || page.index >= file.size) {
    if (t.spinUnlock(mm.pageTableLock)) yield t.step;
    t.exit('install_page', '-EINVAL');
    return -EINVAL;
  }
  yield* zapPte(t, mm, addr);
  mm.rss++;
  if (t.pteWrite(mm, addr, 'set_pte(mk_pte(page, prot))')) yield t.step;
  mm.pt.setPresent(addr, page.pfn, prot, false);
  pageAddRmap(page, mm, addr);
  if (t.tracing) t.emit('pte', `0x${addr.toString(16)} -> pfn ${page.pfn} (${page.mapping.name} page ${page.index}, prot ${prot})`);
  if (t.spinUnlock(mm.pageTableLock)) yield t.step;
  t.exit('install_page', '0');
  return 0;
}

/** install_file_pte(mm, vma, addr, pgoff, prot): the protection is encoded only where the rules say */
export function* installFilePte(t: Task, mm: MmStruct, vma: Vma, addr: number, pgoff: number, prot: number): Generator<Step, number, void> {
  t.enter('install_file_pte');
  yield* ptlAndTable(t, mm, addr);
  yield* zapPte(t, mm, addr);
  if (t.pteWrite(mm, addr, 'set_pte(pgoff_prot_to_pte)')) yield t.step;
  const withProt = t.kernel.remap.protInFilePte && (vma.flags & VM_NONUNIFORM) !== 0;
  mm.pt.setFile(addr, pgoff, withProt ? prot : -1);
  if (t.spinUnlock(mm.pageTableLock)) yield t.step;
  t.exit('install_file_pte', '0');
  return 0;
}

/**
 * sys_remap_file_pages(start, size, prot, pgoff, flags). `prot` is PROT_* bits (0 = none given),
 * `noinherit` is MAP_NOINHERIT (seed 002's new interface).
 */
export function* sysRemapFilePages(
  t: Task,
  mm: MmStruct,
  start: number,
  size: number,
  prot: number,
  pgoff: number,
  noinherit: boolean,
  nonblock: boolean,
): Generator<Step, number, void> {
  t.enter('sys_remap_file_pages');
  const rules = t.kernel.remap;
  const perPage = rules.perPageProt && noinherit;
  // 2.6.13: "if (__prot) return err;" -- the series accepts prot only through MAP_NOINHERIT
  if (prot && !perPage) {
    t.exit('sys_remap_file_pages', '-EINVAL');
    return -EINVAL;
  }
  start = start - (start % PAGE_SIZE);
  size = size - (size % PAGE_SIZE);
  const end = start + size;
  if (end <= start) {
    t.exit('sys_remap_file_pages', '-EINVAL');
    return -EINVAL;
  }
  let err = -EINVAL;
  let writeLock = false;
  if (t.downRead(mm.mmapSem)) yield t.step;
  for (;;) {
    const vma = mm.vmas.find(start);
    if (
      vma &&
      vma.flags & VM_SHARED &&
      (!vma.privateData || vma.flags & (VM_NONLINEAR | VM_RESERVED)) &&
      vma.ops?.populate &&
      vma.start <= start &&
      end <= vma.end
    ) {
      const pgprot = perPage ? prot : vma.pageProt;
      const needNonlinear = pgoff !== vma.linearIndex(start) && !(vma.flags & VM_NONLINEAR);
      const needNonuniform = perPage && (prot & VM_ACCESS_MASK) !== (vma.flags & VM_ACCESS_MASK) && !(vma.flags & VM_NONUNIFORM);
      if (needNonlinear || needNonuniform) {
        // "We need down_write() to change vma->vm_flags."
        if (!writeLock) {
          if (t.upRead(mm.mmapSem)) yield t.step;
          if (t.downWrite(mm.mmapSem)) yield t.step;
          writeLock = true;
          continue;
        }
        const space = vma.file!.mapping(mm.node);
        // 2.6.11 mm/fremap.c: spin_lock(&mapping->i_mmap_lock); 2.5: i_shared_sem
        const mlock = space.lock(t.kernel.alloc.objectRmap);
        if (t.acquire(mlock)) yield t.step;
        // patch 11: VM_NONUNIFORM VMAs are also VM_NONLINEAR, so swap-out encodes file ptes
        vma.flags |= VM_NONLINEAR | (needNonuniform ? VM_NONUNIFORM : 0);
        space.makeNonlinear(vma);
        if (t.release(mlock)) yield t.step;
      }
      err = yield* vma.ops.populate(t, vma, start, size, pgprot, pgoff, nonblock);
      if (err === 0) {
        // what user space now expects of these pages: the given protection, or without
        // MAP_NOINHERIT the VMA's own
        if (perPage) {
          touchWrite(mm.vmasKey);
          for (let a = start; a < end; a += PAGE_SIZE) mm.promisedProt.set(a / PAGE_SIZE, prot & VM_ACCESS_MASK);
        } else mm.clearPromise(start, end);
      }
    }
    break;
  }
  if (writeLock) {
    if (t.upWrite(mm.mmapSem)) yield t.step;
  } else if (t.upRead(mm.mmapSem)) yield t.step;
  t.exit('sys_remap_file_pages', String(err));
  return err === -ENOMEM ? -ENOMEM : err;
}
