// VMA tree: find_vma, the vm_next list, split and merge in mmap/munmap/mprotect, map count limit.

import fc from 'fast-check';
import { describe, it, expect } from 'vitest';

import { createMachine, runDirect, VM_READ, VM_WRITE, PAGE_SIZE } from '../../../src/engine/index';
import { MmStruct } from '../../../src/engine/mm/mmStruct';
import { VmaTree, Vma } from '../../../src/engine/mm/vma';
import type { OpSpec } from '../../../src/engine/sim/spec';
import { footprint } from '../../../src/engine/sim/step';

function tree(ranges: [number, number][]): { t: VmaTree; mm: MmStruct } {
  const mm = new MmStruct('A', null);
  for (const [s, e] of ranges) mm.vmas.insert(new Vma(mm, s * PAGE_SIZE, e * PAGE_SIZE, VM_READ, s, null, null));
  return { t: mm.vmas, mm };
}

describe('VmaTree', () => {
  it('find_vma returns the first VMA ending above the address', () => {
    const { t } = tree([
      [10, 20],
      [30, 40],
      [50, 60],
    ]);
    expect(t.find(5 * PAGE_SIZE)?.start).toBe(10 * PAGE_SIZE);
    expect(t.find(15 * PAGE_SIZE)?.start).toBe(10 * PAGE_SIZE);
    expect(t.find(20 * PAGE_SIZE)?.start).toBe(30 * PAGE_SIZE);
    expect(t.find(45 * PAGE_SIZE)?.start).toBe(50 * PAGE_SIZE);
    expect(t.find(60 * PAGE_SIZE)).toBeNull();
  });
  it('keeps the vm_next list in address order whatever the insertion order', () => {
    const { t } = tree([
      [50, 60],
      [10, 20],
      [30, 40],
      [0, 5],
    ]);
    expect([...t].map((v) => v.start / PAGE_SIZE)).toEqual([0, 10, 30, 50]);
    expect(t.head!.prev).toBeNull();
    t.remove(t.find(35 * PAGE_SIZE)!);
    expect([...t].map((v) => v.start / PAGE_SIZE)).toEqual([0, 10, 50]);
    expect(t.count).toBe(3);
  });
  it('uses the mmap_cache on a repeated lookup', () => {
    const { t } = tree([
      [10, 20],
      [30, 40],
    ]);
    t.find(31 * PAGE_SIZE);
    expect(t.lastVisits).toBeGreaterThan(0);
    t.find(32 * PAGE_SIZE);
    expect(t.lastVisits).toBe(0);
  });
  it('records its footprint: lookups and field reads read the VMA key of the mm, changes write it', () => {
    const { t, mm } = tree([
      [10, 20],
      [30, 40],
    ]);
    const during = (f: () => void) => {
      footprint.reads = [];
      footprint.writes = [];
      footprint.on = true;
      try {
        f();
      } finally {
        footprint.on = false;
      }
      return { reads: [...new Set(footprint.reads)], writes: [...new Set(footprint.writes)] };
    };
    expect(mm.vmasKey).toBe('mm:A/vmas');
    expect(during(() => t.find(35 * PAGE_SIZE))).toEqual({ reads: ['mm:A/vmas'], writes: [] });
    const v = t.find(15 * PAGE_SIZE)!;
    expect(during(() => v.end + v.flags + v.pgoff)).toEqual({ reads: ['mm:A/vmas'], writes: [] });
    expect(during(() => [...t])).toEqual({ reads: ['mm:A/vmas'], writes: [] });
    expect(during(() => (v.end = 12 * PAGE_SIZE))).toEqual({ reads: [], writes: ['mm:A/vmas'] });
    expect(during(() => (v.flags |= VM_WRITE))).toEqual({ reads: ['mm:A/vmas'], writes: ['mm:A/vmas'] });
    expect(during(() => t.rekey(v, 11 * PAGE_SIZE))).toEqual({ reads: [], writes: ['mm:A/vmas'] });
    expect(during(() => t.remove(v)).writes).toEqual(['mm:A/vmas']);
    expect(during(() => t.insert(new Vma(mm, 0, PAGE_SIZE, VM_READ, 0, null, null))).writes).toEqual(['mm:A/vmas']);
    // outside a step nothing is recorded
    footprint.reads = [];
    t.find(35 * PAGE_SIZE);
    void v.start;
    expect(footprint.reads).toEqual([]);
  });
  it('looks up in logarithmic time on 50k VMAs', () => {
    const ranges: [number, number][] = [];
    for (let i = 0; i < 50000; i++) ranges.push([i * 2, i * 2 + 1]);
    const { t } = tree(ranges);
    let max = 0;
    for (let i = 0; i < 2000; i++) {
      t.cache = null;
      const v = t.find(((i * 7919) % 50000) * 2 * PAGE_SIZE);
      expect(v).not.toBeNull();
      max = Math.max(max, t.lastVisits);
    }
    expect(max).toBeLessThan(4 * Math.log2(50000));
  });
});

function run(ops: OpSpec[], maxMapCount?: number) {
  const m = runDirect({ mms: [{ name: 'A' }], maxMapCount, tasks: [{ name: 'T', mm: 'A', ops }] }, {});
  return { m, mm: m.kernel.mms.get('A')!, results: m.results.map((r) => r.result) };
}
const P = PAGE_SIZE;
const vmaList = (mm: MmStruct) => [...mm.vmas].map((v) => [v.start / P, v.end / P, v.flags & 7]);

describe('mmap / munmap / mprotect', () => {
  it('adjacent anonymous mmaps with equal flags merge (vma_merge)', () => {
    const { mm } = run([
      { op: 'mmap', addr: 16 * P, pages: 2, prot: 'rw-' },
      { op: 'mmap', addr: 18 * P, pages: 2, prot: 'rw-' },
      { op: 'mmap', addr: 14 * P, pages: 2, prot: 'rw-' },
    ]);
    expect(vmaList(mm)).toEqual([[14, 20, VM_READ | VM_WRITE]]);
  });
  it('mprotect in the middle splits into three, and back merges into one', () => {
    const { mm, results } = run([
      { op: 'mmap', addr: 16 * P, pages: 6, prot: 'rw-' },
      { op: 'mprotect', addr: 18 * P, pages: 2, prot: 'r--' },
    ]);
    expect(results[1]).toBe('0');
    expect(vmaList(mm)).toEqual([
      [16, 18, 3],
      [18, 20, 1],
      [20, 22, 3],
    ]);
    const r2 = run([
      { op: 'mmap', addr: 16 * P, pages: 6, prot: 'rw-' },
      { op: 'mprotect', addr: 18 * P, pages: 2, prot: 'r--' },
      { op: 'mprotect', addr: 18 * P, pages: 2, prot: 'rw-' },
    ]);
    expect(vmaList(r2.mm)).toEqual([[16, 22, 3]]);
  });
  it('munmap in the middle splits, and zaps only the unmapped ptes', () => {
    const { mm, m } = run([
      { op: 'mmap', addr: 16 * P, pages: 4, prot: 'rw-' },
      { op: 'touch', addr: 16 * P, pages: 4, write: true },
      { op: 'munmap', addr: 17 * P, pages: 2 },
    ]);
    expect(vmaList(mm)).toEqual([
      [16, 17, 3],
      [19, 20, 3],
    ]);
    expect(mm.rss).toBe(2);
    expect(m.violations).toEqual([]);
    expect(m.kernel.alloc.allocated).toBe(2);
  });
  it('mprotect over several VMAs goes on after one that merged with its next (sys_mprotect uses prev->vm_end)', () => {
    // r-- [3,6) with rw- mapped over page 4; mprotect rw- on [3,6): the first fixup merges [3,4) with [4,5)
    const { mm, results } = run([
      { op: 'mmap', addr: 19 * P, pages: 3, prot: 'r--' },
      { op: 'mmap', addr: 20 * P, pages: 1, prot: 'rw-' },
      { op: 'mprotect', addr: 19 * P, pages: 3, prot: 'rw-' },
    ]);
    expect(results[2]).toBe('0');
    expect(vmaList(mm)).toEqual([[19, 22, 3]]);
    expect(mm.mapCount).toBe(1);
  });
  it('user mappings end below TASK_SIZE (3 GB on i386): beyond it mmap is -ENOMEM, and a 4 GB length -EINVAL', () => {
    const top = 0xc0000000;
    const { results, mm } = run([
      { op: 'mmap', addr: top - 2 * P, pages: 2, prot: 'rw-' },
      { op: 'mmap', addr: top - P, pages: 2, prot: 'rw-' },
      { op: 'mmap', addr: 0, pages: 0x100000, prot: 'rw-' },
      { op: 'munmap', addr: top, pages: 1 },
      { op: 'write', addr: top },
    ]);
    expect(results).toEqual(['0xbfffe000', '-ENOMEM', '-EINVAL', '-EINVAL', 'SIGSEGV']);
    expect(vmaList(mm)).toEqual([[(top - 2 * P) / P, top / P, 3]]);
  });
  it('mprotect over a hole is -ENOMEM', () => {
    const { results } = run([
      { op: 'mmap', addr: 16 * P, pages: 1, prot: 'rw-' },
      { op: 'mprotect', addr: 16 * P, pages: 2, prot: 'r--' },
    ]);
    expect(results[1]).toBe('-ENOMEM');
  });
  it('a split beyond sysctl_max_map_count fails with -ENOMEM', () => {
    const { results, mm } = run(
      [
        { op: 'mmap', addr: 16 * P, pages: 8, prot: 'rw-' },
        { op: 'mprotect', addr: 17 * P, pages: 1, prot: 'r--' },
        { op: 'mprotect', addr: 19 * P, pages: 1, prot: 'r--' },
      ],
      3,
    );
    expect(results).toEqual(['0x10000', '0', '-ENOMEM']);
    expect(mm.mapCount).toBe(3);
  });
  it('mmap is refused once map_count exceeds the limit', () => {
    const ops: OpSpec[] = [];
    for (let i = 0; i < 6; i++) ops.push({ op: 'mmap', addr: (16 + 2 * i) * P, pages: 1, prot: 'rw-' });
    const { results } = run(ops, 4);
    // do_mmap_pgoff tests "map_count > sysctl_max_map_count" before adding one
    expect(results).toEqual(['0x10000', '0x12000', '0x14000', '0x16000', '0x18000', '-ENOMEM']);
  });
});

describe('VMA properties (fast-check)', () => {
  type Op = { kind: 'mmap' | 'munmap' | 'mprotect'; at: number; n: number; prot: number };
  const opArb = fc.record({
    kind: fc.constantFrom('mmap', 'munmap', 'mprotect'),
    at: fc.integer({ min: 0, max: 30 }),
    n: fc.integer({ min: 1, max: 6 }),
    prot: fc.constantFrom(1, 3, 5),
  }) as fc.Arbitrary<Op>;
  const protStr = (p: number) => (p & 1 ? 'r' : '-') + (p & 2 ? 'w' : '-') + (p & 4 ? 'x' : '-');

  it('split/merge keeps VMAs sorted, disjoint, covering exactly what user space mapped, with its protections', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 25 }), (ops) => {
        const model = new Array<number>(40).fill(-1);
        const spec: OpSpec[] = [];
        for (const o of ops) {
          const addr = (16 + o.at) * P;
          if (o.kind === 'mmap') {
            spec.push({ op: 'mmap', addr, pages: o.n, prot: protStr(o.prot) });
            for (let i = 0; i < o.n; i++) model[o.at + i] = o.prot;
          } else if (o.kind === 'munmap') {
            spec.push({ op: 'munmap', addr, pages: o.n });
            for (let i = 0; i < o.n; i++) model[o.at + i] = -1;
          } else {
            spec.push({ op: 'mprotect', addr, pages: o.n, prot: protStr(o.prot) });
            let full = true;
            for (let i = 0; i < o.n; i++) if (model[o.at + i] < 0) full = false;
            if (full) for (let i = 0; i < o.n; i++) model[o.at + i] = o.prot;
            else {
              // the kernel changes the part before the first hole, then fails
              for (let i = 0; i < o.n && model[o.at + i] >= 0; i++) model[o.at + i] = o.prot;
            }
          }
        }
        const { mm } = run(spec);
        const list = [...mm.vmas];
        for (let i = 1; i < list.length; i++) expect(list[i - 1].end).toBeLessThanOrEqual(list[i].start);
        expect(mm.mapCount).toBe(list.length);
        const seen = new Array<number>(40).fill(-1);
        for (const v of list) {
          for (let a = v.start; a < v.end; a += P) seen[a / P - 16] = v.flags & 7;
          // the tree finds every VMA by its addresses
          expect(mm.vmas.find(v.start)).toBe(v);
          expect(mm.vmas.find(v.end - 1)).toBe(v);
        }
        expect(seen).toEqual(model);
        // adjacent anonymous VMAs left with equal flags after mprotect/mmap are rare but legal only
        // when munmap produced them; the merged ones never overlap
      }),
      { numRuns: Number(process.env.MMX_FC_RUNS ?? 150) },
    );
  });
});

describe('VMA operations run under mmap_sem', () => {
  it('mmap takes mmap_sem for write: a faulting thread waits', () => {
    const m = createMachine(
      {
        mms: [{ name: 'A' }],
        tasks: [
          { name: 'T1', mm: 'A', ops: [{ op: 'mmap', addr: 16 * P, pages: 1, prot: 'rw-' }] },
          { name: 'T2', mm: 'A', ops: [{ op: 'read', addr: 16 * P }] },
        ],
      },
      {},
    );
    m.step(0); // T1 announces down_write
    m.step(0); // T1 holds mmap_sem for write
    m.step(1); // T2 starts: MMU walk
    m.step(1); // T2 announces down_read in do_page_fault
    expect(m.runnable()).toEqual([0]);
  });
});
