// A device writing into pages a driver pinned with get_user_pages() (direct I/O, RDMA). The
// device stores into memory behind the MMU: no pte becomes dirty, no fault runs, the filesystem
// is not told. The data only reaches the backing store if the page is dirtied afterwards.

import type { Task } from '../sim/task';
import type { Step } from '../sim/step';
import { compoundHead } from '../mm/hugetlb';
import { noteDmaWrite } from '../mm/setPageDirty';
import type { PageSet } from '../mm/pinnedPages';

/** one DMA transfer into every page of the set; returns the number of pages written */
export function* dmaWritePages(t: Task, set: PageSet): Generator<Step, number, void> {
  t.enter('dma_write');
  let n = 0;
  for (const page of set.pages) {
    const head = compoundHead(page);
    if (set.releasedBy !== null) {
      t.violation('dma-after-release', `the device writes into pfn ${page.pfn} after '${set.name}' was released by ${set.releasedBy}${page.free || head.free ? ': the page is free (memory corruption)' : ''}`);
    } else if (!set.write || page.reserved) {
      t.violation('dma-into-read-pin', `the device writes into pfn ${page.pfn}${page.reserved ? ' (PG_reserved, e.g. the zero page)' : ''}, which '${set.name}' pinned without write access`);
    }
    if (t.objWrite('mem:pfn:0x', page.pfn, 'DMA write')) yield t.step;
    if (!page.reserved) page.userWrites++;
    noteDmaWrite(head);
    if (t.tracing) t.emit('note', `device writes into pfn ${page.pfn}`);
    n++;
  }
  t.exit('dma_write', String(n));
  return n;
}
