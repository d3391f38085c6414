// Sparse multi-level page tables: pgd (a Map) -> pmd table (array of up to 512, as long as its
// highest table needs) -> pte table (typed arrays of 512 entries). A pte is none, present (pfn,
// protection, dirty, young), a swap entry (slot), or a file pte (file offset, and in VM_NONUNIFORM
// VMAs the protection too).

import { PAGE_SIZE, PTRS_PER_PTE, PTRS_PER_PMD, VM_READ, VM_WRITE, VM_EXEC } from '../sim/constants';
import { footprint } from '../sim/step';

export const PTE_NONE = 0;
export const PTE_PRESENT = 1;
export const PTE_SWAP = 2;
export const PTE_FILE = 3;

// bits layout: kind (2) | prot r/w/x (3) | dirty | young | protValid (the file pte carries a protection)
export const PTE_KIND_MASK = 0x3;
export const PTE_PROT_SHIFT = 2;
export const PTE_DIRTY = 0x20;
export const PTE_YOUNG = 0x40;
const KIND_MASK = PTE_KIND_MASK;
const PROT_SHIFT = PTE_PROT_SHIFT;
const DIRTY = PTE_DIRTY;
const YOUNG = PTE_YOUNG;
const PROT_VALID = 0x80;

export class PteTable {
  /** pfn, file offset or swap slot */
  readonly val = new Float64Array(PTRS_PER_PTE);
  readonly bits = new Uint8Array(PTRS_PER_PTE);
  /** non-none entries, so an empty table can be freed */
  used = 0;
}

/**
 * The pte tables a PageTable made, in the order it made them, kept under a symbol: machine checkpoints
 * walk string-keyed fields only, so this list outlives a restore. A search going back to a checkpoint
 * made before a table was allocated replays the allocation; it gets the same object again, cleared,
 * instead of two new typed arrays (a fault's replay allocated 4.5 KB). The tables of a state are
 * always among the first `tablesMade` of the list (a restore brings back its count), so a table past
 * them is unreachable and free to clear. At most MAX_KEPT_TABLES are kept.
 */
const MADE = Symbol('pte tables made');
const MAX_KEPT_TABLES = 64;

export interface PteValue {
  kind: number;
  val: number;
  prot: number;
  dirty: boolean;
  young: boolean;
  protValid: boolean;
}

export class PageTable {
  /** footprint key prefix of the entries ("mm:A/pte:0x"; see Footprint in step.ts) */
  key = '';
  private touch(addr: number, write: boolean): void {
    // one key per pte, whatever byte of its page the access names
    (write ? footprint.writes : footprint.reads).push(this.key + (addr - (addr % PAGE_SIZE)).toString(16));
  }
  /** a walk over many entries reads them all */
  private touchAll(): void {
    footprint.reads.push(this.key + '*');
  }
  /** changed only by allocTable and freeEmptyTables, which keep `tables()` in step with it */
  readonly pgd = new Map<number, (PteTable | undefined)[]>();
  /** the pte tables there are with their base addresses, in address order (built when asked) */
  private tableList: { base: number; t: PteTable }[] | null = null;
  tables(): readonly { base: number; t: PteTable }[] {
    if (this.tableList === null) {
      const list: { base: number; t: PteTable }[] = [];
      for (const [g, pmd] of this.pgd)
        for (let m = 0; m < pmd.length; m++) {
          const t = pmd[m];
          if (t !== undefined) list.push({ base: (g * PTRS_PER_PMD + m) * PTRS_PER_PTE * PAGE_SIZE, t });
        }
      list.sort((a, b) => a.base - b.base);
      this.tableList = list;
    }
    return this.tableList;
  }
  /** pte tables allocated (pte_alloc_one) */
  pteTables = 0;
  /** tables made on the way to this state, freed ones included (the prefix of [MADE] in use) */
  private tablesMade = 0;
  private readonly [MADE]: PteTable[] = [];
  /** number of present ptes; kept in step with set/clear so rss can be checked in O(1) */
  present = 0;
  /** one-entry cache of the last pte table looked up (index = address / 2 MiB) */
  private lastIdx = -1;
  private lastTable: PteTable | undefined = undefined;

  static indices(addr: number): [number, number, number] {
    const pn = Math.floor(addr / PAGE_SIZE);
    return [Math.floor(pn / (PTRS_PER_PTE * PTRS_PER_PMD)), Math.floor(pn / PTRS_PER_PTE) % PTRS_PER_PMD, pn % PTRS_PER_PTE];
  }

  /** pte_offset_map without allocation: the table holding addr, or undefined */
  lookup(addr: number): PteTable | undefined {
    const ti = Math.floor(addr / (PAGE_SIZE * PTRS_PER_PTE));
    if (ti === this.lastIdx) return this.lastTable;
    const pmd = this.pgd.get(Math.floor(ti / PTRS_PER_PMD));
    if (pmd === undefined) return undefined;
    const t = pmd[ti % PTRS_PER_PMD];
    if (t !== undefined) {
      this.lastIdx = ti;
      this.lastTable = t;
    }
    return t;
  }

  /** pmd_present(): is there a pte table for addr */
  hasTable(addr: number): boolean {
    return this.lookup(addr) !== undefined;
  }

  /** pmd_alloc + pmd_populate with a new pte table (pte_alloc_one) */
  allocTable(addr: number): PteTable {
    const pn = Math.floor(addr / PAGE_SIZE);
    const g = Math.floor(pn / (PTRS_PER_PTE * PTRS_PER_PMD));
    let pmd = this.pgd.get(g);
    if (pmd === undefined) {
      pmd = [];
      this.pgd.set(g, pmd);
    }
    const m = Math.floor(pn / PTRS_PER_PTE) % PTRS_PER_PMD;
    // as long as its highest table needs, kept dense (a store past the end would make a hash table
    // of it): a checkpoint copies it, and most worlds use its first entries only
    while (pmd.length <= m) pmd.push(undefined);
    let t = pmd[m];
    if (t === undefined) {
      t = this.newTable();
      pmd[m] = t;
      this.tableList = null;
      this.pteTables++;
    }
    return t;
  }

  /** pte_alloc_one(): a zeroed table (see MADE) */
  private newTable(): PteTable {
    const made = this[MADE];
    const i = this.tablesMade++;
    if (i < made.length) {
      const t = made[i];
      t.val.fill(0);
      t.bits.fill(0);
      t.used = 0;
      return t;
    }
    const t = new PteTable();
    if (i < MAX_KEPT_TABLES) made.push(t);
    return t;
  }

  static slot(addr: number): number {
    return Math.floor(addr / PAGE_SIZE) % PTRS_PER_PTE;
  }

  kind(addr: number): number {
    if (footprint.on) this.touch(addr, false);
    const t = this.lookup(addr);
    return t === undefined ? PTE_NONE : t.bits[PageTable.slot(addr)] & KIND_MASK;
  }

  get(addr: number): PteValue | null {
    if (footprint.on) this.touch(addr, false);
    const t = this.lookup(addr);
    if (t === undefined) return null;
    const i = PageTable.slot(addr);
    const b = t.bits[i];
    if ((b & KIND_MASK) === PTE_NONE) return null;
    return PageTable.decode(b, t.val[i]);
  }

  /** the entry whose packed bits are b and whose pfn / pgoff / slot is val */
  private static decode(b: number, val: number): PteValue {
    return {
      kind: b & KIND_MASK,
      val,
      prot: (b >> PROT_SHIFT) & 7,
      dirty: (b & DIRTY) !== 0,
      young: (b & YOUNG) !== 0,
      protValid: (b & PROT_VALID) !== 0,
    };
  }

  /** pfn / pgoff / slot of the entry (caller knows its kind) */
  val(addr: number): number {
    if (footprint.on) this.touch(addr, false);
    const t = this.lookup(addr);
    return t === undefined ? 0 : t.val[PageTable.slot(addr)];
  }

  prot(addr: number): number {
    if (footprint.on) this.touch(addr, false);
    const t = this.lookup(addr);
    return t === undefined ? 0 : (t.bits[PageTable.slot(addr)] >> PROT_SHIFT) & 7;
  }

  private write(addr: number, kind: number, val: number, bits: number): void {
    if (footprint.on) this.touch(addr, true);
    const t = this.lookup(addr) ?? this.allocTable(addr);
    const i = PageTable.slot(addr);
    const old = t.bits[i] & KIND_MASK;
    if (old === PTE_NONE && kind !== PTE_NONE) t.used++;
    else if (old !== PTE_NONE && kind === PTE_NONE) t.used--;
    if (old === PTE_PRESENT) this.present--;
    if (kind === PTE_PRESENT) this.present++;
    t.bits[i] = kind | bits;
    t.val[i] = val;
  }

  /** set_pte(mk_pte(page, prot)) */
  setPresent(addr: number, pfn: number, prot: number, dirty: boolean, young = true): void {
    this.write(addr, PTE_PRESENT, pfn, (prot << PROT_SHIFT) | (dirty ? DIRTY : 0) | (young ? YOUNG : 0));
  }

  /** a swap entry */
  setSwap(addr: number, slot: number, prot = -1): void {
    this.write(addr, PTE_SWAP, slot, prot >= 0 ? (prot << PROT_SHIFT) | PROT_VALID : 0);
  }

  /** pgoff_to_pte(pgoff); with prot >= 0 the protection is encoded too (seed 002) */
  setFile(addr: number, pgoff: number, prot = -1): void {
    this.write(addr, PTE_FILE, pgoff, prot >= 0 ? (prot << PROT_SHIFT) | PROT_VALID : 0);
  }

  /** pte_clear */
  clear(addr: number): void {
    const t = this.lookup(addr);
    if (t === undefined) return;
    this.write(addr, PTE_NONE, 0, 0);
  }

  setDirty(addr: number): void {
    if (footprint.on) this.touch(addr, true);
    const t = this.lookup(addr);
    if (t) t.bits[PageTable.slot(addr)] |= DIRTY | YOUNG;
  }
  setYoung(addr: number): void {
    if (footprint.on) this.touch(addr, true);
    const t = this.lookup(addr);
    if (t) t.bits[PageTable.slot(addr)] |= YOUNG;
  }
  /** ptep_test_and_clear_young(): was the entry young; it is old afterwards */
  testAndClearYoung(addr: number): boolean {
    const t = this.lookup(addr);
    if (!t) return false;
    const i = PageTable.slot(addr);
    const young = (t.bits[i] & YOUNG) !== 0;
    t.bits[i] &= ~YOUNG;
    return young;
  }
  /** replace the protection of a present (or file/swap) entry, keeping the rest */
  setProt(addr: number, prot: number): void {
    if (footprint.on) this.touch(addr, true);
    const t = this.lookup(addr);
    if (!t) return;
    const i = PageTable.slot(addr);
    const b = t.bits[i];
    t.bits[i] = (b & ~(7 << PROT_SHIFT)) | (prot << PROT_SHIFT) | ((b & KIND_MASK) === PTE_PRESENT ? 0 : PROT_VALID);
  }

  /** all non-none entries in [start, end), in address order */
  *entries(start = 0, end = Number.MAX_SAFE_INTEGER): Generator<[number, PteValue]> {
    if (footprint.on) this.touchAll();
    for (const { base, t } of this.tables()) {
      if (t.used === 0 || base + PTRS_PER_PTE * PAGE_SIZE <= start || base >= end) continue;
      for (let i = 0; i < PTRS_PER_PTE; i++) {
        const b = t.bits[i];
        if ((b & KIND_MASK) === PTE_NONE) continue;
        const addr = base + i * PAGE_SIZE;
        if (addr < start || addr >= end) continue;
        yield [addr, PageTable.decode(b, t.val[i])];
      }
    }
  }

  /** call fn for every non-none entry, in address order, without allocating per entry; fn must not
   * change the table. The invariant checks run it after every step of a search: it visits only the
   * pte tables there are and stops in a table after its last used entry. */
  forEach(fn: (addr: number, kind: number, val: number, prot: number) => void): void {
    if (footprint.on) this.touchAll();
    for (const { base, t } of this.tables()) {
      const bits = t.bits;
      for (let i = 0, left = t.used; left > 0 && i < PTRS_PER_PTE; i++) {
        const b = bits[i];
        if ((b & KIND_MASK) === PTE_NONE) continue;
        left--;
        fn(base + i * PAGE_SIZE, b & KIND_MASK, t.val[i], (b >> PROT_SHIFT) & 7);
      }
    }
  }

  /** call fn for every non-none entry in [start, end), in address order */
  forEachIn(start: number, end: number, fn: (addr: number, kind: number, val: number, prot: number) => void): void {
    if (footprint.on) this.touchAll();
    const span = PAGE_SIZE * PTRS_PER_PTE;
    for (let base = Math.floor(start / span) * span; base < end; base += span) {
      const t = this.lookup(base);
      if (t === undefined || t.used === 0) continue;
      const bits = t.bits;
      const from = base < start ? (start - base) / PAGE_SIZE : 0;
      const to = Math.min(PTRS_PER_PTE, Math.ceil((end - base) / PAGE_SIZE));
      for (let i = from; i < to; i++) {
        const b = bits[i];
        if ((b & KIND_MASK) !== PTE_NONE) fn(base + i * PAGE_SIZE, b & KIND_MASK, t.val[i], (b >> PROT_SHIFT) & 7);
      }
    }
  }

  /** free pte tables that became empty in [start, end) (free_pgtables) */
  freeEmptyTables(start: number, end: number): void {
    for (const [g, pmd] of this.pgd) {
      for (let m = 0; m < pmd.length; m++) {
        const t = pmd[m];
        if (t === undefined || t.used !== 0) continue;
        const base = (g * PTRS_PER_PMD + m) * PTRS_PER_PTE * PAGE_SIZE;
        if (base >= start && base + PTRS_PER_PTE * PAGE_SIZE <= end) {
          if (this.lastTable === t) {
            this.lastIdx = -1;
            this.lastTable = undefined;
          }
          pmd[m] = undefined;
          this.tableList = null;
          this.pteTables--;
        }
      }
    }
  }
}

export function pteKindName(k: number): 'present' | 'swap' | 'file' | 'none' {
  return k === PTE_PRESENT ? 'present' : k === PTE_SWAP ? 'swap' : k === PTE_FILE ? 'file' : 'none';
}

export const PROT_R = VM_READ;
export const PROT_W = VM_WRITE;
export const PROT_X = VM_EXEC;
