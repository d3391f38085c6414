// vmtruncate, invalidate_mmap_range / zap_page_range, and a DFS node's remote write.

import { describe, it, expect } from 'vitest';
import { createMachine, PAGE_SIZE } from '../../../src/engine/index';
import type { OpSpec, WorldSpec } from '../../../src/engine/sim/spec';

const A = 0x10000;
const P = PAGE_SIZE;

function run(w: WorldSpec, v = {}) {
  const m = createMachine(w, v, { trace: true });
  m.runAll();
  return { m, snap: m.snapshot(), results: m.results.map((r) => r.result) };
}
const sleeps = (n: number): OpSpec[] => Array.from({ length: n }, () => ({ op: 'sleep' }) as OpSpec);
const one = (ops: OpSpec[], files = [{ name: 'f', pages: 4 }]): WorldSpec => ({ files, mms: [{ name: 'A' }], tasks: [{ name: 'T', mm: 'A', ops }] });

describe('vmtruncate', () => {
  it('zaps the ptes beyond the new size, drops those pages from the cache, and later faults get SIGBUS', () => {
    const { m, snap, results } = run(one([
      { op: 'mmap', addr: A, pages: 4, prot: 'rw-', shared: true, file: 'f' },
      { op: 'touch', addr: A, pages: 4 },
      { op: 'truncate', file: 'f', pages: 1 },
      { op: 'read', addr: A },
      { op: 'read', addr: A + 2 * P },
    ]));
    expect(snap.mms[0].ptes.map((p) => p.addr)).toEqual([A]);
    expect(snap.files[0]).toMatchObject({ size: 1, cached: [0] });
    expect(results.slice(3)).toEqual(['no fault', 'SIGBUS']);
    expect(m.kernel.mms.get('A')!.rss).toBe(1);
    expect(m.violations).toEqual([]);
  });
  it('growing the file maps new pages again', () => {
    const { results, m } = run(one([
      { op: 'mmap', addr: A, pages: 4, prot: 'rw-', shared: true, file: 'f' },
      { op: 'truncate', file: 'f', pages: 1 },
      { op: 'read', addr: A + 3 * P },
      { op: 'truncate', file: 'f', pages: 4 },
      { op: 'read', addr: A + 3 * P },
    ]));
    expect(results.slice(2)).toEqual(['SIGBUS', '0', 'VM_FAULT_MAJOR']);
    expect(m.violations).toEqual([]);
  });
  it('zaps private COW copies in the range too (2.5 zaps the whole range; 2.6 passes even_cows)', () => {
    const { snap, m, results } = run(one([
      { op: 'mmap', addr: A, pages: 2, prot: 'rw-', file: 'f' },
      { op: 'write', addr: A },
      { op: 'truncate', file: 'f', pages: 0 },
      { op: 'read', addr: A },
    ]));
    expect(snap.mms[0].ptes).toHaveLength(0);
    expect(results[3]).toBe('SIGBUS');
    expect(m.violations).toEqual([]);
  });
});

describe('invalidate_mmap_range', () => {
  it('zaps the range in every mapping of the address space, keeping the page cache', () => {
    const w: WorldSpec = {
      files: [{ name: 'f', pages: 4 }],
      mms: [{ name: 'A' }, { name: 'B' }],
      tasks: [
        { name: 'TA', mm: 'A', ops: [{ op: 'mmap', addr: A, pages: 4, prot: 'r--', shared: true, file: 'f' }, { op: 'touch', addr: A, pages: 4 }] },
        { name: 'TB', mm: 'B', ops: [{ op: 'mmap', addr: 0x80000, pages: 2, prot: 'r--', shared: true, file: 'f', pgoff: 2 }, { op: 'touch', addr: 0x80000, pages: 2 }, { op: 'sleep' }] },
        { name: 'inv', ops: [...sleeps(80), { op: 'invalidate', file: 'f', page: 2, pages: 1 }] },
      ],
    };
    const m = createMachine(w, {});
    // run TA and TB to the end first, then the invalidation
    m.runAll((r) => (r.includes(0) ? 0 : r.includes(1) ? 1 : r[0]));
    const s = m.snapshot();
    expect(s.mms[0].ptes.map((p) => (p.addr - A) / P)).toEqual([0, 1, 3]);
    expect(s.mms[1].ptes.map((p) => (p.addr - 0x80000) / P)).toEqual([1]);
    expect(s.files[0].cached).toEqual([0, 1, 2, 3]);
    expect(m.violations).toEqual([]);
  });
  it('in a nonlinear VMA a zapped page keeps its file offset in a file pte', () => {
    const { snap, m } = run(one([
      { op: 'mmap', addr: A, pages: 4, prot: 'rw-', shared: true, file: 'f' },
      { op: 'remap', addr: A, pages: 1, pgoff: 3 },
      { op: 'invalidate', file: 'f', page: 3 },
    ]));
    expect(snap.mms[0].ptes[0]).toMatchObject({ addr: A, kind: 'file', pgoff: 3 });
    expect(m.violations).toEqual([]);
  });
});

describe('DFS remote write', () => {
  it('invalidates the other nodes, bumps the version, and the next fault reads the new data', () => {
    const w: WorldSpec = {
      nodes: ['A', 'B'],
      files: [{ name: 'f', pages: 2, fs: 'dfs' }],
      mms: [{ name: 'mA', node: 'A' }],
      tasks: [
        { name: 'reader', mm: 'mA', ops: [{ op: 'mmap', addr: A, pages: 2, prot: 'r--', shared: true, file: 'f' }, { op: 'read', addr: A }, ...sleeps(29), { op: 'read', addr: A }] },
        { name: 'writer', node: 'B', ops: [...sleeps(25), { op: 'remote-write', file: 'f', page: 0 }] },
      ],
    };
    const m = createMachine(w, {});
    m.runAll((r, n) => r[n % r.length]);
    const s = m.snapshot();
    expect(s.files.find((f) => f.name === 'f@A')!.versions[0]).toBe(2);
    const pte = s.mms[0].ptes.find((p) => p.addr === A)!;
    expect(s.pages.find((p) => p.pfn === pte.pfn)).toMatchObject({ file: 'f@A', index: 0, version: 2 });
    expect(m.violations).toEqual([]);
  });
});
