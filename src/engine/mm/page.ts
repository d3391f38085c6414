// struct page and the page allocator (with an OOM limit and the zero page). The fields live in
// mem_map (memMap.ts); a Page is the view of one entry, made on first use and kept, so that code
// holding pages can compare them by identity.

import { PageLock } from '../sim/locks';
import { footprint } from '../sim/step';

import type { AddressSpace } from './addressSpace';
import { MemMap } from './memMap';
import type { MmStruct } from './mmStruct';
import type { AnonVma } from './rmap';

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
  [PG_locked, 'locked'],
  [PG_dirty, 'dirty'],
  [PG_reserved, 'reserved'],
  [PG_lru, 'lru'],
  [PG_compound, 'head'],
  [PG_tail, 'tail'],
  [PG_swapcache, 'swapcache'],
  [PG_uptodate, 'uptodate'],
  [PG_writeback, 'writeback'],
  [PG_anon, 'anon'],
];

/**
 * Footprint keys of a page's fields (see Footprint in step.ts). Each flag bit is its own object
 * (set_bit/clear_bit/test_bit are atomic per bit): "pg5:dirty"; a read of the whole word reads
 * "pg5:*". PG_lru is the page's place on the LRU list, which kswapd's scan reads for every page:
 * "lru:5", "lru:*". The reference count and the rmap (mapcount and the pte_chain) are objects too.
 */
const FLAG_KEY: string[] = [];
for (let b = 0; b < 16; b++) FLAG_KEY.push(FLAG_NAMES.find(([bit]) => bit === 1 << b)?.[1] ?? `bit${b}`);
export const LRU_KEYS = 'lru:*';
export const COUNT_KEY = 'page:count:';
/** commutative updates of the count (dpor.ts): get_page increments commute, and so do put_page
 * decrements that leave it above zero; the put that frees writes it (it depends on every other) */
const COUNT_INC_KEY = '+i:' + COUNT_KEY;
const COUNT_DEC_KEY = '+d:' + COUNT_KEY;
export const RMAP_KEY = 'page:rmap:';
/** the data a page holds (writes through user mappings, copies, writeback) */
export const DATA_KEY = 'page:data:';

/** record writes of the bits of `changed` of page `pfn` */
function touchFlags(pfn: number, changed: number): void {
  for (let b = 0; changed !== 0; b++, changed >>>= 1) {
    if ((changed & 1) === 0) continue;
    footprint.writes.push(b === 3 /* PG_lru */ ? 'lru:' + pfn : 'pg' + pfn + ':' + FLAG_KEY[b]);
  }
}

export class Page {
  /** page->mapping: the page cache it belongs to (null for anonymous pages) */
  mapping: AddressSpace | null = null;
  /** head page of a compound page */
  head: Page | null = null;
  /** rmap: mappings after the first (pte_chain_alloc) */
  rmapMore: { mm: MmStruct; addr: number }[] | null = null;
  private lockObj: PageLock | null = null;
  readonly mem: MemMap;
  constructor(
    readonly alloc: PageAllocator,
    readonly pfn: number,
  ) {
    this.mem = alloc.mem;
  }

  /** page_count(): a read of the reference count */
  get count(): number {
    if (footprint.on) footprint.reads.push(COUNT_KEY + this.pfn);
    return this.mem.count[this.pfn];
  }
  set count(v: number) {
    if (footprint.on) footprint.writes.push(COUNT_KEY + this.pfn);
    this.mem.count[this.pfn] = v;
  }
  /** page_mapcount(): read with the rmap it counts */
  get mapcount(): number {
    if (footprint.on) footprint.reads.push(RMAP_KEY + this.pfn);
    return this.mem.mapcount[this.pfn];
  }
  set mapcount(v: number) {
    if (footprint.on) footprint.writes.push(RMAP_KEY + this.pfn);
    this.mem.mapcount[this.pfn] = v;
  }
  get pins(): number {
    return this.mem.pins[this.pfn];
  }
  set pins(v: number) {
    this.mem.pins[this.pfn] = v;
  }
  /** the whole flags word (a read of every bit: prefer test()) */
  get flags(): number {
    if (footprint.on) footprint.reads.push('pg' + this.pfn + ':*');
    return this.mem.flags[this.pfn];
  }
  set flags(v: number) {
    const m = this.mem.flags;
    if (footprint.on) touchFlags(this.pfn, m[this.pfn] ^ v);
    m[this.pfn] = v;
  }
  /** test_bit(): is flag `bit` set (a read of that bit only) */
  test(bit: number): boolean {
    if (footprint.on) footprint.reads.push(bit === PG_lru ? 'lru:' + this.pfn : 'pg' + this.pfn + ':' + FLAG_KEY[31 - Math.clz32(bit)]);
    return (this.mem.flags[this.pfn] & bit) !== 0;
  }
  /** SetPageX() for the bits of `bits` */
  setFlags(bits: number): void {
    const m = this.mem.flags;
    if (footprint.on) touchFlags(this.pfn, ~m[this.pfn] & bits);
    m[this.pfn] |= bits;
  }
  /** ClearPageX() for the bits of `bits` */
  clearFlags(bits: number): void {
    const m = this.mem.flags;
    if (footprint.on) touchFlags(this.pfn, m[this.pfn] & bits);
    m[this.pfn] &= ~bits;
  }
  /** page->mapping of an anonymous page under the 'object' rules (PAGE_MAPPING_ANON): its anon_vma */
  get anonVma(): AnonVma | null {
    return this.mem.anonVmaOf(this.pfn);
  }
  set anonVma(v: AnonVma | null) {
    this.mem.setAnonVma(this.pfn, v);
  }
  get index(): number {
    return this.mem.index[this.pfn];
  }
  set index(v: number) {
    this.mem.index[this.pfn] = v;
  }
  get version(): number {
    return this.mem.version[this.pfn];
  }
  set version(v: number) {
    this.mem.version[this.pfn] = v;
  }
  /** the page's data as user writes changed it (a copy reads it, writeback reads and cleans it) */
  get userWrites(): number {
    if (footprint.on) footprint.reads.push(DATA_KEY + this.pfn);
    return this.mem.userWrites[this.pfn];
  }
  set userWrites(v: number) {
    if (footprint.on) footprint.writes.push(DATA_KEY + this.pfn);
    this.mem.userWrites[this.pfn] = v;
  }
  get swapSlot(): number {
    return this.mem.swapSlot[this.pfn];
  }
  set swapSlot(v: number) {
    this.mem.swapSlot[this.pfn] = v;
  }
  get free(): boolean {
    return this.mem.free[this.pfn] !== 0;
  }
  set free(v: boolean) {
    this.mem.free[this.pfn] = v ? 1 : 0;
  }
  /** PageReserved(): set once when a driver takes the page, before any task can reach it */
  get reserved(): boolean {
    return (this.mem.flags[this.pfn] & PG_reserved) !== 0;
  }

  /** the PG_locked bit as a sleeping lock with a holder */
  get lock(): PageLock {
    return this.lockObj ?? (this.lockObj = new PageLock(this.pfn));
  }
  /** the page lock if it was ever taken (the state hash reads it without creating it) */
  lockIfMade(): PageLock | null {
    return this.lockObj;
  }
  flagNames(): string[] {
    const out: string[] = [];
    for (const [b, n] of FLAG_NAMES) if (this.flags & b) out.push(n);
    if (this.lockObj?.owner) out.push('locked');
    return [...new Set(out)];
  }
}

/** footprint keys of the allocator (see Footprint in step.ts) */
const ALLOCATOR_KEY = 'kernel:page_allocator';
const FREE_LIST_KEY = 'kernel:free_list';
/** the buddy lists a cold allocation is refilled from: never written (a model world does not drain them) */
const BUDDY_KEY = 'kernel:buddy';
/** the allocator limit a world without memoryPages gets */
export const NO_LIMIT = 1 << 30;

export class PageAllocator {
  readonly mem = new MemMap();
  /** the Page of each pfn asked for so far */
  private readonly views: (Page | undefined)[] = [];
  private readonly freeList: number[] = [];
  allocated = 0;
  readonly zeroPage: Page;
  /** the 'object' rmap rules (2.6.11): page_add_rmap of an anonymous page records its anon_vma */
  objectRmap = false;
  /** pages freed while still mapped or pinned, noticed by __free_pages */
  onBadFree: ((page: Page, why: string) => void) | null = null;
  /** every page __free_pages frees (the TLB check of worlds with CPUs; null elsewhere) */
  onFree: ((page: Page) => void) | null = null;

  constructor(readonly limit: number) {
    const z = this.page(this.mem.add());
    z.flags = PG_reserved | PG_uptodate;
    z.count = 1;
    this.zeroPage = z;
  }

  /** pfns ever handed out, the zero page included */
  get size(): number {
    return this.mem.size;
  }

  /** the Page of a pfn in use */
  page(pfn: number): Page {
    const views = this.views;
    // kept dense: a store far past the end would turn the array into a hash table
    while (views.length <= pfn) views.push(undefined);
    return views[pfn] ?? (views[pfn] = new Page(this, pfn));
  }

  /** alloc_page(): null when the limit is reached (the caller returns VM_FAULT_OOM / -ENOMEM) */
  alloc(): Page | null {
    const pfn = this.allocPfn();
    return pfn < 0 ? null : this.page(pfn);
  }

  /** alloc_page() as a pfn, -1 at the limit: the anonymous fault path needs no Page */
  allocPfn(): number {
    // which pfn a task gets depends on the allocations and frees before it; with a limit, whether it
    // gets one at all. Two fresh pages taken in either order give the same world up to pfn names.
    if (footprint.on) {
      if (this.limit < NO_LIMIT) footprint.writes.push(ALLOCATOR_KEY);
      footprint[this.freeList.length > 0 ? 'writes' : 'reads'].push(FREE_LIST_KEY);
    }
    if (this.allocated >= this.limit) return -1;
    const m = this.mem;
    this.allocated++;
    const pfn = this.freeList.pop();
    if (pfn === undefined) {
      // a new mem_map entry is all zeroes and has no Page yet
      const n = m.add();
      m.count[n] = 1;
      m.swapSlot[n] = -1;
      return n;
    }
    m.count[pfn] = 1;
    m.mapcount[pfn] = 0;
    m.pins[pfn] = 0;
    m.flags[pfn] = 0;
    m.index[pfn] = 0;
    m.version[pfn] = 0;
    m.userWrites[pfn] = 0;
    m.swapSlot[pfn] = -1;
    m.free[pfn] = 0;
    m.rmapMm[pfn] = 0;
    m.anonVma[pfn] = 0;
    const v = pfn < this.views.length ? this.views[pfn] : undefined;
    if (v !== undefined) {
      v.mapping = null;
      v.head = null;
      v.rmapMore = null;
    }
    return pfn;
  }

  /**
   * alloc_page(__GFP_COLD), page_cache_alloc_cold() (2.6.11 buffered_rmqueue): from the per-CPU cold
   * list, refilled from the buddy lists. Every page the model frees goes to the hot list
   * (page_cache_release -> free_hot_page), so a cold allocation never gets a page just freed: a page
   * nobody used yet. Frees and cold allocations commute; two cold allocations in either order give the
   * same world up to pfn names.
   */
  allocCold(): Page | null {
    if (footprint.on) {
      if (this.limit < NO_LIMIT) footprint.writes.push(ALLOCATOR_KEY);
      footprint.reads.push(BUDDY_KEY);
    }
    if (this.allocated >= this.limit) return null;
    this.allocated++;
    const m = this.mem;
    const n = m.add();
    m.count[n] = 1;
    m.swapSlot[n] = -1;
    return this.page(n);
  }

  /** __free_pages(): called when the count drops to zero */
  freePage(p: Page): void {
    if (p.reserved || p.free) return;
    if (footprint.on) {
      if (this.limit < NO_LIMIT) footprint.writes.push(ALLOCATOR_KEY);
      footprint.writes.push(FREE_LIST_KEY);
    }
    if (p.mapcount > 0) this.onBadFree?.(p, `freed with mapcount ${p.mapcount}`);
    if (p.pins > 0) this.onBadFree?.(p, `freed with ${p.pins} DMA pins`);
    if (this.onFree !== null) this.onFree(p);
    p.free = true;
    p.flags = 0;
    p.mapping = null;
    p.anonVma = null;
    this.allocated--;
    this.freeList.push(p.pfn);
  }

  /** get_page() / page_cache_get() */
  get(p: Page): void {
    if (footprint.on) footprint.writes.push(COUNT_INC_KEY + p.pfn);
    this.mem.count[p.pfn]++;
  }

  /** put_page() / page_cache_release(): frees at zero; reserved pages are never freed */
  put(p: Page): void {
    if (p.reserved) return;
    const count = this.mem.count;
    if (footprint.on) footprint.writes.push((count[p.pfn] > 1 ? COUNT_DEC_KEY : COUNT_KEY) + p.pfn);
    if (count[p.pfn] <= 0) {
      this.onBadFree?.(p, 'put_page on a page with count 0 (reference underflow)');
      return;
    }
    if (--count[p.pfn] === 0) this.freePage(p);
  }

  byPfn(pfn: number): Page | undefined {
    return pfn >= 0 && pfn < this.mem.size ? this.page(pfn) : undefined;
  }

  /** SetPageX() on a pfn, without making its Page */
  setFlagsPfn(pfn: number, bits: number): void {
    const m = this.mem.flags;
    if (footprint.on) touchFlags(pfn, ~m[pfn] & bits);
    m[pfn] |= bits;
  }

  /** PageReserved() of a pfn in use, without making its Page */
  isReserved(pfn: number): boolean {
    return (this.mem.flags[pfn] & PG_reserved) !== 0;
  }
  isFree(pfn: number): boolean {
    return this.mem.free[pfn] !== 0;
  }
  /** page->mapping of a pfn in use, without making its Page (anonymous pages have none) */
  mappingOf(pfn: number): AddressSpace | null {
    return pfn < this.views.length ? (this.views[pfn]?.mapping ?? null) : null;
  }

  /** the anon_vma of a pfn in use (the 'object' rmap), without making its Page */
  anonVmaOf(pfn: number): AnonVma | null {
    return this.mem.anonVmaOf(pfn);
  }

  /** the pte_chain entries after the first (PageDirect) one, without making its Page (for the state hash) */
  rmapMoreOf(pfn: number): readonly { mm: MmStruct; addr: number }[] | null {
    const v = pfn < this.views.length ? this.views[pfn] : undefined;
    return v === undefined ? null : v.rmapMore;
  }

  /** the page lock of a pfn if it was ever taken, without making its Page (for the state hash) */
  pageLockOf(pfn: number): PageLock | null {
    const v = pfn < this.views.length ? this.views[pfn] : undefined;
    return v === undefined ? null : v.lockIfMade();
  }

  /** every page ever allocated, in pfn order (makes their Pages: for snapshots and small worlds) */
  *pages(): IterableIterator<Page> {
    for (let pfn = 0; pfn < this.mem.size; pfn++) yield this.page(pfn);
  }
}
