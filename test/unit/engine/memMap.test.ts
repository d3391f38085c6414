// struct page in mem_map: Pages are views made on demand, allocation reuses freed pfns, and the
// rmap's first entry survives the arrays growing.

import { describe, it, expect } from 'vitest';
import { PageAllocator, PG_anon, PG_reserved } from '../../../src/engine/mm/page';
import { MmStruct } from '../../../src/engine/mm/mmStruct';
import { pageAddRmap, pageAddRmapPfn, pageMappers, pageRemoveRmap } from '../../../src/engine/mm/rmap';
import { AddressSpace } from '../../../src/engine/mm/addressSpace';

describe('mem_map and the page allocator', () => {
  it('the zero page is pfn 0, reserved, with one reference', () => {
    const a = new PageAllocator(10);
    expect(a.zeroPage.pfn).toBe(0);
    expect(a.zeroPage.flags & PG_reserved).toBe(PG_reserved);
    expect(a.zeroPage.count).toBe(1);
    expect(a.isReserved(0)).toBe(true);
  });

  it('a pfn has one Page: the same object each time it is asked for', () => {
    const a = new PageAllocator(10);
    const pfn = a.allocPfn();
    expect(a.byPfn(pfn)).toBe(a.page(pfn));
    expect(a.byPfn(pfn)!.count).toBe(1);
    expect(a.byPfn(99)).toBeUndefined();
  });

  it('writes through a Page land in mem_map and back', () => {
    const a = new PageAllocator(10);
    const p = a.alloc()!;
    p.count += 2;
    p.flags |= PG_anon;
    p.index = 7;
    p.swapSlot = 3;
    expect(a.mem.count[p.pfn]).toBe(3);
    expect(a.mem.flags[p.pfn] & PG_anon).toBe(PG_anon);
    expect(a.mem.index[p.pfn]).toBe(7);
    expect(a.page(p.pfn).swapSlot).toBe(3);
  });

  it('a freed pfn is handed out again with every field reset, its Page included', () => {
    const a = new PageAllocator(10);
    const p = a.alloc()!;
    p.mapping = {} as AddressSpace;
    p.version = 4;
    p.userWrites = 2;
    p.swapSlot = 9;
    a.put(p);
    expect(p.free).toBe(true);
    expect(a.allocated).toBe(0);
    const pfn = a.allocPfn();
    expect(pfn).toBe(p.pfn);
    expect([p.count, p.version, p.userWrites, p.swapSlot, p.free, p.mapping]).toEqual([1, 0, 0, -1, false, null]);
  });

  it('the OOM limit counts pages in use, not pfns ever made', () => {
    const a = new PageAllocator(2);
    const x = a.alloc()!;
    a.allocPfn();
    expect(a.allocPfn()).toBe(-1);
    a.put(x);
    expect(a.allocPfn()).toBe(x.pfn);
  });

  it('values survive mem_map growing past its first capacity; new entries start clean', () => {
    const a = new PageAllocator(1 << 20);
    const first = a.alloc()!;
    first.count = 5;
    first.version = 6;
    for (let i = 0; i < 5000; i++) a.allocPfn();
    expect(a.size).toBe(5002);
    expect([first.count, first.version]).toEqual([5, 6]);
    const last = a.page(a.size - 1);
    expect([last.count, last.mapcount, last.flags, last.swapSlot, last.free]).toEqual([1, 0, 0, -1, false]);
  });

  it('rmap: the first mapping is kept in mem_map by mm number, later ones on the Page', () => {
    const a = new PageAllocator(10);
    const A = new MmStruct('A', null);
    const B = new MmStruct('B', null);
    const pfn = a.allocPfn();
    pageAddRmapPfn(a, pfn, A, 0x1000);
    const p = a.page(pfn);
    pageAddRmap(p, B, 0x2000);
    expect(p.mapcount).toBe(2);
    expect(pageMappers(p)).toEqual([{ mm: A, addr: 0x1000 }, { mm: B, addr: 0x2000 }]);
    pageRemoveRmap(p, A, 0x1000);
    expect(pageMappers(p)).toEqual([{ mm: B, addr: 0x2000 }]);
    pageRemoveRmap(p, B, 0x2000);
    expect(pageMappers(p)).toEqual([]);
    expect(p.mapcount).toBe(0);
  });

  it('the zero page is never on the rmap', () => {
    const a = new PageAllocator(10);
    pageAddRmap(a.zeroPage, new MmStruct('A', null), 0x1000);
    expect(a.zeroPage.mapcount).toBe(0);
    expect(pageMappers(a.zeroPage)).toEqual([]);
  });
});
