// kswapd's LRU scan: shrink_list, page_referenced, try_to_unmap (2.6.11 mm/vmscan.c, mm/rmap.c).

import { describe, it, expect } from 'vitest';

import { createMachine, type EngineMachine } from '../../../src/engine/index';
import type { OpSpec, WorldSpec } from '../../../src/engine/index';

const F = 0x10000;
const ANON = 0x20000;
function world(appOps: OpSpec[], passes = 2): WorldSpec {
  return {
    files: [{ name: 'lib', pages: 1 }],
    mms: [{ name: 'app' }],
    tasks: [
      { name: 'app', mm: 'app', ops: appOps },
      { name: 'kswapd', ops: [{ op: 'kswapd', passes }] },
    ],
  };
}
const maps: OpSpec[] = [
  { op: 'mmap', addr: F, pages: 1, prot: 'rw-', shared: true, file: 'lib' },
  { op: 'mmap', addr: ANON, pages: 1, prot: 'rw-' },
  { op: 'read', addr: F },
  { op: 'write', addr: ANON },
];
const run = (w: WorldSpec, v = {}) => createMachine(w, v, { trace: true }).runAll();
const kswapdResult = (m: EngineMachine) => m.results.find((r) => r.task === 'kswapd')!.result;

describe('kswapd', () => {
  it('a page used through a pte since the last scan is activated; the next pass unmaps and frees it', () => {
    const one = run(world(maps, 1));
    expect(kswapdResult(one)).toBe('0 freed of 2 scanned');
    expect(one.snapshot().mms[0].ptes.every((p) => p.kind === 'present' && p.young === false)).toBe(true);
    const two = run(world(maps, 2));
    expect(two.violations).toEqual([]);
    expect(kswapdResult(two)).toBe('2 freed of 4 scanned');
    const s = two.snapshot();
    // the file page: pte cleared, out of the page cache; the anonymous page: a swap entry
    expect(s.mms[0].ptes.map((p) => [p.addr, p.kind])).toEqual([[ANON, 'swap']]);
    expect(s.files[0].cached).toEqual([]);
    expect(s.mms[0].rss).toBe(0);
  });
  it('the next accesses fault the pages back: the file page from disk, the anonymous one from swap', () => {
    const m = run({
      ...world(maps),
      tasks: [
        ...world(maps).tasks,
        { name: 'later', mm: 'app', ops: [{ op: 'sleep' }, { op: 'read', addr: F }, { op: 'read', addr: ANON }] },
      ],
    });
    expect(m.violations).toEqual([]);
    expect(m.results.filter((r) => r.task === 'later' && r.op === 'read').map((r) => r.result)).toEqual([
      'VM_FAULT_MAJOR',
      'VM_FAULT_MAJOR',
    ]);
  });
  it('a dirty shared file page is written back before it leaves the page cache', () => {
    const m = run(world([maps[0], { op: 'write', addr: F }]));
    expect(m.violations).toEqual([]);
    expect(m.snapshot().files[0]).toMatchObject({ cached: [], versions: [2] });
  });
  it('a page locked by someone else (a read in flight) is skipped: TestSetPageLocked fails', () => {
    const m = createMachine(world([maps[0], { op: 'read', addr: F }], 1), {}, { trace: true });
    while (m.tasks[0].step.label !== '->readpage (disk I/O)') m.step(0);
    while (m.runnable().includes(1)) m.step(1);
    m.runAll();
    expect(kswapdResult(m)).toBe('0 freed of 1 scanned');
    expect(m.trace.some((e) => e.fn === 'shrink_list' && /trylock:lock_page.* = 0/.test(e.detail))).toBe(true);
    expect(m.violations).toEqual([]);
  });
  it('a page pinned by get_user_pages is unmapped but not freed: the page_count check keeps it', () => {
    const m = run(world([maps[0], { op: 'gup', addr: F, pages: 1, as: 'pin' }, { op: 'sleep' }]));
    expect(m.violations.map((v) => v.invariant)).toEqual(['ref-balance']); // the pin is never released in this world
    expect(kswapdResult(m)).toBe('0 freed of 2 scanned');
    expect(m.snapshot().mms[0].ptes).toEqual([]); // try_to_unmap took the pte
    expect(m.snapshot().files[0].cached).toEqual([0]); // the pinned page stays in the cache
    const released = run(
      world([maps[0], { op: 'gup', addr: F, pages: 1, as: 'pin' }, { op: 'sleep' }, { op: 'release', pages: 'pin', fn: 'put_page' }]),
    );
    expect(released.violations).toEqual([]);
  });
  it('mutation unlock-before-try_to_unmap: try_to_unmap without the page lock is named', () => {
    const m = run(world(maps), { mutation: 'unlock-before-try_to_unmap' });
    const v = m.violations.filter((x) => x.invariant === 'lock-not-held');
    expect(v.length).toBeGreaterThan(0);
    expect(v[0].fn).toBe('try_to_unmap');
    expect(v[0].message).toMatch(/page_lock.*not held: try_to_unmap\(\) is called with the page locked/);
  });
});
