// mm/shmem.c: shmem_nopage() (tmpfs files and MAP_SHARED anonymous memory) in the three ->nopage
// forms. shmem_getpage() finds the page in the cache or allocates a zeroed one (no disk I/O).

import { installNopageResult } from '../mm/installNewPage';
import type { MmStruct } from '../mm/mmStruct';
import { PG_lru, PG_uptodate } from '../mm/page';
import { NOPAGE_OOM, NOPAGE_SIGBUS, vmOpsByForm, type NopageResult } from '../mm/vmOps';
import type { Vma } from '../mm/vma';
import { PAGE_SIZE } from '../sim/constants';
import type { Step } from '../sim/step';
import type { Task } from '../sim/task';

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
    page.setFlags(PG_lru | PG_uptodate);
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
  const ret = yield* installNopageResult(t, mm, vma, address, write, yield* shmemGetpage(t, vma, address));
  t.exit('shmem_nopage');
  return ret;
}

/** -mm3: entered with page_table_lock held */
export function* shmemNopageHch(t: Task, mm: MmStruct, vma: Vma, address: number, write: boolean): Generator<Step, number, void> {
  t.enter('shmem_nopage');
  if (t.spinUnlock(mm.pageTableLock)) yield t.step;
  const ret = yield* installNopageResult(t, mm, vma, address, write, yield* shmemGetpage(t, vma, address));
  t.exit('shmem_nopage');
  return ret;
}

export const shmemVmOps = vmOpsByForm('shmem_vm_ops', { page: shmemNopage, install: shmemNopageInstall, hch: shmemNopageHch });
