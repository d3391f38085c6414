// A hash of the whole kernel state plus each task's position, for state caching in the explorer.
// Two states with the same hash are treated as the same: every piece of state that can change the
// future (ptes, VMAs, pages, page caches, locks, swap, each task's place in its operations and the
// values it sampled) is in it. Hashing runs at every choice point of a search, so the fields are fed
// straight into a 64-bit hash and nothing is allocated but the key returned (and the text of a TLB
// or of interpreted C frames, where there are any). Names go in as 64-bit hashes of their text,
// computed once per text; locks feed their state as numbers (Lock.hashState).

import type { AddressSpace } from '../mm/addressSpace';
import type { Page, PageAllocator } from '../mm/page';
import type { PteTable } from '../mm/pageTable';
import type { Vma } from '../mm/vma';

import { PAGE_SIZE, PTRS_PER_PTE } from './constants';
import type { Kernel } from './kernel';
import type { Task } from './task';

/** what a kernel object feeds its state into */
export interface StateSink {
  /** a 32-bit integer (values beyond are cut to their low 32 bits) */
  word(w: number): void;
}

/** the 64-bit hashes of the strings met (names, labels, lock keys), in two 32-bit lanes by slot:
 * a pure function of the text, so every machine and worker thread gets the same ones */
const strSlot = new Map<string, number>();
let strLo = new Int32Array(256);
let strHi = new Int32Array(256);
/** the cache is cleared past this many strings (generated names, e.g. of anon_vmas, may be many) */
const MAX_STRINGS = 1 << 16;

function strSlotOf(s: string): number {
  let i = strSlot.get(s);
  if (i !== undefined) return i;
  if (strSlot.size >= MAX_STRINGS) strSlot.clear();
  i = strSlot.size;
  if (i === strLo.length) {
    const lo = new Int32Array(i * 2);
    lo.set(strLo);
    strLo = lo;
    const hi = new Int32Array(i * 2);
    hi.set(strHi);
    strHi = hi;
  }
  // its length first, then the characters (cyrb53's lanes, seeded apart from the state's)
  let h1 = 0x9e3779b9 ^ s.length;
  let h2 = 0x85ebca6b ^ s.length;
  for (let c = 0; c < s.length; c++) {
    const ch = s.charCodeAt(c);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  strLo[i] = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  strHi[i] = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  strSlot.set(s, i);
  return i;
}

/** the strings of the last hashes by position in the hash, with their text hashes (Hasher.str) */
const MAX_MEMO = 1024;
const memoStr: string[] = [];
const memoLo = new Int32Array(MAX_MEMO);
const memoHi = new Int32Array(MAX_MEMO);

/** two 32-bit lanes (the mixing of cyrb53), fed field by field */
class Hasher implements StateSink {
  h1 = 0;
  h2 = 0;
  /** strings fed so far in this hash */
  pos = 0;
  reset(): void {
    this.h1 = 0xdeadbeef;
    this.h2 = 0x41c6ce57;
    this.pos = 0;
  }
  word(w: number): void {
    this.h1 = Math.imul(this.h1 ^ w, 2654435761);
    this.h2 = Math.imul(this.h2 ^ w, 1597334677);
  }
  /** a number: an integer up to 2^53 as two words (addresses, pte values, file offsets); anything
   * else (never met in the kernel's fields) goes in as its text too */
  num(n: number): void {
    const hi = (n - (n >>> 0)) / 4294967296;
    this.word(n | 0);
    this.word(hi | 0);
    if (hi !== (hi | 0)) this.text(String(n));
  }
  /** a string that is new every time (a state rendered as text): its length, then its characters */
  text(s: string): void {
    let h1 = this.h1 ^ s.length;
    let h2 = this.h2 ^ s.length;
    for (let i = 0; i < s.length; i++) {
      const ch = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    this.h1 = h1;
    this.h2 = h2;
  }
  /** a string of a few texts met again and again (names, labels, keys): the 64-bit hash of its text.
   * The n-th string of a hash is mostly the n-th string of the hash before (one task moved in
   * between): remembered by position, it is found by comparing with that one. */
  str(s: string): void {
    const p = this.pos++;
    let lo: number;
    let hi: number;
    if (p < MAX_MEMO && memoStr[p] === s) {
      lo = memoLo[p];
      hi = memoHi[p];
    } else {
      const i = strSlotOf(s);
      lo = strLo[i];
      hi = strHi[i];
      if (p < MAX_MEMO) {
        memoStr[p] = s;
        memoLo[p] = lo;
        memoHi[p] = hi;
      }
    }
    this.word(lo);
    this.word(hi);
  }
  /** a record tag (which kind of object the next fields describe) */
  tag(c: number): void {
    this.word(0x7f000000 | c);
  }
  /** the 64 bits as a string of 8 one-byte characters (a Set key; hex digits would cost a
   * number-to-string conversion, many times the cost of the rest of the digest) */
  digest(): string {
    let h1 = this.h1;
    let h2 = this.h2;
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return String.fromCharCode(
      h1 & 255,
      (h1 >>> 8) & 255,
      (h1 >>> 16) & 255,
      h1 >>> 24,
      h2 & 255,
      (h2 >>> 8) & 255,
      (h2 >>> 16) & 255,
      h2 >>> 24,
    );
  }
}

/** one hasher for the thread: hashing never nests */
const h = new Hasher();

/** (key, value) pairs of a Map gathered to be fed in key order, in reused arrays */
const pairKeys: number[] = [];
const pairVals: number[] = [];
let pairs = 0;
function gatherPair(v: number, k: number): void {
  // insertion sort: the maps are small and mostly already in key order
  let j = pairs++;
  for (; j > 0 && pairKeys[j - 1] > k; j--) {
    pairKeys[j] = pairKeys[j - 1];
    pairVals[j] = pairVals[j - 1];
  }
  pairKeys[j] = k;
  pairVals[j] = v;
}

function gatherCachePage(p: Page, i: number): void {
  gatherPair(p.pfn, i);
}

function hashLocal(v: unknown, name: string): void {
  h.tag(15);
  h.str(name);
  if (typeof v === 'string') return h.str(v);
  // a number or a boolean is its text, as a string is (String(v) is rare: locals hold page sets)
  if (typeof v === 'number' || typeof v === 'boolean') return h.str(String(v));
  const set = v as { pages?: unknown; releasedBy?: string | null } | null;
  if (set && Array.isArray(set.pages)) {
    h.tag(1);
    const pages = set.pages as { pfn: number }[];
    for (let i = 0; i < pages.length; i++) h.num(pages[i].pfn);
    h.str(set.releasedBy ?? '');
    return;
  }
  h.str(typeof v);
}

function hashMapping(v: Vma): void {
  h.str(v.mm.name);
  h.num(v.vmStart);
}

function hashSample(v: number, name: string): void {
  h.tag(14);
  h.str(name);
  h.num(v);
}

function hashPromisedProt(pr: number, pn: number): void {
  h.tag(5);
  h.num(pn);
  h.num(pr);
}

function hashSwapSlot(s: { count: number; page: { pfn: number } | null; userWrites: number }, slot: number): void {
  h.tag(11);
  h.num(slot);
  h.num(s.count);
  h.num(s.page?.pfn ?? -1);
  h.num(s.userWrites);
}

/** the 32-bit per-page fields (typed arrays of mem_map), refilled at each hash */
const pageCols: Int32Array[] = [];

function hashMms(k: Kernel): void {
  for (const mm of k.mms.values()) {
    h.tag(2);
    h.str(mm.name);
    h.num(mm.rss);
    mm.mmapSem.hashState(h);
    mm.pageTableLock.hashState(h);
    for (let v = mm.vmas.head; v !== null; v = v.next) {
      h.tag(3);
      h.num(v.start);
      h.num(v.end);
      h.num(v.flags);
      h.num(v.pgoff);
      h.str(v.file?.name ?? '');
      if (v.anonVma !== null) {
        h.str(v.anonVma.name);
        v.anonVma.lock.hashState(h);
        // its VMA list in order: reclaim walks an anonymous page's mappings in it
        const head = v.anonVma.head;
        h.word(head.length);
        for (let i = 0; i < head.length; i++) hashMapping(head[i]);
      }
    }
    hashPtes(mm.pt.tables());
    if (mm.promisedProt.size > 0) mm.promisedProt.forEach(hashPromisedProt);
  }
}

/** present, swap and file ptes in address order: the address, the kind and protection/dirty/young
 * bits, and the value (the lanes in locals: a huge page's VMA has hundreds of ptes) */
function hashPtes(tables: readonly { base: number; t: PteTable }[]): void {
  let a = h.h1;
  let b = h.h2;
  for (let ti = 0; ti < tables.length; ti++) {
    const base = tables[ti].base;
    const t = tables[ti].t;
    const bits = t.bits;
    const val = t.val;
    // `used` non-none entries in the table: stop after the last one
    for (let i = 0, left = t.used; left > 0 && i < PTRS_PER_PTE; i++) {
      const bi = bits[i];
      if ((bi & 3) === 0) continue;
      left--;
      const addr = base + i * PAGE_SIZE;
      const v = val[i];
      // tag 4, the address and the value as num() feeds them, then the bits
      const words0 = 0x7f000004;
      a = Math.imul(a ^ words0, 2654435761);
      b = Math.imul(b ^ words0, 1597334677);
      let x = addr | 0;
      a = Math.imul(a ^ x, 2654435761);
      b = Math.imul(b ^ x, 1597334677);
      x = ((addr - (addr >>> 0)) / 4294967296) | 0;
      a = Math.imul(a ^ x, 2654435761);
      b = Math.imul(b ^ x, 1597334677);
      a = Math.imul(a ^ bi, 2654435761);
      b = Math.imul(b ^ bi, 1597334677);
      x = v | 0;
      a = Math.imul(a ^ x, 2654435761);
      b = Math.imul(b ^ x, 1597334677);
      x = ((v - (v >>> 0)) / 4294967296) | 0;
      a = Math.imul(a ^ x, 2654435761);
      b = Math.imul(b ^ x, 1597334677);
    }
  }
  h.h1 = a;
  h.h2 = b;
}

/** the pages in use, by pfn: the struct page fields, page->mapping, the page lock, the anon_vma */
function hashPages(alloc: PageAllocator): void {
  const mem = alloc.mem;
  const free = mem.free;
  const cols = pageCols;
  cols.length = 0;
  cols.push(mem.count, mem.mapcount, mem.pins, mem.flags, mem.version, mem.userWrites, mem.swapSlot);
  const index = mem.index;
  const objectRmap = alloc.objectRmap;
  // page->mapping's name, looked up again only when the mapping changes from one pfn to the next
  let space: AddressSpace | null | undefined = undefined;
  let spaceLo = 0;
  let spaceHi = 0;
  let a = h.h1;
  let b = h.h2;
  for (let pfn = 0, n = mem.size; pfn < n; pfn++) {
    if (free[pfn] !== 0) continue;
    let x = 0x7f000006;
    a = Math.imul(a ^ x, 2654435761);
    b = Math.imul(b ^ x, 1597334677);
    a = Math.imul(a ^ pfn, 2654435761);
    b = Math.imul(b ^ pfn, 1597334677);
    for (let c = 0; c < 7; c++) {
      x = cols[c][pfn];
      a = Math.imul(a ^ x, 2654435761);
      b = Math.imul(b ^ x, 1597334677);
    }
    x = index[pfn] | 0;
    a = Math.imul(a ^ x, 2654435761);
    b = Math.imul(b ^ x, 1597334677);
    const sp = alloc.mappingOf(pfn);
    if (sp !== space) {
      space = sp;
      const i = strSlotOf(sp === null ? '' : sp.name);
      spaceLo = strLo[i];
      spaceHi = strHi[i];
    }
    a = Math.imul(a ^ spaceLo, 2654435761);
    b = Math.imul(b ^ spaceLo, 1597334677);
    a = Math.imul(a ^ spaceHi, 2654435761);
    b = Math.imul(b ^ spaceHi, 1597334677);
    const lock = alloc.pageLockOf(pfn);
    if (lock === null) {
      // as an unheld lock feeds itself
      a = Math.imul(a, 2654435761);
      b = Math.imul(b, 1597334677);
    }
    // the pte_chain in order (2.5 reclaim walks it: whose page_table_lock it tries first)
    const rmapMm = mem.rmapMmOf(pfn);
    const more = rmapMm === null ? null : alloc.rmapMoreOf(pfn);
    if (lock !== null || objectRmap || rmapMm !== null) {
      h.h1 = a;
      h.h2 = b;
      if (lock !== null) lock.hashState(h);
      if (objectRmap) h.str(alloc.anonVmaOf(pfn)?.name ?? '');
      if (rmapMm !== null) {
        h.str(rmapMm.name);
        h.num(mem.rmapAddr[pfn]);
        if (more !== null) {
          h.word(more.length);
          for (let i = 0; i < more.length; i++) {
            h.str(more[i].mm.name);
            h.num(more[i].addr);
          }
        }
      }
      a = h.h1;
      b = h.h2;
    }
  }
  h.h1 = a;
  h.h2 = b;
}

function hashFiles(k: Kernel): void {
  for (const f of k.files.values()) {
    h.tag(7);
    h.str(f.name);
    h.num(f.size);
    // the backing store: its extent and the versions writes raised, in page order
    h.num(f.extentPages);
    const bumped = f.bumpedVersions;
    h.word(bumped.size);
    pairs = 0;
    bumped.forEach(gatherPair);
    for (let i = 0; i < pairs; i++) {
      h.num(pairKeys[i]);
      h.num(pairVals[i]);
    }
    for (const s of f.spaceMap.values()) {
      h.tag(8);
      h.str(s.name);
      s.truncateCount.hashState(h);
      s.iSharedSem.hashState(h);
      s.iMmapLock.hashState(h);
      h.num(s.invalidating);
      // the mapping lists in their order: an invalidation zaps the mms in it (truncate's page_table_lock
      // of one mm or the other first)
      h.word(s.mappings.size);
      s.mappings.forEach(hashMapping);
      h.word(s.nonlinear.size);
      s.nonlinear.forEach(hashMapping);
      // in offset order: inserts at two offsets in either order are one state (Map.prototype.forEach:
      // the cache's own accessors record footprints)
      pairs = 0;
      s.cache.forEach(gatherCachePage);
      for (let i = 0; i < pairs; i++) {
        h.tag(9);
        h.num(pairKeys[i]);
        h.num(pairVals[i]);
      }
    }
  }
  for (const t of k.dfs.tokenMap.values()) {
    h.tag(10);
    h.str(t.key);
    t.hashState(h);
  }
}

function hashTasks(tasks: readonly Task[]): void {
  for (let ti = 0; ti < tasks.length; ti++) {
    const t = tasks[ti];
    h.tag(12);
    h.word(t.id);
    h.word(+t.done);
    h.num(t.opIndex);
    h.num(t.stepsInOp);
    h.word(t.step.kind);
    h.str(t.step.fn);
    h.str(t.step.label);
    const held = t.heldLocks;
    for (let i = 0; i < held.length; i++) h.str(held[i].key);
    // what the task keeps in its own variables: try results, sampled values, fault counts of the
    // access in progress (its result), page sets collected
    h.tag(13);
    h.word(+t.tryResult);
    h.num(t.accessFaults);
    h.num(t.accessMajor);
    if (t.samples.size > 0) t.samples.forEach(hashSample);
    if (t.locals.size > 0) t.locals.forEach(hashLocal);
    // interpreted kernel C: program counters and locals of the live frames
    if (t.interp !== null) {
      h.tag(16);
      h.text(t.interp.state());
    }
  }
}

export function hashKernelState(k: Kernel, tasks: readonly Task[]): string {
  h.reset();
  hashMms(k);
  hashPages(k.alloc);
  hashFiles(k);
  if (k.swap.slots.size > 0) k.swap.slots.forEach(hashSwapSlot);
  if (k.tlb !== null) {
    h.tag(17);
    h.text(k.tlb.state());
  }
  hashTasks(tasks);
  return h.digest();
}
