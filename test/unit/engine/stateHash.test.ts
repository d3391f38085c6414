// The state hash (Machine.stateHash): two states differing in any one hashed field hash apart, and
// equal states reached in a different order (page cache inserts, backing-store writes, a rwsem's
// readers) hash equal. States are changed field by field on a fresh machine, the way kernel code
// would change them, and compared with a second machine of the same world.

import { describe, expect, it } from 'vitest';

import { createMachine, type EngineMachine } from '../../../src/engine/index';
import { pageAddRmap } from '../../../src/engine/mm/rmap';
import type { WorldSpec } from '../../../src/engine/sim/spec';

const world: WorldSpec = {
  files: [{ name: 'f', pages: 4 }],
  mms: [{ name: 'A' }, { name: 'B' }],
  tasks: [
    { name: 'T1', mm: 'A', ops: [{ op: 'mmap', addr: 0x10000, pages: 1, prot: 'rw-', shared: true, file: 'f' }] },
    { name: 'T2', mm: 'B', ops: [{ op: 'mmap', addr: 0x10000, pages: 1, prot: 'rw-', shared: true, file: 'f' }] },
    { name: 'T3', mm: 'B', ops: [] },
  ],
};

const make = (): EngineMachine => createMachine(world, {});
const mm = (m: EngineMachine, name: string) => m.kernel.mms.get(name)!;
const space = (m: EngineMachine) => m.kernel.files.get('f')!.mapping(null);

/** field changes, each to hash apart from the fresh machine and from every other */
const changes: [string, (m: EngineMachine) => void][] = [
  ['mmap_sem taken for reading', (m) => mm(m, 'A').mmapSem.acquire(m.tasks[0], true)],
  ['mmap_sem taken for writing', (m) => mm(m, 'A').mmapSem.acquire(m.tasks[0], false)],
  ['mmap_sem taken by another task', (m) => mm(m, 'A').mmapSem.acquire(m.tasks[1], false)],
  ['a writer asleep on mmap_sem', (m) => mm(m, 'A').mmapSem.queueWriter(m.tasks[1])],
  ['page_table_lock held', (m) => mm(m, 'B').pageTableLock.acquire(m.tasks[1])],
  ['truncate_count bumped', (m) => space(m).truncateCount.acquire(m.tasks[2], false)],
  ['i_shared_sem held', (m) => space(m).iSharedSem.acquire(m.tasks[2])],
  ['a page locked', (m) => m.kernel.alloc.alloc()!.lock.acquire(m.tasks[0])],
  ['a page allocated', (m) => m.kernel.alloc.alloc()],
  ['a page with another count', (m) => m.kernel.alloc.get(m.kernel.alloc.alloc()!)],
  ['a page in the page cache', (m) => space(m).cache.set(0, m.kernel.alloc.alloc()!)],
  ['a page cache entry at another offset', (m) => space(m).cache.set(1, m.kernel.alloc.alloc()!)],
  ['a backing-store page written', (m) => m.kernel.files.get('f')!.bump(2)],
  ['the file grown', (m) => (m.kernel.files.get('f')!.size = 5)],
  ['an invalidation running', (m) => space(m).invalidating++],
  ['rss', (m) => mm(m, 'A').rss++],
  ['a task sample', (m) => m.tasks[0].sample('seq', 1)],
  ['a task sample of another value', (m) => m.tasks[0].sample('seq', 2)],
  ['a task sample of a fraction', (m) => m.tasks[0].sample('seq', 1.5)],
  ['a task sample beyond 32 bits', (m) => m.tasks[0].sample('seq', 2 ** 32 + 1)],
  ['a task sample by another name', (m) => m.tasks[0].sample('seq2', 1)],
  ['a sample of another task', (m) => m.tasks[1].sample('seq', 1)],
  ['a task local', (m) => m.tasks[0].locals.set('pages', { pages: [], releasedBy: null })],
  ['a try result', (m) => (m.tasks[0].tryResult = true)],
  ['a swap slot', (m) => m.kernel.swap.alloc()],
  ['a step taken', (m) => m.step(0)],
  ['a step of another task', (m) => m.step(1)],
];

describe('state hash', () => {
  it('two machines of one world hash equal, and hashing changes nothing', () => {
    const a = make();
    const b = make();
    expect(a.stateHash()).toBe(b.stateHash());
    expect(a.stateHash()).toBe(a.stateHash());
    a.step(0);
    b.step(0);
    expect(a.stateHash()).toBe(b.stateHash());
  });

  it('each kind of field changed alone gives a hash of its own', () => {
    const base = make().stateHash();
    const seen = new Map<string, string>([[base, 'the fresh machine']]);
    for (const [what, change] of changes) {
      const m = make();
      change(m);
      const h = m.stateHash();
      expect(seen.get(h), `${what}: the same hash as ${seen.get(h)}`).toBeUndefined();
      seen.set(h, what);
      // and the same change on another machine is the same state
      const again = make();
      change(again);
      expect(again.stateHash(), what).toBe(h);
    }
  });

  it('page cache inserts in either order are one state; the same offsets holding other pages are not', () => {
    const a = make();
    const b = make();
    const c = make();
    const pa = [a.kernel.alloc.alloc()!, a.kernel.alloc.alloc()!];
    const pb = [b.kernel.alloc.alloc()!, b.kernel.alloc.alloc()!];
    const pc = [c.kernel.alloc.alloc()!, c.kernel.alloc.alloc()!];
    space(a).cache.set(0, pa[0]);
    space(a).cache.set(3, pa[1]);
    space(b).cache.set(3, pb[1]);
    space(b).cache.set(0, pb[0]);
    space(c).cache.set(0, pc[1]);
    space(c).cache.set(3, pc[0]);
    expect(a.stateHash()).toBe(b.stateHash());
    expect(c.stateHash()).not.toBe(a.stateHash());
  });

  it("two mms mapping the file in either order are two states: truncate zaps them in the mapping list's order", () => {
    const run = (order: number[]) => {
      const m = make();
      for (const t of order) while (m.tasks[t].opIndex < 1 && m.runnable().includes(t)) m.step(t);
      return m;
    };
    const ab = run([0, 1]);
    const ba = run([1, 0]);
    const ab2 = run([0, 1]);
    expect([...space(ab).mappings].map((v) => v.mm.name)).toEqual(['A', 'B']);
    expect([...space(ba).mappings].map((v) => v.mm.name)).toEqual(['B', 'A']);
    expect(ab.stateHash()).toBe(ab2.stateHash());
    expect(ba.stateHash()).not.toBe(ab.stateHash());
  });

  it('a page mapped by two mms in either order is two states: reclaim walks its pte_chain in order', () => {
    const run = (order: string[]) => {
      const m = make();
      const page = m.kernel.alloc.alloc()!;
      for (const name of order) pageAddRmap(page, mm(m, name), 0x10000);
      return m;
    };
    expect(run(['A', 'B']).stateHash()).toBe(run(['A', 'B']).stateHash());
    expect(run(['B', 'A']).stateHash()).not.toBe(run(['A', 'B']).stateHash());
  });

  it('backing-store writes to two pages in either order are one state', () => {
    const a = make();
    const b = make();
    const fa = a.kernel.files.get('f')!;
    const fb = b.kernel.files.get('f')!;
    fa.bump(1);
    fa.bump(3);
    fb.bump(3);
    fb.bump(1);
    expect(a.stateHash()).toBe(b.stateHash());
    fb.bump(1);
    expect(a.stateHash()).not.toBe(b.stateHash());
  });

  it("a rwsem's readers in either order are one state; a writer queue's order is not", () => {
    const a = make();
    const b = make();
    const sa = mm(a, 'B').mmapSem;
    const sb = mm(b, 'B').mmapSem;
    sa.acquire(a.tasks[0], true);
    sa.acquire(a.tasks[1], true);
    sa.acquire(a.tasks[2], true);
    sb.acquire(b.tasks[2], true);
    sb.acquire(b.tasks[0], true);
    sb.acquire(b.tasks[1], true);
    expect(a.stateHash()).toBe(b.stateHash());
    // the same readers twice is not the same as once
    sb.acquire(b.tasks[1], true);
    expect(a.stateHash()).not.toBe(b.stateHash());
    const c = make();
    const d = make();
    mm(c, 'A').mmapSem.queueWriter(c.tasks[0]);
    mm(c, 'A').mmapSem.queueWriter(c.tasks[1]);
    mm(d, 'A').mmapSem.queueWriter(d.tasks[1]);
    mm(d, 'A').mmapSem.queueWriter(d.tasks[0]);
    expect(c.stateHash()).not.toBe(d.stateHash());
  });

  it('a lock state next to the field after it cannot run together with it', () => {
    // mmap_sem read by T1 then page_table_lock free, against mmap_sem free and page_table_lock held
    const a = make();
    const b = make();
    mm(a, 'A').mmapSem.acquire(a.tasks[0], true);
    mm(b, 'A').pageTableLock.acquire(b.tasks[0]);
    expect(a.stateHash()).not.toBe(b.stateHash());
  });

  it('names met more often than the text cache holds still hash by their text', () => {
    const a = make();
    const b = make();
    // more sample names than the cache of text hashes keeps: it is cleared during the hash
    for (let i = 0; i < 70_000; i++) {
      a.tasks[0].sample(`s${i}`, i);
      b.tasks[0].sample(`s${i}`, i);
    }
    const h = a.stateHash();
    expect(b.stateHash()).toBe(h);
    expect(a.stateHash()).toBe(h);
    b.tasks[0].sample('s69999', 0);
    expect(b.stateHash()).not.toBe(h);
  });
});
