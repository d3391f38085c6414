// mm/filemap.c for a local disk file: filemap_nopage() in the three ->nopage forms of seed 004
// (body: 2.6.11 mm/filemap.c, without read-ahead), and filemap_populate() (2.6.11) for
// remap_file_pages().

import { EINVAL, ENOMEM, PAGE_SIZE } from '../sim/constants';
import type { Step } from '../sim/step';
import type { Task } from '../sim/task';

import { installFilePte, installPage } from './fremap';
import { installNopageResult } from './installNewPage';
import type { MmStruct } from './mmStruct';
import { PG_uptodate, type Page } from './page';
import { filemapGetpage, findGetPage, pageCacheRead, waitUptodate, ENOMEM_PAGE } from './pageCache';
import { NOPAGE_OOM, NOPAGE_SIGBUS, vmOpsByForm, type NopageResult } from './vmOps';
import type { Vma } from './vma';

/**
 * The body of filemap_nopage() (2.6.11 mm/filemap.c, without read-ahead; 2.5.70's has the same
 * labels): a referenced, uptodate page, or SIGBUS beyond i_size, or OOM. A page truncated while
 * the fault waited for its lock sends it back to retry_all, which finds the new i_size.
 */
function* filemapGetPageForFault(t: Task, vma: Vma, address: number, io: string): Generator<Step, NopageResult, void> {
  const file = vma.file!;
  const space = file.mapping(vma.mm.node);
  const pgoff = Math.floor((address - vma.start) / PAGE_SIZE) + vma.pgoff;
  for (;;) {
    // retry_all:
    if (t.objRead(file.sizeKey, -1, 'i_size_read')) yield t.step;
    // outside_data_content: "if (area->vm_mm == current->mm) return NULL;" (a ptracer falls through)
    if (pgoff >= file.size && vma.mm === t.mm) return NOPAGE_SIGBUS;
    let page: Page | null;
    for (;;) {
      // retry_find:
      page = yield* findGetPage(t, space, pgoff);
      if (page !== null) break;
      // no_cached_page: page_cache_read(); "if (error >= 0) goto retry_find;"
      const err = yield* pageCacheRead(t, space, pgoff, io);
      if (err === -ENOMEM) return NOPAGE_OOM;
      if (err < 0) return NOPAGE_SIGBUS;
    }
    if (page.test(PG_uptodate)) return page;
    // page_not_uptodate: lock_page(); "if (!page->mapping) { ...; goto retry_all; }"
    if ((yield* waitUptodate(t, space, page, io)) === 'ok') return page;
    t.kernel.alloc.put(page);
  }
}

/** 2.5.70: struct page *filemap_nopage(vma, address, unused) */
export function* filemapNopage(t: Task, vma: Vma, address: number): Generator<Step, NopageResult, void> {
  t.enter('filemap_nopage');
  const r = yield* filemapGetPageForFault(t, vma, address, '->readpage (disk I/O)');
  t.exit('filemap_nopage');
  return r;
}

/** -mm2: int filemap_nopage(mm, area, address, write_access, pmd) */
export function* filemapNopageInstall(t: Task, mm: MmStruct, vma: Vma, address: number, write: boolean): Generator<Step, number, void> {
  t.enter('filemap_nopage');
  const ret = yield* readAndInstall(t, mm, vma, address, write);
  t.exit('filemap_nopage');
  return ret;
}

/** -mm3: int filemap_nopage(mm, area, address, write_access, page_table, pmd): unlock first */
export function* filemapNopageHch(t: Task, mm: MmStruct, vma: Vma, address: number, write: boolean): Generator<Step, number, void> {
  t.enter('filemap_nopage');
  if (t.spinUnlock(mm.pageTableLock)) yield t.step; // pte_unmap(page_table); spin_unlock(&mm->page_table_lock);
  const ret = yield* readAndInstall(t, mm, vma, address, write);
  t.exit('filemap_nopage');
  return ret;
}

/** the body both converted versions share: find or read the page, then install_new_page() it */
function* readAndInstall(t: Task, mm: MmStruct, vma: Vma, address: number, write: boolean): Generator<Step, number, void> {
  const r = yield* filemapGetPageForFault(t, vma, address, '->readpage (disk I/O)');
  return yield* installNopageResult(t, mm, vma, address, write, r);
}

/** filemap_populate(vma, addr, len, prot, pgoff, nonblock) (2.6.11) */
export function* filemapPopulate(
  t: Task,
  vma: Vma,
  addr: number,
  len: number,
  prot: number,
  pgoff: number,
  nonblock: boolean,
): Generator<Step, number, void> {
  t.enter('filemap_populate');
  const file = vma.file!;
  const space = file.mapping(vma.mm.node);
  while (len > 0) {
    if (t.objRead(file.sizeKey, -1, 'i_size_read')) yield t.step;
    if (pgoff + 1 > file.size) {
      t.exit('filemap_populate', '-EINVAL');
      return -EINVAL;
    }
    const page = yield* filemapGetpage(t, space, pgoff, nonblock, '->readpage (disk I/O)');
    if (page === ENOMEM_PAGE || (page === null && !nonblock)) {
      t.exit('filemap_populate', '-ENOMEM');
      return -ENOMEM;
    }
    let err: number;
    if (page) {
      err = yield* installPage(t, vma.mm, vma, addr, page, prot);
      if (err) t.kernel.alloc.put(page);
    } else err = yield* installFilePte(t, vma.mm, vma, addr, pgoff, prot);
    if (err) {
      t.exit('filemap_populate', String(err));
      return err;
    }
    len -= PAGE_SIZE;
    addr += PAGE_SIZE;
    pgoff++;
  }
  t.exit('filemap_populate', '0');
  return 0;
}

/** generic_file_vm_ops in the form the fault variant defines */
export const filemapVmOps = vmOpsByForm('generic_file_vm_ops', {
  page: filemapNopage,
  install: filemapNopageInstall,
  hch: filemapNopageHch,
  populate: filemapPopulate,
});
