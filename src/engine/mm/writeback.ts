// Writeback of one dirty file page as the filesystem sees it (write_one_page() with the
// clear_page_dirty_for_io() of the kernels seed 003 is about): under the page lock the dirty bits
// of the ptes move to the page and are cleaned (page_mkclean), PG_dirty is cleared, ->writepage
// writes the data to the backing store, and when the I/O is done the filesystem forgets the page:
// it is clean, and its buffers may be dropped. A device still writing into the page through a
// get_user_pages() pin is not seen by any of this.

import type { Step } from '../sim/step';
import type { Task } from '../sim/task';
import { releaseRules } from '../sim/variants';

import type { File } from './addressSpace';
import { PG_dirty, PG_writeback } from './page';
import { PTE_PRESENT } from './pageTable';
import { putPage } from './pinnedPages';
import { pageMappers } from './rmap';
import { noteWritebackCleaned } from './setPageDirty';

/** Returns a short description of what happened ("written, version 3", "clean", "not cached"). */
export function* writebackPage(t: Task, file: File, index: number): Generator<Step, string, void> {
  t.enter('write_one_page');
  const k = t.kernel;
  const space = file.mapping(t.node);
  if (t.objRead(space.slotKey, index, 'find_get_page')) yield t.step;
  const page = space.cache.get(index);
  if (page === undefined) {
    t.exit('write_one_page', 'not cached');
    return 'not cached';
  }
  k.alloc.get(page);
  if (t.lockPage(page)) yield t.step;
  let result: string;
  if (page.mapping !== space || page.index !== index) {
    result = 'truncated';
  } else {
    // clear_page_dirty_for_io() -> page_mkclean(): every pte mapping the page is cleaned
    for (const { mm, addr } of pageMappers(page)) {
      if (t.spinLock(mm.pageTableLock)) yield t.step;
      if (t.pteWrite(mm, addr, 'page_mkclean: pte_mkclean')) yield t.step;
      const pte = mm.pt.get(addr);
      if (pte !== null && pte.kind === PTE_PRESENT && pte.val === page.pfn && pte.dirty) {
        page.setFlags(PG_dirty);
        mm.pt.setPresent(addr, page.pfn, pte.prot, false, pte.young);
        if (t.tracing) t.emit('pte', `0x${addr.toString(16)} cleaned (pfn ${page.pfn})`);
      }
      if (t.spinUnlock(mm.pageTableLock)) yield t.step;
    }
    if (!page.test(PG_dirty)) {
      result = 'clean';
    } else {
      page.clearFlags(PG_dirty);
      page.setFlags(PG_writeback);
      if (page.pins > 0 && releaseRules(k).pinsApart && t.tracing) {
        t.emit('note', `page_maybe_dma_pinned(pfn ${page.pfn}): written back while pinned for DMA (${page.pins} pin(s))`);
      }
      if (t.sleep('->writepage (I/O)')) yield t.step;
      if (t.objWrite(file.backingKey, index, 'writepage: data to the backing store')) yield t.step;
      if (page.userWrites > 0) {
        page.version = file.bump(index);
        page.userWrites = 0;
      }
      page.clearFlags(PG_writeback);
      // end of I/O: the filesystem considers the page clean and may drop its buffers
      noteWritebackCleaned(page);
      result = `written, version ${page.version}`;
      if (t.tracing) t.emit('note', `${space.name} page ${index} written back (version ${page.version})`);
    }
  }
  if (t.unlockPage(page)) yield t.step;
  putPage(t, page);
  t.exit('write_one_page', result);
  return result;
}
