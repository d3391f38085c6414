// The footprints the new kernel paths record for partial-order reduction (see Footprint in
// step.ts): each names what the kernel step touches, so that dpor.ts never calls two conflicting
// steps independent. dpor.test.ts checks the verdicts on the bundled scenarios; here the keys.

import { describe, expect, it } from 'vitest';

import { createMachine, type StepInfo, type WorldSpec } from '../../../src/engine/index';
import { PG_dirty, PG_lru, PG_uptodate, PageAllocator } from '../../../src/engine/mm/page';
import { footprint } from '../../../src/engine/sim/step';
import { dependent } from '../../../src/scenario/dporConflicts';

function recorded(f: () => void): { reads: string[]; writes: string[] } {
  footprint.on = true;
  footprint.reads = [];
  footprint.writes = [];
  try {
    f();
  } finally {
    footprint.on = false;
  }
  return { reads: footprint.reads, writes: footprint.writes };
}

describe('page fields', () => {
  it('each flag bit is its own object; the LRU bit is the page on the LRU, which a scan reads for every page', () => {
    const alloc = new PageAllocator(1 << 30);
    const p = alloc.alloc()!;
    const set = recorded(() => p.setFlags(PG_uptodate | PG_lru));
    expect(set.writes.sort()).toEqual([`lru:${p.pfn}`, `pg${p.pfn}:uptodate`]);
    // setting a bit already set writes nothing
    expect(recorded(() => p.setFlags(PG_uptodate)).writes).toEqual([]);
    const dirty = recorded(() => p.setFlags(PG_dirty));
    const uptodate = recorded(() => p.test(PG_uptodate));
    expect(dependent(dirty, uptodate)).toBe(false);
    expect(
      dependent(
        recorded(() => p.clearFlags(PG_uptodate)),
        uptodate,
      ),
    ).toBe(true);
    // a read of the whole word conflicts with any bit
    expect(
      dependent(
        dirty,
        recorded(() => void p.flags),
      ),
    ).toBe(true);
    expect(
      dependent(
        { reads: ['lru:*'], writes: [] },
        recorded(() => p.clearFlags(PG_lru)),
      ),
    ).toBe(true);
    // freeing clears the bits, a write of each
    p.setFlags(PG_lru);
    const free = recorded(() => alloc.put(p));
    expect(free.writes).toEqual(expect.arrayContaining([`lru:${p.pfn}`, `pg${p.pfn}:dirty`, `page:count:${p.pfn}`]));
  });

  it('the reference count and the rmap are read where they decide (page_count, page_mapcount)', () => {
    const alloc = new PageAllocator(1 << 30);
    const p = alloc.alloc()!;
    expect(recorded(() => void p.count).reads).toEqual([`page:count:${p.pfn}`]);
    expect(recorded(() => void p.mapcount).reads).toEqual([`page:rmap:${p.pfn}`]);
    expect(
      dependent(
        recorded(() => alloc.get(p)),
        recorded(() => void p.count),
      ),
    ).toBe(true);
  });
});

/** the steps of a default run, with their footprints */
function steps(w: WorldSpec): StepInfo[] {
  const m = createMachine(w, { fault: '2.5.70' });
  const out: StepInfo[] = [];
  for (let r = m.runnable(); r.length > 0; r = m.runnable()) out.push(m.step(r[0]));
  return out;
}

describe('new paths', () => {
  it('a TLB fill on one CPU and the flush of munmap on another conflict; lookups of two CPUs do not', () => {
    const w: WorldSpec = {
      cpus: ['cpu0', 'cpu1'],
      mms: [{ name: 'app' }],
      tasks: [
        {
          name: 'main',
          mm: 'app',
          cpu: 'cpu0',
          ops: [
            { op: 'mmap', addr: 0x10000, pages: 1, prot: 'rw-' },
            { op: 'write', addr: 0x10000 },
            { op: 'read', addr: 0x10000 },
            { op: 'munmap', addr: 0x10000, pages: 1 },
          ],
        },
        { name: 'reader', mm: 'app', cpu: 'cpu1', ops: [{ op: 'read', addr: 0x10000 }] },
      ],
    };
    const s = steps(w);
    const lookup = s.find((x) => x.label === 'TLB lookup' && x.task === 0)!;
    expect(lookup.reads).toEqual(['tlb:app/0x10000@cpu0']);
    const fill = s.find((x) => x.writes.includes('tlb:app/0x10000@cpu0'))!;
    const flush = s.find((x) => x.label.startsWith('tlb_flush'))!;
    expect(flush.writes).toContain('tlb:app/*');
    expect(dependent(fill, flush)).toBe(true);
    expect(dependent(lookup, { reads: ['tlb:app/0x10000@cpu1'], writes: [] })).toBe(false);
    // the free after the flush checks every TLB for the page (tlb-stale)
    expect(s.some((x) => x.reads.includes('tlb:*') && x.writes.includes('kernel:free_list'))).toBe(true);
  });

  it("kswapd's isolation reads every page's LRU bit and conflicts with a fault's lru_cache_add", () => {
    const w: WorldSpec = {
      mms: [{ name: 'app' }],
      tasks: [
        {
          name: 'app',
          mm: 'app',
          ops: [
            { op: 'mmap', addr: 0x10000, pages: 1, prot: 'rw-' },
            { op: 'write', addr: 0x10000 },
          ],
        },
        { name: 'kswapd', ops: [{ op: 'kswapd' }] },
      ],
    };
    const s = steps(w);
    const isolate = s.find((x) => x.task === 1 && x.reads.includes('lru:*'))!;
    expect(isolate).toBeDefined();
    const add = s.find((x) => x.task === 0 && x.writes.some((k) => k.startsWith('lru:')))!;
    expect(dependent(isolate, add)).toBe(true);
  });

  it("add_to_page_cache: the insert under tree_lock writes the slot and the new page's lock", () => {
    const w: WorldSpec = {
      files: [{ name: 'lib', pages: 1 }],
      mms: [{ name: 'a' }],
      tasks: [
        {
          name: 'a',
          mm: 'a',
          ops: [
            { op: 'mmap', addr: 0x10000, pages: 1, prot: 'r--', file: 'lib' },
            { op: 'read', addr: 0x10000 },
          ],
        },
      ],
    };
    const s = steps(w);
    const insert = s.find((x) => x.label === 'radix_tree_insert')!;
    expect(insert.writes).toEqual(expect.arrayContaining(['file:lib/page:0x0', expect.stringMatching(/^lock:page\/page_lock/)]));
    const i = s.indexOf(insert);
    expect(s[i - 1].label).toBe('spin_lock(tree_lock)');
    expect(s[i + 1].label).toBe('spin_unlock(tree_lock)');
  });
});
