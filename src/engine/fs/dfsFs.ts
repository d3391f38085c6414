// A distributed filesystem's vm_ops. Its ->nopage takes the page's token shared (a network round
// trip, may sleep), finds the page in this node's page cache or fetches it from the backing store,
// and in the 2.5.70 form drops the token before returning the page: do_no_page() installs the pte
// later, unprotected. In the install_new_page forms it can keep the token across install_new_page()
// (FaultRules.dfsTokenAcrossInstall), which is what the patch was for.

import { installNewPage } from '../mm/installNewPage';
import type { MmStruct } from '../mm/mmStruct';
import { filemapGetpage, ENOMEM_PAGE } from '../mm/pageCache';
import { NOPAGE_OOM, NOPAGE_SIGBUS, vmOpsByForm, type NopageResult } from '../mm/vmOps';
import type { Vma } from '../mm/vma';
import { PAGE_SIZE, VM_FAULT_OOM, VM_FAULT_SIGBUS } from '../sim/constants';
import type { Step } from '../sim/step';
import type { Task } from '../sim/task';

function* dfsGetPage(t: Task, vma: Vma, address: number): Generator<Step, NopageResult, void> {
  const file = vma.file!;
  const space = file.mapping(vma.mm.node);
  const pgoff = Math.floor((address - vma.start) / PAGE_SIZE) + vma.pgoff;
  for (;;) {
    if (t.objRead(file.sizeKey, -1, 'i_size_read')) yield t.step;
    if (pgoff >= file.size) return NOPAGE_SIGBUS;
    const page = yield* filemapGetpage(t, space, pgoff, false, 'dfs: fetch page from the backing store (network)');
    if (page === ENOMEM_PAGE) return NOPAGE_OOM;
    // null: invalidated while we waited for its lock; look again, as filemap_nopage's retry_all
    if (page !== null) return page;
  }
}

function pgoffOf(vma: Vma, address: number): number {
  return Math.floor((address - vma.start) / PAGE_SIZE) + vma.pgoff;
}

/** 2.5.70 form: token held only while the page is looked up / fetched */
export function* dfsNopage(t: Task, vma: Vma, address: number): Generator<Step, NopageResult, void> {
  t.enter('dfs_nopage');
  const token = t.kernel.dfs.token(vma.file!.name, pgoffOf(vma, address));
  if (t.acquire(token, true)) yield t.step;
  const r = yield* dfsGetPage(t, vma, address);
  if (t.release(token, true)) yield t.step;
  t.exit('dfs_nopage');
  return r;
}

function* dfsNopageInstallBody(t: Task, mm: MmStruct, vma: Vma, address: number, write: boolean): Generator<Step, number, void> {
  const token = t.kernel.dfs.token(vma.file!.name, pgoffOf(vma, address));
  const across = t.kernel.fault.dfsTokenAcrossInstall;
  if (t.acquire(token, true)) yield t.step;
  const r = yield* dfsGetPage(t, vma, address);
  let ret: number;
  if (r === NOPAGE_SIGBUS || r === NOPAGE_OOM) {
    if (t.release(token, true)) yield t.step;
    ret = r === NOPAGE_SIGBUS ? VM_FAULT_SIGBUS : VM_FAULT_OOM;
  } else if (across) {
    // the invalidation of another node's write cannot run until the pte is installed
    ret = yield* installNewPage(t, mm, vma, address, write, r);
    if (t.release(token, true)) yield t.step;
  } else {
    if (t.release(token, true)) yield t.step;
    ret = yield* installNewPage(t, mm, vma, address, write, r);
  }
  return ret;
}

/** -mm2 form */
export function* dfsNopageInstall(t: Task, mm: MmStruct, vma: Vma, address: number, write: boolean): Generator<Step, number, void> {
  t.enter('dfs_nopage');
  const r = yield* dfsNopageInstallBody(t, mm, vma, address, write);
  t.exit('dfs_nopage');
  return r;
}

/** -mm3 form: entered with page_table_lock held */
export function* dfsNopageHch(t: Task, mm: MmStruct, vma: Vma, address: number, write: boolean): Generator<Step, number, void> {
  t.enter('dfs_nopage');
  if (t.spinUnlock(mm.pageTableLock)) yield t.step;
  const r = yield* dfsNopageInstallBody(t, mm, vma, address, write);
  t.exit('dfs_nopage');
  return r;
}

export const dfsVmOps = vmOpsByForm('dfs_file_vm_ops', { page: dfsNopage, install: dfsNopageInstall, hch: dfsNopageHch });
