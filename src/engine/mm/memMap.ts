// mem_map: the struct page array, indexed by pfn, kept as one typed array per field so that a page
// costs no JavaScript object until some code asks for its Page (page.ts). The fault path of an
// anonymous page works on the pfn alone.

import type { MmStruct } from './mmStruct';
import type { AnonVma } from './rmap';

export class MemMap {
  /** pfns in use (0 is the zero page) */
  size = 0;
  private capacity = 0;
  /** page->count (get_page / put_page) */
  count = new Int32Array(0);
  /** rmap: number of ptes mapping the page */
  mapcount = new Int32Array(0);
  /** DMA pins, tracked apart from references in the put_user_page variant (seed 003) */
  pins = new Int32Array(0);
  flags = new Int32Array(0);
  /** page->index: offset in the file (pgoff_t, 32 bits on i386) */
  index = new Uint32Array(0);
  /** backing-store version of the data the page holds (stale-mapping detection) */
  version = new Int32Array(0);
  /** writes through user mappings since the page was read (data writeback would save) */
  userWrites = new Int32Array(0);
  /** swap slot while in the swap cache, else -1 */
  swapSlot = new Int32Array(0);
  /** 1 while on the free list */
  free = new Uint8Array(0);
  /** rmap: the first mapping (the PageDirect pte_chain) as an mm number (0: none) and address;
   * further mappings are on the Page */
  rmapMm = new Int32Array(0);
  rmapAddr = new Uint32Array(0);
  /** the mms rmap entries name, by number - 1 */
  private readonly mms: MmStruct[] = [];
  /** page->mapping of an anonymous page under the 'object' rules: its anon_vma by number (0: none) */
  anonVma = new Int32Array(0);
  private readonly anonVmas: AnonVma[] = [];

  anonVmaOf(pfn: number): AnonVma | null {
    const n = this.anonVma[pfn];
    return n === 0 ? null : this.anonVmas[n - 1];
  }
  setAnonVma(pfn: number, av: AnonVma | null): void {
    // numbered on first use: push returns the new length, the number
    this.anonVma[pfn] = av === null ? 0 : (av.no ||= this.anonVmas.push(av));
  }

  /** the mm of the first rmap entry of a pfn */
  rmapMmOf(pfn: number): MmStruct | null {
    const n = this.rmapMm[pfn];
    return n === 0 ? null : this.mms[n - 1];
  }
  setRmapMm(pfn: number, mm: MmStruct | null): void {
    this.rmapMm[pfn] = mm === null ? 0 : (mm.rmapNo ||= this.mms.push(mm));
  }

  /** a new pfn, its fields all zero */
  add(): number {
    // grown fourfold: the part not yet used is zero pages the OS has not handed out, so only the copy costs
    if (this.size === this.capacity) this.grow(Math.max(64, this.capacity * 4));
    return this.size++;
  }

  private grow(n: number): void {
    this.capacity = n;
    this.count = grown(this.count, n);
    this.mapcount = grown(this.mapcount, n);
    this.pins = grown(this.pins, n);
    this.flags = grown(this.flags, n);
    this.index = grown(this.index, n);
    this.version = grown(this.version, n);
    this.userWrites = grown(this.userWrites, n);
    this.swapSlot = grown(this.swapSlot, n);
    this.free = grown(this.free, n);
    this.rmapMm = grown(this.rmapMm, n);
    this.rmapAddr = grown(this.rmapAddr, n);
    this.anonVma = grown(this.anonVma, n);
  }
}

/** a copy of `a` with room for n entries, the new ones zero */
function grown<A extends Int32Array<ArrayBuffer> | Uint32Array<ArrayBuffer> | Uint8Array<ArrayBuffer>>(a: A, n: number): A {
  const b = new (a.constructor as new (length: number) => A)(n);
  b.set(a);
  return b;
}
