// The reverse map of each era in reclaim (2.6.11 mm/rmap.c object-based rmap against 2.5.70 / 2.6.0
// pte_chains) and the era's mapping lock (2.6.11 i_mmap_lock, a spinlock; 2.5's i_shared_sem, a
// semaphore) in mmap, munmap, truncate and fork.

import { describe, it, expect } from 'vitest';

import { createMachine, type EngineMachine, type ExtraOp, type Task } from '../../../src/engine/index';
import type { OpSpec, TraceEvent, WorldSpec } from '../../../src/engine/index';
import { explore } from '../../../src/scenario/explorer';

const F = 0x10000;
const ANON = 0x20000;
const run = (w: WorldSpec, fault: string) => createMachine(w, { fault }, { trace: true }).runAll();
const kswapdResult = (m: EngineMachine) => m.results.find((r) => r.task === 'kswapd')!.result;
const ptes = (m: EngineMachine, mm: string) => m.snapshot().mms.find((x) => x.name === mm)!.ptes;
/** one task `parent` in mm `p` running `ops`, then kswapd's two passes */
const parentThenKswapd = (ops: OpSpec[]): WorldSpec => ({
  mms: [{ name: 'p' }],
  tasks: [
    { name: 'parent', mm: 'p', ops },
    { name: 'kswapd', ops: [{ op: 'kswapd', passes: 2 }] },
  ],
});
/** one task running `ops` in an mm of its own name, with `files` */
const oneTask = (name: string, ops: OpSpec[], files?: WorldSpec['files']): WorldSpec => ({
  ...(files ? { files } : {}),
  mms: [{ name }],
  tasks: [{ name, mm: name, ops }],
});
/** an anonymous page written at ANON, then moved by mremap to 0x80000 */
const anonMovedByMremap: OpSpec[] = [
  { op: 'mmap', addr: ANON, pages: 1, prot: 'rw-' },
  { op: 'write', addr: ANON },
  { op: 'mremap', addr: ANON, pages: 1, newPages: 1, flags: ['MREMAP_MAYMOVE', 'MREMAP_FIXED'], newAddr: 0x80000 },
];
/** lock events of a function, as `verb(lock)` labels */
const locksIn = (m: EngineMachine, fn: string, kind: TraceEvent['kind'] = 'lock') =>
  m.trace.filter((e) => e.kind === kind && e.fn === fn).map((e) => e.detail);

/** the locks a task's munmap op took, in order (the zap's and remove_vm_struct's), by op name of the task's ops */
const lockOrder = (m: EngineMachine, what: 'munmap' | 'c') => {
  const task = what === 'c' ? m.tasks.findIndex((t) => t.name === 'child') : 0;
  const ops = m.trace.filter((e) => e.task === task);
  const start = ops.findIndex((e) => e.fn === 'do_munmap');
  return ops
    .slice(start)
    .filter((e) => e.kind === 'lock')
    .map((e) => e.detail);
};

/** two processes map page 0 of `lib` shared; `faulting` of them read it; then kswapd scans twice */
function twoMappers(faulting: ('A' | 'B')[]): WorldSpec {
  const ops = (who: 'A' | 'B'): OpSpec[] => [
    { op: 'mmap', addr: F, pages: 1, prot: 'r--', shared: true, file: 'lib' },
    ...(faulting.includes(who) ? [{ op: 'read', addr: F } as OpSpec] : []),
  ];
  return {
    files: [{ name: 'lib', pages: 1 }],
    mms: [{ name: 'A' }, { name: 'B' }],
    tasks: [
      { name: 'A', mm: 'A', ops: ops('A') },
      { name: 'B', mm: 'B', ops: ops('B') },
      { name: 'kswapd', ops: [{ op: 'kswapd', passes: 2 }] },
    ],
  };
}

describe('try_to_unmap of a file page', () => {
  it('2.6.11 walks i_mmap under i_mmap_lock and unmaps the page from both mms, taking each page_table_lock with spin_lock', () => {
    const m = run(twoMappers(['A', 'B']), '2.6.11');
    expect(m.violations).toEqual([]);
    expect(kswapdResult(m)).toBe('1 freed of 2 scanned');
    expect(ptes(m, 'A')).toEqual([]);
    expect(ptes(m, 'B')).toEqual([]);
    expect(m.snapshot().files[0].cached).toEqual([]);
    const locks = locksIn(m, 'try_to_unmap');
    expect(locks).toEqual(['spin_lock(i_mmap_lock)', 'spin_lock(page_table_lock)', 'spin_lock(page_table_lock)']);
    // page_referenced took the same way on the first pass
    expect(locksIn(m, 'page_referenced')).toContain('spin_lock(i_mmap_lock)');
    expect(m.trace.some((e) => e.detail.startsWith('trylock:spin_lock(page_table_lock)'))).toBe(false);
  });
  it('mutation unlock-before-try_to_unmap is caught in the 2.6.11 column too: try_to_unmap without the page lock', () => {
    const m = createMachine(twoMappers(['A', 'B']), { fault: '2.6.11', mutation: 'unlock-before-try_to_unmap' }, { trace: true }).runAll();
    expect(m.violations.map((v) => v.invariant)).toContain('lock-not-held');
    expect(m.violations.find((v) => v.invariant === 'lock-not-held')!.message).toMatch(/try_to_unmap\(\) is called with the page locked/);
  });
  it('2.5.70 still walks the pte_chain: spin_trylock of each page_table_lock, no i_mmap_lock', () => {
    const m = run(twoMappers(['A', 'B']), '2.5.70');
    expect(m.violations).toEqual([]);
    expect(kswapdResult(m)).toBe('1 freed of 2 scanned');
    expect(ptes(m, 'A')).toEqual([]);
    expect(ptes(m, 'B')).toEqual([]);
    const tries = m.trace.filter((e) => e.fn === 'try_to_unmap' && e.kind === 'lock').map((e) => e.detail);
    expect(tries).toEqual(['trylock:spin_lock(page_table_lock) = 1', 'trylock:spin_lock(page_table_lock) = 1']);
    expect(m.trace.some((e) => e.detail.includes('i_mmap_lock'))).toBe(false);
  });
  it('the object rmap visits a VMA over the page whose pte is not installed, and try_to_unmap_one finds no pte there', () => {
    // only B faulted: the pte_chain names B alone; i_mmap names A's VMA first, then B's
    const obj = run(twoMappers(['B']), '2.6.11');
    expect(obj.violations).toEqual([]);
    expect(kswapdResult(obj)).toBe('1 freed of 2 scanned');
    const ptlObj = locksIn(obj, 'try_to_unmap').filter((l) => l === 'spin_lock(page_table_lock)');
    expect(ptlObj).toHaveLength(2);
    const chains = run(twoMappers(['B']), '2.5.70');
    expect(kswapdResult(chains)).toBe('1 freed of 2 scanned');
    expect(locksIn(chains, 'try_to_unmap')).toHaveLength(1);
  });
});

describe('try_to_unmap of an anonymous page (2.6.11: anon_vma)', () => {
  const world = (extra: OpSpec[] = []): WorldSpec =>
    parentThenKswapd([{ op: 'mmap', addr: ANON, pages: 1, prot: 'rw-' }, { op: 'write', addr: ANON }, { op: 'fork', as: 'c' }, ...extra]);
  it('a page shared by fork is found through the anon_vma in both mms and swapped out of both', () => {
    const m = run(world(), '2.6.11');
    expect(m.violations).toEqual([]);
    expect(kswapdResult(m)).toBe('1 freed of 2 scanned');
    const [p, c] = [ptes(m, 'p'), ptes(m, 'c')];
    expect(p).toMatchObject([{ addr: ANON, kind: 'swap' }]);
    expect(c).toMatchObject([{ addr: ANON, kind: 'swap' }]);
    // do_anonymous_page prepared the anon_vma, fork linked the child's VMA into it
    expect(locksIn(m, 'anon_vma_prepare')).toEqual(['spin_lock(page_table_lock)']);
    expect(locksIn(m, 'dup_mmap')).toContain('spin_lock(anon_vma_lock)');
    expect(locksIn(m, 'try_to_unmap')).toEqual(['spin_lock(anon_vma_lock)', 'spin_lock(page_table_lock)', 'spin_lock(page_table_lock)']);
    const vmas = [...m.kernel.mms.values()].map((mm) => mm.vmas.find(ANON)!);
    expect(vmas[0].anonVma).not.toBeNull();
    expect(vmas[1].anonVma).toBe(vmas[0].anonVma);
    expect(vmas[0].anonVma!.head).toEqual(vmas);
  });
  it('2.5.70 has no anon_vma: the pte_chain names both mappings', () => {
    const m = run(world(), '2.5.70');
    expect(m.violations).toEqual([]);
    expect(kswapdResult(m)).toBe('1 freed of 2 scanned');
    expect(ptes(m, 'c')).toMatchObject([{ addr: ANON, kind: 'swap' }]);
    expect(m.trace.some((e) => e.detail.includes('anon_vma'))).toBe(false);
    expect([...m.kernel.mms.values()].every((mm) => mm.vmas.find(ANON)!.anonVma === null)).toBe(true);
  });
  it('after munmap in the child the anon_vma lists the parent alone, and reclaim unmaps the parent only', () => {
    const w = world();
    w.tasks.splice(1, 0, { name: 'child', mm: 'c', ops: [{ op: 'munmap', addr: ANON, pages: 1 }] });
    const m = run(w, '2.6.11');
    expect(m.violations).toEqual([]);
    // the zap, then remove_vm_struct's anon_vma_unlink
    expect(lockOrder(m, 'c')).toEqual(['spin_lock(page_table_lock)', 'spin_lock(anon_vma_lock)']);
    const parentVma = m.kernel.mms.get('p')!.vmas.find(ANON)!;
    expect(parentVma.anonVma!.head).toEqual([parentVma]);
    expect(ptes(m, 'p')).toMatchObject([{ addr: ANON, kind: 'swap' }]);
    expect(locksIn(m, 'try_to_unmap').filter((l) => l === 'spin_lock(page_table_lock)')).toHaveLength(1);
  });
  it('an anonymous page moved by mremap is found at its new address through vm_pgoff (vma_address)', () => {
    const w = parentThenKswapd(anonMovedByMremap);
    const m = run(w, '2.6.11');
    expect(m.violations).toEqual([]);
    expect(kswapdResult(m)).toBe('1 freed of 2 scanned');
    expect(ptes(m, 'p')).toMatchObject([{ addr: 0x80000, kind: 'swap' }]);
  });
});

describe('vma_merge of anonymous VMAs', () => {
  it('2.6.11 merges an anonymous VMA only where vm_pgoff continues (vma_address needs it); 2.6.0 merges any two', () => {
    const w = parentThenKswapd([
      ...anonMovedByMremap,
      { op: 'mmap', addr: 0x81000, pages: 1, prot: 'rw-' },
      { op: 'write', addr: 0x81000 },
    ]);
    const vmas = (m: EngineMachine) => m.snapshot().mms[0].vmas.map((v) => [v.start, v.end]);
    const obj = run(w, '2.6.11');
    expect(obj.violations).toEqual([]);
    expect(vmas(obj)).toEqual([
      [0x80000, 0x81000],
      [0x81000, 0x82000],
    ]);
    // both pages reachable through their anon_vmas: both swapped out
    expect(ptes(obj, 'p').map((p) => [p.addr, p.kind])).toEqual([
      [0x80000, 'swap'],
      [0x81000, 'swap'],
    ]);
    const old = run(w, '2.5.70');
    expect(vmas(old)).toEqual([[0x80000, 0x82000]]);
  });
});

describe("the era's mapping lock", () => {
  const truncWorld = oneTask(
    'app',
    [
      { op: 'mmap', addr: F, pages: 2, prot: 'rw-', shared: true, file: 'data' },
      { op: 'read', addr: F },
      { op: 'truncate', file: 'data', pages: 0 },
      { op: 'munmap', addr: F, pages: 2 },
    ],
    [{ name: 'data', pages: 2 }],
  );
  it('2.6.11 truncate zaps under spin_lock(&mapping->i_mmap_lock) in unmap_mapping_range; mmap and munmap link and unlink under it', () => {
    const m = run(truncWorld, '2.6.11');
    expect(m.violations).toEqual([]);
    expect(locksIn(m, 'unmap_mapping_range')).toEqual(['spin_lock(i_mmap_lock)', 'write_seqcount_begin(truncate_count)']);
    // the zap's page_table_lock is taken inside i_mmap_lock
    const zapLock = m.trace.find((e) => e.kind === 'lock' && e.detail === 'spin_lock(page_table_lock)' && e.locks.includes('i_mmap_lock'));
    expect(zapLock).toBeDefined();
    expect(locksIn(m, 'do_mmap_pgoff')).toEqual(['spin_lock(i_mmap_lock)']);
    // remove_vm_struct after the zap: page_table_lock first, then i_mmap_lock
    expect(lockOrder(m, 'munmap')).toEqual(['spin_lock(page_table_lock)', 'spin_lock(i_mmap_lock)']);
  });
  it('2.5.70 takes down(&mapping->i_shared_sem), a semaphore, in invalidate_mmap_range, vma_link and munmap', () => {
    const m = run(truncWorld, '2.5.70');
    expect(m.violations).toEqual([]);
    expect(locksIn(m, 'invalidate_mmap_range')).toEqual(['down(i_shared_sem)']);
    const zapLock = m.trace.find((e) => e.kind === 'lock' && e.detail === 'spin_lock(page_table_lock)' && e.locks.includes('i_shared_sem'));
    expect(zapLock).toBeDefined();
    expect(locksIn(m, 'invalidate_mmap_range', 'unlock')).toContain('up(i_shared_sem)');
    expect(locksIn(m, 'do_mmap_pgoff')).toEqual(['down(i_shared_sem)']);
    expect(lockOrder(m, 'munmap')).toEqual(['spin_lock(page_table_lock)', 'down(i_shared_sem)']);
    expect(m.trace.some((e) => e.detail.includes('i_mmap_lock'))).toBe(false);
  });
  it('fork inserts the file VMA into i_mmap under the era lock', () => {
    const w = oneTask(
      'p',
      [
        { op: 'mmap', addr: F, pages: 1, prot: 'rw-', shared: true, file: 'shm' },
        { op: 'fork', as: 'c' },
      ],
      [{ name: 'shm', pages: 1 }],
    );
    expect(locksIn(run(w, '2.6.11'), 'dup_mmap')).toContain('spin_lock(i_mmap_lock)');
    expect(locksIn(run(w, '2.5.70'), 'dup_mmap')).toContain('down(i_shared_sem)');
    const m = run(w, '2.6.11');
    expect([...m.kernel.file('shm').mapping(null).mappings].map((v) => v.mm.name)).toEqual(['p', 'c']);
  });
});

describe('lockdep: i_mmap_lock nests outside page_table_lock', () => {
  const OPS: Record<string, ExtraOp> = {
    'test-i_mmap-under-ptl': function* (t: Task) {
      const l = t.kernel.file('f').mapping(null).iMmapLock;
      if (t.spinLock(t.mm!.pageTableLock)) yield t.step;
      if (t.spinLock(l)) yield t.step;
      if (t.spinUnlock(l)) yield t.step;
      if (t.spinUnlock(t.mm!.pageTableLock)) yield t.step;
      return { result: '0' };
    },
    'test-trylock-i_mmap-under-ptl': function* (t: Task) {
      const l = t.kernel.file('f').mapping(null).iMmapLock;
      if (t.spinLock(t.mm!.pageTableLock)) yield t.step;
      if (t.tryAcquire(l)) yield t.step;
      if (t.tryResult && t.spinUnlock(l)) yield t.step;
      if (t.spinUnlock(t.mm!.pageTableLock)) yield t.step;
      return { result: '0' };
    },
  };
  const w = (name: string): WorldSpec => ({
    files: [{ name: 'f', pages: 1 }],
    mms: [{ name: 'A' }],
    tasks: [{ name: 'T', mm: 'A', ops: [{ op: name } as unknown as OpSpec] }],
  });
  it('spin_lock(i_mmap_lock) with page_table_lock held is an order inversion, even in one task', () => {
    const m = createMachine(w('test-i_mmap-under-ptl'), {}, { extraOps: OPS }).runAll();
    expect(m.violations.map((v) => v.invariant)).toEqual(['abba']);
    expect(m.violations[0].message).toMatch(/i_mmap_lock nests outside page_table_lock/);
  });
  it("spin_trylock (mremap's way around the order) is not", () => {
    const m = createMachine(w('test-trylock-i_mmap-under-ptl'), {}, { extraOps: OPS }).runAll();
    expect(m.violations).toEqual([]);
  });
});

describe('the object rmap under the schedule explorer (2.6.11, one preemption)', () => {
  const worlds: [string, WorldSpec][] = [
    [
      'fork, a COW write in the child, kswapd',
      {
        mms: [{ name: 'p' }],
        tasks: [
          {
            name: 'parent',
            mm: 'p',
            ops: [
              { op: 'mmap', addr: ANON, pages: 1, prot: 'rw-' },
              { op: 'write', addr: ANON },
              { op: 'fork', as: 'c' },
            ],
          },
          { name: 'child', mm: 'c', ops: [{ op: 'write', addr: ANON }] },
          { name: 'kswapd', ops: [{ op: 'kswapd', passes: 1 }] },
        ],
      },
    ],
    [
      'two mappers of a file page, truncate, kswapd',
      {
        files: [{ name: 'lib', pages: 1 }],
        mms: [{ name: 'A' }, { name: 'B' }],
        tasks: [
          {
            name: 'A',
            mm: 'A',
            ops: [
              { op: 'mmap', addr: F, pages: 1, prot: 'r--', shared: true, file: 'lib' },
              { op: 'read', addr: F },
            ],
          },
          {
            name: 'B',
            mm: 'B',
            ops: [
              { op: 'mmap', addr: F, pages: 1, prot: 'r--', shared: true, file: 'lib' },
              { op: 'munmap', addr: F, pages: 1 },
            ],
          },
          { name: 'trunc', ops: [{ op: 'truncate', file: 'lib', pages: 0 }] },
          { name: 'kswapd', ops: [{ op: 'kswapd', passes: 1 }] },
        ],
      },
    ],
  ];
  for (const [name, w] of worlds)
    it(`${name}: partial-order reduction finds what the full search finds, and no schedule breaks an invariant`, () => {
      const make = () => createMachine(w, { fault: '2.6.11' });
      const all = explore(make, { maxPreemptions: 1, reduction: 'state', shrink: false });
      const red = explore(make, { maxPreemptions: 1, reduction: 'dpor', shrink: false });
      expect(all.complete && red.complete).toBe(true);
      expect(red.violations.map((v) => v.invariant).sort()).toEqual(all.violations.map((v) => v.invariant).sort());
      expect(all.violations.map((v) => `${v.invariant}: ${v.message}`)).toEqual([]);
    });
});

describe('page_referenced_file samples page_mapcount under i_mmap_lock', () => {
  it('counts a mapping a fault made while page_referenced waited for the lock, so the young pte behind it is seen', () => {
    // A maps and reads page 0 of lib; B maps it; kswapd's first pass clears A's young bit; on the
    // second pass, just before page_referenced takes i_mmap_lock, B2 (B's thread) reads the page
    const w: WorldSpec = {
      files: [{ name: 'lib', pages: 1 }],
      mms: [{ name: 'A' }, { name: 'B' }],
      tasks: [
        {
          name: 'A',
          mm: 'A',
          ops: [
            { op: 'mmap', addr: F, pages: 1, prot: 'r--', shared: true, file: 'lib' },
            { op: 'read', addr: F },
          ],
        },
        { name: 'B', mm: 'B', ops: [{ op: 'mmap', addr: F, pages: 1, prot: 'r--', shared: true, file: 'lib' }] },
        { name: 'B2', mm: 'B', ops: [{ op: 'read', addr: F }] },
        { name: 'kswapd', ops: [{ op: 'kswapd', passes: 2 }] },
      ],
    };
    const m = createMachine(w, { fault: '2.6.11' }, { trace: true });
    const idx = (name: string) => m.tasks.findIndex((t) => t.name === name);
    const [a, b, b2, ks] = ['A', 'B', 'B2', 'kswapd'].map(idx);
    let lockSeen = 0;
    let b2Go = false;
    m.runAll((r) => {
      for (const i of [a, b]) if (r.includes(i)) return i;
      if (b2Go && r.includes(b2)) return b2;
      const next = m.announced(ks);
      if (!b2Go && next && next.fn === 'page_referenced' && next.label === 'spin_lock(i_mmap_lock)' && ++lockSeen === 2) {
        b2Go = true;
        return b2;
      }
      return r.includes(ks) ? ks : r[0];
    });
    expect(b2Go).toBe(true);
    expect(m.violations).toEqual([]);
    const exits = m.trace.filter((e) => e.kind === 'exit' && e.detail.startsWith('page_referenced')).map((e) => e.detail);
    // the second pass finds B's fresh pte young: the page is referenced and stays mapped in both mms
    expect(exits).toEqual(['page_referenced = 1', 'page_referenced = 1']);
    expect(ptes(m, 'A')).toHaveLength(1);
    expect(ptes(m, 'B')).toHaveLength(1);
  });
});

describe('page_add_anon_rmap on the anonymous fault path', () => {
  it('records the anon_vma and index in mem_map without making a Page for the pfn', () => {
    const w = oneTask('A', [
      { op: 'mmap', addr: ANON, pages: 2, prot: 'rw-' },
      { op: 'write', addr: ANON + 0x1000 },
    ]);
    const m = createMachine(w, { fault: '2.6.11' }).runAll();
    expect(m.violations).toEqual([]);
    const k = (
      m as unknown as { kernel: { alloc: { mem: { size: number; index: Uint32Array }; anonVmaOf(pfn: number): { name: string } | null } } }
    ).kernel;
    const views = (k.alloc as unknown as { views: unknown[] }).views;
    const pfn = k.alloc.mem.size - 1;
    expect(views[pfn]).toBeUndefined();
    expect(ptes(m, 'A')[0].pfn).toBe(pfn);
    expect(k.alloc.anonVmaOf(pfn)?.name).toBe('anon_vma(A:0x20000)');
    expect(k.alloc.mem.index[pfn]).toBe(ANON / 0x1000 + 1);
  });
});
