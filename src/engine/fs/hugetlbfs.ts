// hugetlbfs (2.6.11 fs/hugetlbfs/inode.c; 2.5.70 and 2.6.0 noted where they differ): the file
// system whose files are mapped with huge pages. ->mmap prefaults the whole VMA from the file's page
// cache (huge-page indices), truncate (hugetlbfs_setattr -> hugetlb_vmtruncate) zaps the huge ptes
// beyond the new size in every mapping and drops the pages from the cache; a later access finds no
// pte and handle_mm_fault() gives VM_FAULT_SIGBUS. Nothing here faults a huge page in on demand:
// that is 2.6.16's hugetlb_fault().

import type { AddressSpace, File } from '../mm/addressSpace';
import { HPAGE_PAGES, HPAGE_SIZE, hugetlbPrefault, putCompoundPage, unmapHugepageRange } from '../mm/hugetlb';
import type { MmStruct } from '../mm/mmStruct';
import { PG_dirty, PG_uptodate, type Page } from '../mm/page';
import type { NopageResult, VmOperations } from '../mm/vmOps';
import type { Vma } from '../mm/vma';
import { EINVAL, ENOMEM, VM_MAYSHARE, VM_WRITE } from '../sim/constants';
import type { Step } from '../sim/step';
import type { Task } from '../sim/task';

/**
 * hugetlb_vm_ops (2.6.11 mm/hugetlb.c): ->nopage is hugetlb_nopage(), a BUG(): handle_mm_fault()
 * answers a fault in a hugetlb VMA before any ->nopage is reached.
 */
function* hugetlbNopage(t: Task): Generator<Step, never, void> {
  t.oops('hugetlb_nopage: BUG() (a fault in a hugetlb VMA reached ->nopage)');
}
const HUGETLB_VM_OPS: Record<VmOperations['form'], VmOperations> = {
  page: hugetlbOps('page'),
  install: hugetlbOps('install'),
  'install-hch': hugetlbOps('install-hch'),
};
function hugetlbOps(form: VmOperations['form']): VmOperations {
  const bug = (t: Task): Generator<Step, never, void> => hugetlbNopage(t);
  return {
    name: 'hugetlb',
    form,
    nopagePage: form === 'page' ? (t): Generator<Step, NopageResult, void> => bug(t) : undefined,
    nopageInstall: form === 'install' ? (t): Generator<Step, number, void> => bug(t) : undefined,
    nopageHch: form === 'install-hch' ? (t): Generator<Step, number, void> => bug(t) : undefined,
    names: () => ['nopage'],
  };
}
export function hugetlbVmOps(form: VmOperations['form']): VmOperations {
  return HUGETLB_VM_OPS[form];
}

/**
 * The part of do_mmap_pgoff() that refuses a hugetlbfs mapping before a VMA exists (2.6.11:
 * get_unmapped_area -> prepare_hugepage_range for MAP_FIXED, then hugetlbfs_file_mmap's first
 * checks): the range must be huge-page aligned and at least one huge page long; a private writable
 * mapping is refused (no COW of huge pages before 2.6.17; 2.5.70 and 2.6.0 accept it and share the
 * cache's pages); the file offset must be huge-page aligned (2.6.11; 2.5.70 and 2.6.0 do not check).
 * 0 or -EINVAL.
 */
export function hugetlbfsMmapChecks(addr: number, len: number, flags: number, pgoff: number): number {
  if (addr % HPAGE_SIZE !== 0 || len % HPAGE_SIZE !== 0 || len < HPAGE_SIZE) return -EINVAL;
  if ((flags & (VM_MAYSHARE | VM_WRITE)) === VM_WRITE) return -EINVAL;
  if (pgoff % HPAGE_PAGES !== 0) return -EINVAL;
  return 0;
}

/**
 * hugetlbfs_file_mmap(file, vma) (2.6.11 fs/hugetlbfs/inode.c) after the checks above, for a VMA
 * already marked VM_HUGETLB | VM_RESERVED; mmap_sem held for write. Under i_sem: a read-only
 * mapping may not reach beyond i_size (-ENOMEM; 2.5.70 and 2.6.0 let it and grow the file),
 * hugetlb_prefault() maps every huge page, and i_size grows to the end of the mapping. 0 or -errno.
 */
export function* hugetlbfsFileMmap(t: Task, mm: MmStruct, vma: Vma, file: File): Generator<Step, number, void> {
  t.enter('hugetlbfs_file_mmap');
  if (t.downWrite(file.iSem)) yield t.step;
  const len = vma.pages + vma.pgoff;
  if (t.objRead(file.sizeKey, -1, 'inode->i_size')) yield t.step;
  let ret = -ENOMEM;
  if ((vma.flags & VM_WRITE) !== 0 || len <= file.size) {
    ret = yield* hugetlbPrefault(t, mm, vma, file.mapping(mm.node));
    if (ret === 0 && file.size < len) {
      if (t.objWrite(file.sizeKey, -1, 'inode->i_size = len')) yield t.step;
      file.size = len;
      file.ensure(len);
    }
  }
  if (t.upWrite(file.iSem)) yield t.step;
  t.exit('hugetlbfs_file_mmap', String(ret));
  return ret;
}

/**
 * hugetlbfs_setattr(ATTR_SIZE) -> hugetlb_vmtruncate(inode, offset) (2.6.11 fs/hugetlbfs/inode.c),
 * under i_sem as do_truncate() takes it. `pages` is the new size in base pages: it must be a whole
 * number of huge pages (-EINVAL) and may not grow the file ("Expanding truncates are not allowed",
 * -EINVAL). i_size is set, every VMA mapping the file loses its huge ptes beyond it
 * (hugetlb_vmtruncate_list under the mapping lock of the era: 2.6.11's i_mmap_lock under the
 * object rmap rules, 2.5.70's and 2.6.0's i_shared_sem otherwise), then truncate_hugepages() drops
 * the pages from the cache.
 */
export function* hugetlbfsTruncate(t: Task, file: File, pages: number): Generator<Step, number, void> {
  t.enter('hugetlbfs_setattr');
  if (pages % HPAGE_PAGES !== 0) {
    t.exit('hugetlbfs_setattr', '-EINVAL');
    return -EINVAL;
  }
  if (t.downWrite(file.iSem)) yield t.step;
  t.enter('hugetlb_vmtruncate');
  if (t.objRead(file.sizeKey, -1, 'inode->i_size')) yield t.step;
  let ret = 0;
  if (pages > file.size) ret = -EINVAL;
  else {
    const spaces = file.spacesList();
    for (const s of spaces) s.invalidating++;
    if (t.objWrite(file.sizeKey, -1, 'inode->i_size = offset')) yield t.step;
    file.size = pages;
    const hPgoff = pages / HPAGE_PAGES;
    // 2.5.70 / 2.6.0: down(&mapping->i_shared_sem); 2.6.11: spin_lock(&mapping->i_mmap_lock)
    const objectRmap = t.kernel.alloc.objectRmap;
    for (const s of spaces) {
      const mlock = s.lock(objectRmap);
      if (t.acquire(mlock)) yield t.step;
      yield* hugetlbVmtruncateList(t, s, hPgoff);
      if (t.release(mlock)) yield t.step;
      yield* truncateHugepages(t, s, hPgoff);
    }
    for (const s of spaces) s.invalidating--;
  }
  t.exit('hugetlb_vmtruncate', String(ret));
  if (t.upWrite(file.iSem)) yield t.step;
  t.exit('hugetlbfs_setattr', String(ret));
  return ret;
}

/**
 * hugetlb_vmtruncate_list(root, h_pgoff) (2.6.11: h_vm_pgoff = vm_pgoff >> (HPAGE_SHIFT -
 * PAGE_SHIFT); 2.5.70 and 2.6.0 shift left, which only a mapping at a non-zero offset notices):
 * zap the huge ptes of each VMA from the truncation point to its end.
 */
function* hugetlbVmtruncateList(t: Task, space: AddressSpace, hPgoff: number): Generator<Step, void, void> {
  for (const vma of [...space.allMappings()]) {
    const hVmPgoff = Math.floor(vma.pgoff / HPAGE_PAGES);
    const vLength = vma.end - vma.start;
    // fully inside the truncation point: nothing to zap
    if (hVmPgoff + vLength / HPAGE_SIZE <= hPgoff) continue;
    const vOffset = hVmPgoff >= hPgoff ? 0 : (hPgoff - hVmPgoff) * HPAGE_SIZE;
    yield* unmapHugepageRange(t, vma, vma.start + vOffset, vma.end);
  }
}

/**
 * truncate_hugepages(mapping, lstart) (2.6.11 fs/hugetlbfs/inode.c): each cached huge page at or
 * beyond `start` (huge-page index) is locked, taken out of the cache (truncate_huge_page:
 * clear_page_dirty, ClearPageUptodate, remove_from_page_cache, put_page) and unlocked; the last
 * reference frees it (free_huge_page).
 */
function* truncateHugepages(t: Task, space: AddressSpace, start: number): Generator<Step, void, void> {
  t.enter('truncate_hugepages');
  const k = t.kernel;
  const idx = [...space.cache.keys()].filter((i) => i >= start).sort((a, b) => a - b);
  for (const i of idx) {
    // pagevec_lookup(): a reference for the pagevec
    if (t.objRead(space.slotKey, i, 'pagevec_lookup')) yield t.step;
    const page = space.cache.get(i);
    if (!page) continue;
    k.alloc.get(page);
    if (t.lockPage(page)) yield t.step;
    if (t.objWrite(space.slotKey, i, 'truncate_huge_page')) yield t.step;
    if (page.mapping === space) removeHugePage(t, page, space);
    if (t.unlockPage(page)) yield t.step;
    putCompoundPage(k, page); // huge_pagevec_release()
  }
  t.exit('truncate_hugepages');
}

/** truncate_huge_page(): out of the cache, and the cache's reference dropped */
function removeHugePage(t: Task, page: Page, space: AddressSpace): void {
  page.clearFlags(PG_dirty | PG_uptodate);
  if (space.cache.get(page.index) === page) space.cache.delete(page.index);
  page.mapping = null;
  if (page.mapcount > 0 && t.tracing)
    t.emit('note', `${space.name} huge page ${page.index} still mapped ${page.mapcount} time(s) while truncated`);
  putCompoundPage(t.kernel, page);
}
