// The page-dirtying primitive the core needs when a dirty pte is torn down. The full
// set_page_dirty / set_page_dirty_lock of the release family lives with writeback.

import { PG_dirty, type Page } from './page';

/** __set_page_dirty_buffers / __set_page_dirty_nobuffers reduced to the flag */
export function setPageDirty(page: Page): void {
  page.flags |= PG_dirty;
}
