// follow_page() of 2.5.46 (mm/memory.c): a page-table lookup for one user address, made under
// mm->page_table_lock. A write lookup only succeeds on a pte that is writable AND dirty, so the
// first write through get_user_pages() always goes through handle_mm_fault(), which dirties it.

import type { Task } from '../sim/task';
import type { Step } from '../sim/step';
import type { MmStruct } from './mmStruct';
import type { Page } from './page';
import { VM_WRITE } from '../sim/constants';
import { PTE_PRESENT } from './pageTable';

export function* followPage(t: Task, mm: MmStruct, address: number, write: boolean): Generator<Step, Page | null, void> {
  t.enter('follow_page');
  t.kernel.lockdep.mustHold(t, mm.pageTableLock, 'follow_page() walks the page tables under mm->page_table_lock');
  if (t.pteRead(mm, address, 'pte = *ptep')) yield t.step;
  const pt = mm.pt;
  let page: Page | null = null;
  const pte = pt.get(address);
  if (pte !== null && pte.kind === PTE_PRESENT && (!write || ((pte.prot & VM_WRITE) !== 0 && pte.dirty))) {
    // pfn_valid(pfn) ? pfn_to_page(pfn) : NULL
    const p = t.kernel.alloc.byPfn(pte.val);
    if (p !== undefined) page = p;
  }
  if (t.tracing) t.exit('follow_page', page ? `pfn ${page.pfn}` : 'NULL');
  else t.exit('follow_page');
  return page;
}
