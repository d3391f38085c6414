// The state hash as it was before it was made allocation-free (src/engine/sim/stateHash.ts at b76fa68),
// kept as the baseline of bench/stateHash.ts: the same run times both and checks that they split
// states into the same classes. Two accessors it used went (File.backingState, lockStateOf): their
// expressions are inlined. The order of the mapping lists, anon_vma lists and pte_chains was added
// when the state hash gained it.

import { PAGE_SIZE, PTRS_PER_PTE } from '../src/engine/sim/constants';
import type { Kernel } from '../src/engine/sim/kernel';
import type { Task } from '../src/engine/sim/task';

/** two 32-bit lanes (the mixing of cyrb53), fed field by field */
class Hasher {
  h1 = 0xdeadbeef;
  h2 = 0x41c6ce57;
  /** a number (integers up to 2^53; pte values, counts, flags) */
  num(n: number): void {
    const lo = n | 0;
    const hi = (n - (n >>> 0)) / 4294967296;
    this.word(lo);
    if (hi !== 0) this.word(hi | 0);
  }
  word(w: number): void {
    this.h1 = Math.imul(this.h1 ^ w, 2654435761);
    this.h2 = Math.imul(this.h2 ^ w, 1597334677);
  }
  /** a string, its length first so that neighbouring fields cannot run together */
  str(s: string): void {
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
  /** a record tag (which kind of object the next fields describe) */
  tag(c: number): void {
    this.word(0x7f000000 | c);
  }
  digest(): string {
    let h1 = this.h1;
    let h2 = this.h2;
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return (h2 >>> 0).toString(16).padStart(8, '0') + (h1 >>> 0).toString(16).padStart(8, '0');
  }
}

function localKey(h: Hasher, v: unknown): void {
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return h.str(String(v));
  const set = v as { pages?: unknown; releasedBy?: string | null } | null;
  if (set && Array.isArray(set.pages)) {
    h.tag(1);
    for (const p of set.pages as { pfn: number }[]) h.num(p.pfn);
    h.str(set.releasedBy ?? '');
    return;
  }
  h.str(typeof v);
}

export function hashKernelStateBaseline(k: Kernel, tasks: readonly Task[]): string {
  const h = new Hasher();
  for (const mm of k.mms.values()) {
    h.tag(2);
    h.str(mm.name);
    h.num(mm.rss);
    h.str(mm.mmapSem.state());
    h.str(mm.pageTableLock.state());
    for (const v of mm.vmas) {
      h.tag(3);
      h.num(v.start);
      h.num(v.end);
      h.num(v.flags);
      h.num(v.pgoff);
      h.str(v.file?.name ?? '');
      if (v.anonVma !== null) {
        h.str(v.anonVma.name);
        h.str(v.anonVma.lock.state());
        h.str(v.anonVma.head.map((x) => `${x.mm.name}@${x.vmStart}`).join(','));
      }
    }
    // present, swap and file ptes in address order: kind, value and the protection/dirty/young bits
    for (const { base, t } of mm.pt.tables()) {
      const bits = t.bits;
      // `used` non-none entries in the table: stop after the last one
      for (let i = 0, left = t.used; left > 0 && i < PTRS_PER_PTE; i++) {
        const b = bits[i];
        if ((b & 3) === 0) continue;
        left--;
        h.tag(4);
        h.num(base + i * PAGE_SIZE);
        h.word(b);
        h.num(t.val[i]);
      }
    }
    for (const [pn, pr] of mm.promisedProt) {
      h.tag(5);
      h.num(pn);
      h.num(pr);
    }
  }
  const alloc = k.alloc;
  const mem = alloc.mem;
  for (let pfn = 0; pfn < mem.size; pfn++) {
    if (mem.free[pfn] !== 0) continue;
    h.tag(6);
    h.num(pfn);
    h.num(mem.count[pfn]);
    h.num(mem.mapcount[pfn]);
    h.num(mem.pins[pfn]);
    h.num(mem.flags[pfn]);
    h.str(alloc.mappingOf(pfn)?.name ?? '');
    h.num(mem.index[pfn]);
    h.num(mem.version[pfn]);
    h.num(mem.userWrites[pfn]);
    h.num(mem.swapSlot[pfn]);
    h.str(alloc.pageLockOf(pfn)?.state() ?? '-');
    if (alloc.objectRmap) h.str(alloc.anonVmaOf(pfn)?.name ?? '');
    const first = mem.rmapMmOf(pfn);
    if (first !== null)
      h.str([{ mm: first, addr: mem.rmapAddr[pfn] }, ...(alloc.rmapMoreOf(pfn) ?? [])].map((e) => `${e.mm.name}@${e.addr}`).join(','));
  }
  for (const f of k.files.values()) {
    h.tag(7);
    h.str(f.name);
    h.num(f.size);
    const bumped = [...f.bumpedVersions].sort((a, b) => a[0] - b[0]);
    h.str(`${f.extentPages}:${bumped.map(([i, v]) => `${i}=${v}`).join(',')}`);
    for (const s of f.spacesList()) {
      h.tag(8);
      h.str(s.name);
      h.str(s.truncateCount.state());
      h.str(s.iSharedSem.state());
      h.str(s.iMmapLock.state());
      h.num(+s.invalidating);
      // added with the current hash's field, so that both split states alike
      h.num(s.mappings.size);
      for (const v of s.mappings) h.str(`${v.mm.name}@${v.vmStart}`);
      h.num(s.nonlinear.size);
      for (const v of s.nonlinear) h.str(`${v.mm.name}@${v.vmStart}`);
      // in offset order: inserts at two offsets in either order are one state
      const idx = [...s.cache.keys()].sort((x, y) => x - y);
      for (const i of idx) {
        h.tag(9);
        h.num(i);
        h.num(s.cache.get(i)!.pfn);
      }
    }
  }
  for (const t of k.dfs.allTokens()) {
    h.tag(10);
    h.str(t.key);
    h.str(t.state());
  }
  for (const [slot, s] of k.swap.slots) {
    h.tag(11);
    h.num(slot);
    h.num(s.count);
    h.num(s.page?.pfn ?? -1);
    h.num(s.userWrites);
  }
  if (k.tlb !== null) {
    h.tag(17);
    h.str(k.tlb.state());
  }

  for (const t of tasks) {
    h.tag(12);
    h.num(t.id);
    h.num(+t.done);
    h.num(t.opIndex);
    h.num(t.stepsInOp);
    h.num(t.step.kind);
    h.str(t.step.fn);
    h.str(t.step.label);
    for (const l of t.heldLocks) h.str(l.key);
    // what the task keeps in its own variables: try results, sampled values, fault counts of the
    // access in progress (its result), page sets collected
    h.tag(13);
    h.num(+t.tryResult);
    h.num(t.accessFaults);
    h.num(t.accessMajor);
    for (const [name, v] of t.samples) {
      h.tag(14);
      h.str(name);
      h.num(v);
    }
    for (const [name, v] of t.locals) {
      h.tag(15);
      h.str(name);
      localKey(h, v);
    }
    // interpreted kernel C: program counters and locals of the live frames
    if (t.interp !== null) {
      h.tag(16);
      h.str(t.interp.state());
    }
  }
  return h.digest();
}
