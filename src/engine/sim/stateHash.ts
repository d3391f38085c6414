// A hash of the whole kernel state plus each task's position, for state caching in the explorer.
// Two states with the same hash are treated as the same: every piece of state that can change the
// future (ptes, VMAs, pages, page caches, locks, swap, each task's place in its operations and the
// values it sampled) is in it.

import type { Kernel } from './kernel';
import type { Task } from './task';

function cyrb53(str: string, seed = 0): string {
  let h1 = 0xdeadbeef ^ seed,
    h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h2 >>> 0).toString(16).padStart(8, '0') + (h1 >>> 0).toString(16).padStart(8, '0');
}

function localKey(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return String(v);
  const set = v as { pages?: unknown; releasedBy?: string | null } | null;
  if (set && Array.isArray(set.pages)) return `${(set.pages as { pfn: number }[]).map((p) => p.pfn).join(',')}:${set.releasedBy ?? ''}`;
  return typeof v;
}

export function stateString(k: Kernel, tasks: readonly Task[]): string {
  const out: string[] = [];
  for (const mm of k.mms.values()) {
    out.push(`M${mm.name}:${mm.rss}:${mm.mmapSem.state()}:${mm.pageTableLock.state()}`);
    for (const v of mm.vmas) out.push(`v${v.start}-${v.end}:${v.flags}:${v.pgoff}:${v.file?.name ?? ''}`);
    for (const [a, p] of mm.pt.entries()) out.push(`p${a}:${p.kind}:${p.val}:${p.prot}:${+p.dirty}${+p.young}${+p.protValid}`);
    for (const [pn, pr] of mm.promisedProt) out.push(`P${pn}:${pr}`);
  }
  for (const p of k.alloc.pages()) {
    if (p.free) continue;
    out.push(
      `g${p.pfn}:${p.count}:${p.mapcount}:${p.pins}:${p.flags}:${p.mapping?.name ?? ''}:${p.index}:${p.version}:${p.userWrites}:${p.swapSlot}:${p.lockState()}`,
    );
  }
  for (const f of k.files.values()) {
    out.push(`f${f.name}:${f.size}:${f.backingState()}`);
    for (const s of f.spacesList()) {
      out.push(`s${s.name}:${s.truncateCount.state()}:${s.iSharedSem.state()}:${s.invalidating}`);
      // in offset order: inserts at two offsets in either order are one state
      const idx = [...s.cache.keys()].sort((x, y) => x - y);
      for (const i of idx) out.push(`c${i}:${s.cache.get(i)!.pfn}`);
    }
  }
  for (const t of k.dfs.allTokens()) out.push(`t${t.key}:${t.state()}`);
  for (const [slot, s] of k.swap.slots) out.push(`w${slot}:${s.count}:${s.page?.pfn ?? -1}:${s.userWrites}`);
  if (k.tlb !== null) out.push(`tlb${k.tlb.state()}`);
  for (const t of tasks) {
    out.push(
      `T${t.id}:${+t.done}:${t.opIndex}:${t.stepsInOp}:${t.step.kind}:${t.step.fn}:${t.step.label}:${t.heldLocks.map((l) => l.key).join('.')}`,
    );
    // what the task keeps in its own variables: try results, sampled values, fault counts of the
    // access in progress (its result), page sets collected
    out.push(`l${+t.tryResult}:${t.accessFaults}:${t.accessMajor}`);
    for (const [name, v] of t.samples) out.push(`x${name}=${v}`);
    for (const [name, v] of t.locals) out.push(`L${name}=${localKey(v)}`);
    // interpreted kernel C: program counters and locals of the live frames
    if (t.interp !== null) out.push(`C${t.interp.state()}`);
  }
  return out.join('|');
}

export function hashKernelState(k: Kernel, tasks: readonly Task[]): string {
  return cyrb53(stateString(k, tasks));
}
