// Page tables: sparse pgd -> pmd -> pte, entry kinds, counters; property test against a Map model.

import fc from 'fast-check';
import { describe, it, expect } from 'vitest';

import { PAGE_SIZE, VM_READ, VM_WRITE } from '../../../src/engine/index';
import { PageTable, PTE_FILE, PTE_NONE, PTE_PRESENT, PTE_SWAP } from '../../../src/engine/mm/pageTable';
import { restoreCheckpoint, takeCheckpoint } from '../../../src/engine/sim/checkpoint';

describe('PageTable', () => {
  it('stays sparse: only touched pte tables exist', () => {
    const pt = new PageTable();
    pt.setPresent(0x1000, 7, VM_READ, false);
    pt.setPresent(0x40000000, 8, VM_READ, false);
    expect(pt.pteTables).toBe(2);
    expect(pt.pgd.size).toBe(2);
    expect(pt.hasTable(0x2000)).toBe(true);
    expect(pt.hasTable(0x200000)).toBe(false);
  });
  it('encodes present, swap and file entries with their fields', () => {
    const pt = new PageTable();
    pt.setPresent(0x1000, 42, VM_READ | VM_WRITE, true);
    pt.setSwap(0x2000, 9);
    pt.setFile(0x3000, 123, VM_READ);
    pt.setFile(0x4000, 124);
    expect(pt.get(0x1000)).toMatchObject({ kind: PTE_PRESENT, val: 42, prot: 3, dirty: true, young: true });
    expect(pt.get(0x2000)).toMatchObject({ kind: PTE_SWAP, val: 9 });
    expect(pt.get(0x3000)).toMatchObject({ kind: PTE_FILE, val: 123, prot: VM_READ, protValid: true });
    expect(pt.get(0x4000)).toMatchObject({ kind: PTE_FILE, val: 124, protValid: false });
    expect(pt.get(0x5000)).toBeNull();
    expect(pt.present).toBe(1);
    pt.clear(0x1000);
    expect(pt.present).toBe(0);
    expect(pt.kind(0x1000)).toBe(PTE_NONE);
  });
  it('indices split an address into pgd, pmd, pte', () => {
    expect(PageTable.indices(0)).toEqual([0, 0, 0]);
    expect(PageTable.indices(PAGE_SIZE * 513)).toEqual([0, 1, 1]);
    expect(PageTable.indices(PAGE_SIZE * 512 * 512 + PAGE_SIZE)).toEqual([1, 0, 1]);
  });
  it('makes a pte table again after a checkpoint restore: the same object, empty, never one in use', () => {
    const pt = new PageTable();
    pt.setPresent(0x1000, 7, VM_READ, false);
    const kept = pt.lookup(0x1000)!;
    const c = takeCheckpoint(pt, new Set())!;
    pt.setPresent(0x40000000, 8, VM_READ, true);
    pt.setDirty(0x40001000); // flags on a none entry: still cleared
    const dropped = pt.lookup(0x40000000)!;
    expect(restoreCheckpoint(c)).toBe(true);
    expect(pt.hasTable(0x40000000)).toBe(false);
    pt.setSwap(0x80000000, 3);
    pt.setFile(0xc0000000, 4);
    const again = pt.lookup(0x80000000)!;
    expect(again).toBe(dropped);
    expect(pt.lookup(0xc0000000)).not.toBe(again);
    expect([pt.lookup(0x80000000), pt.lookup(0xc0000000)]).not.toContain(kept);
    const seen: [number, number, number][] = [];
    pt.forEach((addr, kind, val) => seen.push([addr, kind, val]));
    expect(seen).toEqual([
      [0x1000, PTE_PRESENT, 7],
      [0x80000000, PTE_SWAP, 3],
      [0xc0000000, PTE_FILE, 4],
    ]);
    expect(again.used).toBe(1);
    expect(again.bits.reduce((a, b) => a + b, 0)).toBe(again.bits[0]);
    expect(pt.present).toBe(1);
    expect(pt.pteTables).toBe(3);
  });
  it('frees empty tables in a range', () => {
    const pt = new PageTable();
    pt.setPresent(0x1000, 1, VM_READ, false);
    pt.clear(0x1000);
    pt.freeEmptyTables(0, 0x200000);
    expect(pt.pteTables).toBe(0);
    expect(pt.kind(0x1000)).toBe(PTE_NONE);
  });

  it('agrees with a Map model under random set/clear (fast-check)', () => {
    const addr = fc.integer({ min: 0, max: 3000 }).map((n) => n * PAGE_SIZE * 97);
    const op = fc.oneof(
      fc.record({
        k: fc.constant('p' as const),
        a: addr,
        v: fc.integer({ min: 0, max: 1e6 }),
        prot: fc.integer({ min: 0, max: 7 }),
        d: fc.boolean(),
      }),
      fc.record({ k: fc.constant('s' as const), a: addr, v: fc.integer({ min: 1, max: 1e6 }) }),
      fc.record({ k: fc.constant('f' as const), a: addr, v: fc.integer({ min: 0, max: 1e6 }), prot: fc.integer({ min: -1, max: 7 }) }),
      fc.record({ k: fc.constant('c' as const), a: addr }),
      // free_pgtables over a range: the tables forEach visits must follow
      fc.record({ k: fc.constant('x' as const), a: addr }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const pt = new PageTable();
        const model = new Map<number, { kind: number; val: number }>();
        for (const o of ops) {
          if (o.k === 'p') {
            pt.setPresent(o.a, o.v, o.prot, o.d);
            model.set(o.a, { kind: PTE_PRESENT, val: o.v });
          } else if (o.k === 's') {
            pt.setSwap(o.a, o.v);
            model.set(o.a, { kind: PTE_SWAP, val: o.v });
          } else if (o.k === 'f') {
            pt.setFile(o.a, o.v, o.prot);
            model.set(o.a, { kind: PTE_FILE, val: o.v });
          } else if (o.k === 'c') {
            pt.clear(o.a);
            model.delete(o.a);
          } else pt.freeEmptyTables(0, o.a + PAGE_SIZE * 512 * 64);
        }
        const got = [...pt.entries()].map(([a, p]) => [a, p.kind, p.val]);
        const want = [...model].sort((x, y) => x[0] - y[0]).map(([a, p]) => [a, p.kind, p.val]);
        expect(got).toEqual(want);
        expect(pt.present).toBe([...model.values()].filter((p) => p.kind === PTE_PRESENT).length);
        const viaForEach: number[] = [];
        pt.forEach((a) => viaForEach.push(a));
        expect(viaForEach).toEqual(want.map((w) => w[0]));
        // a range walk sees exactly the entries inside the range
        const lo = ops.length ? ops[0].a : 0;
        const hi = lo + 700 * PAGE_SIZE * 97;
        const inRange: number[] = [];
        pt.forEachIn(lo, hi, (a) => inRange.push(a));
        expect(inRange).toEqual(want.map((w) => w[0]).filter((a) => a >= lo && a < hi));
      }),
      { numRuns: 200 },
    );
  });
});
