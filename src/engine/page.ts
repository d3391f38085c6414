// struct page and the page allocator (with an OOM limit and the zero page).

import { PageLock } from './locks';
import type { AddressSpace } from './addressSpace';
import type { MmStruct } from './mmStruct';

export const PG_locked = 0x1;
export const PG_dirty = 0x2;
export const PG_reserved = 0x4;
export const PG_lru = 0x8;
export const PG_compound = 0x10; // compound head (huge page)
export const PG_tail = 0x20; // compound tail
export const PG_swapcache = 0x40;
export const PG_uptodate = 0x80;
export const PG_writeback = 0x100;
/** PageAnon: an anonymous page (not in a file's page cache by design) */
export const PG_anon = 0x200;

const FLAG_NAMES: [number, string][] = [
  [PG_locked, 'locked'], [PG_dirty, 'dirty'], [PG_reserved, 'reserved'], [PG_lru, 'lru'],
  [PG_compound, 'head'], [PG_tail, 'tail'], [PG_swapcache, 'swapcache'], [PG_uptodate, 'uptodate'],
  [PG_writeback, 'writeback'], [PG_anon, 'anon'],
];

export class Page {
  /** page->count (get_page / put_page) */
  count = 0;
  /** rmap: number of ptes mapping it */
  mapcount = 0;
  /** pins taken for DMA, tracked apart from references in the put_user_page variant (seed 003) */
  pins = 0;
  flags = 0;
  mapping: AddressSpace | null = null;
  index = 0;
  /** backing-store version of the data this page holds (for stale-mapping detection) */
  version = 0;
  /** writes made through user mappings since the page was read (data that writeback would save) */
  userWrites = 0;
  /** swap slot while in the swap cache */
  swapSlot = -1;
  /** head page of a compound page */
  head: Page | null = null;
  free = true;
  /** rmap (rmap.ts): the first mapping inline (PageDirect), further ones in rmapMore */
  rmapMm: MmStruct | null = null;
  rmapAddr = 0;
  rmapMore: { mm: MmStruct; addr: number }[] | null = null;
  private lockObj: PageLock | null = null;
  constructor(readonly pfn: number) {}
  /** the PG_locked bit as a sleeping lock with a holder */
  get lock(): PageLock {
    return this.lockObj ?? (this.lockObj = new PageLock(this.pfn));
  }
  /** the page lock's state for the state hash, without creating the lock object */
  lockState(): string {
    return this.lockObj ? this.lockObj.state() : '-';
  }
  get reserved(): boolean { return (this.flags & PG_reserved) !== 0; }
  flagNames(): string[] {
    const out: string[] = [];
    for (const [b, n] of FLAG_NAMES) if (this.flags & b) out.push(n);
    if (this.lockObj?.owner) out.push('locked');
    return [...new Set(out)];
  }
}

export class PageAllocator {
  /** every page ever allocated, indexed by pfn (pfn 0 is the zero page) */
  readonly pages: Page[] = [];
  private readonly freeList: number[] = [];
  allocated = 0;
  readonly zeroPage: Page;
  /** pages freed while still mapped or pinned, noticed by __free_pages */
  onBadFree: ((page: Page, why: string) => void) | null = null;


  constructor(readonly limit: number) {
    const z = new Page(0);
    z.flags = PG_reserved | PG_uptodate;
    z.count = 1;
    z.free = false;
    this.pages.push(z);
    this.zeroPage = z;
  }

  /** alloc_page(): null when the limit is reached (the caller returns VM_FAULT_OOM / -ENOMEM) */
  alloc(): Page | null {
    if (this.allocated >= this.limit) return null;
    let p: Page;
    const pfn = this.freeList.pop();
    if (pfn !== undefined) {
      p = this.pages[pfn];
    } else {
      p = new Page(this.pages.length);
      this.pages.push(p);
    }
    p.count = 1;
    p.mapcount = 0;
    p.pins = 0;
    p.flags = 0;
    p.mapping = null;
    p.index = 0;
    p.version = 0;
    p.userWrites = 0;
    p.swapSlot = -1;
    p.head = null;
    p.free = false;
    this.allocated++;
    return p;
  }

  /** __free_pages(): called when the count drops to zero */
  freePage(p: Page): void {
    if (p.reserved || p.free) return;
    if (p.mapcount > 0) this.onBadFree?.(p, `freed with mapcount ${p.mapcount}`);
    if (p.pins > 0) this.onBadFree?.(p, `freed with ${p.pins} DMA pins`);
    p.free = true;
    p.flags = 0;
    p.mapping = null;
    this.allocated--;
    this.freeList.push(p.pfn);
  }

  /** get_page() / page_cache_get() */
  get(p: Page): void {
    p.count++;
  }

  /** put_page() / page_cache_release(): frees at zero; reserved pages are never freed */
  put(p: Page): void {
    if (p.reserved) return;
    if (p.count <= 0) {
      this.onBadFree?.(p, 'put_page on a page with count 0 (reference underflow)');
      return;
    }
    if (--p.count === 0) this.freePage(p);
  }

  byPfn(pfn: number): Page | undefined {
    return this.pages[pfn];
  }
}
