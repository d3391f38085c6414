// mm/shmem.c: shmem_nopage() (tmpfs files and MAP_SHARED anonymous memory) in the three ->nopage
// forms. shmem_getpage() finds the page in the cache or allocates a zeroed one (no disk I/O).

import type { Task } from './task';
import type { Step } from './step';
import type { Vma } from './vma';
import type { MmStruct } from './mmStruct';
import type { VmOperations, NopageResult } from './vmOps';
import { NOPAGE_OOM, NOPAGE_SIGBUS } from './vmOps';
import { PAGE_SIZE, VM_FAULT_OOM, VM_FAULT_SIGBUS } from './constants';
import { installNewPage } from './installNewPage';
import { PG_lru, PG_uptodate, type Page } from './page';

/** shmem_getpage(inode, idx, &page, SGP_CACHE) */
function* shmemGetpage(t: Task, vma: Vma, address: number): Generator<Step, NopageResult, void> {
  const file = vma.file!;
  const space = file.mapping(null);
  const idx = Math.floor((address - vma.start) / PAGE_SIZE) + vma.pgoff;
  if (t.objRead(file.sizeKey, -1, 'i_size_read')) yield t.step;
  if (idx >= file.size) return NOPAGE_SIGBUS;
  const k = t.kernel;
  for (;;) {
    if (t.objRead(space.slotKey, idx, 'find_lock_page')) yield t.step;
    const cached = space.cache.get(idx);
    if (cached) {
      k.alloc.get(cached);
      return cached;
    }
    if (t.sleep('shmem_alloc_page(GFP_HIGHUSER)')) yield t.step;
    const page = k.alloc.alloc();
    if (!page) return NOPAGE_OOM;
    if (t.objWrite(space.slotKey, idx, 'add_to_page_cache')) yield t.step;
    if (space.cache.has(idx)) {
      k.alloc.put(page);
      continue;
    }
    page.mapping = space;
    page.index = idx;
    page.version = file.version(idx);
    page.flags |= PG_lru | PG_uptodate;
    space.cache.set(idx, page);
    k.alloc.get(page);
    return page;
  }
}

export function* shmemNopage(t: Task, vma: Vma, address: number): Generator<Step, NopageResult, void> {
  t.enter('shmem_nopage');
  const r = yield* shmemGetpage(t, vma, address);
  t.exit('shmem_nopage');
  return r;
}

export function* shmemNopageInstall(t: Task, mm: MmStruct, vma: Vma, address: number, write: boolean): Generator<Step, number, void> {
  t.enter('shmem_nopage');
  const r = yield* shmemGetpage(t, vma, address);
  const ret = r === NOPAGE_SIGBUS ? VM_FAULT_SIGBUS : r === NOPAGE_OOM ? VM_FAULT_OOM : yield* installNewPage(t, mm, vma, address, write, r as Page);
  t.exit('shmem_nopage');
  return ret;
}

export function* shmemNopageHch(t: Task, mm: MmStruct, vma: Vma, address: number, write: boolean): Generator<Step, number, void> {
  t.enter('shmem_nopage');
  if (t.spinUnlock(mm.pageTableLock)) yield t.step;
  const r = yield* shmemGetpage(t, vma, address);
  const ret = r === NOPAGE_SIGBUS ? VM_FAULT_SIGBUS : r === NOPAGE_OOM ? VM_FAULT_OOM : yield* installNewPage(t, mm, vma, address, write, r as Page);
  t.exit('shmem_nopage');
  return ret;
}

const cache = new Map<string, VmOperations>();

export function shmemVmOps(form: VmOperations['form']): VmOperations {
  let ops = cache.get(form);
  if (!ops) {
    ops = {
      name: 'shmem_vm_ops',
      form,
      nopagePage: form === 'page' ? shmemNopage : undefined,
      nopageInstall: form === 'install' ? shmemNopageInstall : undefined,
      nopageHch: form === 'install-hch' ? shmemNopageHch : undefined,
      names: () => ['nopage'],
    };
    cache.set(form, ops);
  }
  return ops;
}
