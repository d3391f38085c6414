// get_user_pages() of Linux 2.5.46 (mm/memory.c), the 'gup-2.5.46' variant.

import type { Task } from '../sim/task';
import type { Step } from '../sim/step';
import type { MmStruct } from './mmStruct';
import type { Vma } from './vma';
import type { Page } from './page';
import { EFAULT, ENOMEM, PAGE_SIZE, VM_FAULT_MAJOR, VM_FAULT_MINOR, VM_FAULT_OOM, VM_FAULT_SIGBUS, VM_FAULT_SIGSEGV, VM_IO, VM_WRITE, faultName } from '../sim/constants';
import { findExtendVma } from './findExtendVma';
import { followPage } from './followPage';
import { handleMmFault } from './handleMmFault';
import { followHugetlbPage2546, type GupCursor } from './followHugetlbPage';
import { isHugetlbVma } from './hugetlb';
import { gupGetPage } from './pinnedPages';
import { gupVmFlags, MAX_FAULT_RETRIES } from './walkUserPages';
import { ptlLock, ptlUnlock } from './pageWalk';

/**
 * get_user_pages(tsk, mm, start, len, write, force, pages, vmas); mmap_sem held for read.
 * Returns how many pages it got, which can be fewer than len (a hole, VM_IO, a missing permission
 * or a failed fault after some pages), or -EFAULT / -ENOMEM when it got none. The pages it got are
 * referenced and the caller's to release.
 */
export function* getUserPages(t: Task, mm: MmStruct, start: number, len: number, write: boolean, force: boolean, pages: Page[] | null, vmas: Vma[] | null): Generator<Step, number, void> {
  t.enter('get_user_pages');
  const flags = gupVmFlags(write, force);
  const ptl = mm.pageTableLock;
  let i = 0;
  const cur: GupCursor = { start, len };
  const out = (ret: number): number => {
    t.exit('get_user_pages', String(ret));
    return ret;
  };
  do {
    const vma = findExtendVma(mm, cur.start);
    // VM_IO is refused only when pages are wanted (make_pages_present() passes none)
    if (vma === null || (pages !== null && vma.flags & VM_IO) || !(flags & vma.flags)) return out(i ? i : -EFAULT);
    if (isHugetlbVma(vma)) {
      i = yield* followHugetlbPage2546(t, mm, vma, pages, vmas, cur, i);
      continue;
    }
    if (ptlLock(t, ptl)) yield t.step;
    do {
      let map: Page | null;
      let retries = 0;
      while ((map = yield* followPage(t, mm, cur.start, write)) === null) {
        if (retries++ === MAX_FAULT_RETRIES) {
          t.violation('fault-loop', `follow_page(0x${cur.start.toString(16)}, write=${+write}) still fails after ${MAX_FAULT_RETRIES} successful faults`);
          if (ptlUnlock(t, ptl)) yield t.step;
          return out(i ? i : -EFAULT);
        }
        if (ptlUnlock(t, ptl)) yield t.step;
        const fault = yield* handleMmFault(t, mm, vma, cur.start, write ? VM_WRITE : 0);
        switch (fault) {
          case VM_FAULT_MINOR: t.minFlt++; break;
          case VM_FAULT_MAJOR: t.majFlt++; break;
          case VM_FAULT_SIGSEGV: // seed 002 patch 19 adds it next to SIGBUS
          case VM_FAULT_SIGBUS: return out(i ? i : -EFAULT);
          case VM_FAULT_OOM: return out(i ? i : -ENOMEM);
          default: t.oops(`BUG() in get_user_pages: handle_mm_fault returned ${faultName(fault)}`);
        }
        if (ptlLock(t, ptl)) yield t.step;
      }
      if (pages) {
        // get_page_map(): every simulated pfn is valid; flush_dcache_page() is a no-op here
        pages[i] = map;
        if (!map.reserved) gupGetPage(t, map);
      }
      if (vmas) vmas[i] = vma;
      i++;
      cur.start += PAGE_SIZE;
      cur.len--;
    } while (cur.len > 0 && cur.start < vma.end);
    if (ptlUnlock(t, ptl)) yield t.step;
  } while (cur.len > 0);
  return out(i);
}
