// The Machine: determinism, step descriptors, state hashing, snapshots, errors.

import { describe, it, expect } from 'vitest';

import { createMachine } from '../../../src/engine/index';
import type { WorldSpec } from '../../../src/engine/sim/spec';

const w: WorldSpec = {
  mms: [{ name: 'A' }, { name: 'B' }],
  tasks: [
    {
      name: 'T1',
      mm: 'A',
      ops: [
        { op: 'mmap', addr: 0x10000, pages: 1, prot: 'rw-' },
        { op: 'write', addr: 0x10000 },
      ],
    },
    {
      name: 'T2',
      mm: 'B',
      ops: [
        { op: 'mmap', addr: 0x10000, pages: 1, prot: 'rw-' },
        { op: 'write', addr: 0x10000 },
      ],
    },
  ],
};

function runSeeded(seed: number) {
  const m = createMachine(w, {}, { trace: true });
  let x = seed;
  m.runAll((r) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return r[x % r.length];
  });
  return m;
}

describe('Machine', () => {
  it('the same schedule gives the same trace and state hash', () => {
    const a = runSeeded(7),
      b = runSeeded(7);
    expect(a.trace).toEqual(b.trace);
    expect(a.stateHash()).toBe(b.stateHash());
    expect(a.trace.length).toBeGreaterThan(20);
    // typed events: calls, locks, pte changes, reference changes, faults
    for (const kind of ['enter', 'exit', 'lock', 'unlock', 'pte', 'fault', 'op', 'sleep'])
      expect(a.trace.some((e) => e.kind === kind)).toBe(true);
    const lockEv = a.trace.find((e) => e.kind === 'lock' && e.detail === 'spin_lock(page_table_lock)')!;
    expect(lockEv.locks).toEqual(['mmap_sem(r)', 'page_table_lock']);
  });
  it('independent steps of two address spaces commute to the same state hash', () => {
    const a = createMachine(w, {}),
      b = createMachine(w, {});
    a.step(0);
    a.step(1);
    a.step(0);
    a.step(1);
    b.step(1);
    b.step(0);
    b.step(1);
    b.step(0);
    expect(a.stateHash()).toBe(b.stateHash());
    const c = createMachine(w, {});
    c.step(0);
    c.step(0);
    expect(c.stateHash()).not.toBe(a.stateHash());
  });
  it('a step reports the function, label and the objects it touches', () => {
    const m = createMachine(w, {});
    expect(m.step(0)).toMatchObject({ task: 0, fn: 'start', label: 'start' });
    const s = m.step(0);
    // the step takes mmap_sem and runs do_mmap_pgoff to its end: the new VMA is a write of A's VMAs
    expect(s).toMatchObject({ fn: 'sys_mmap', label: 'down_write(mmap_sem)', writes: ['lock:A/mmap_sem', 'mm:A/vmas'] });
    // run T1 until its MMU walk of 0x10000
    let info = m.step(0);
    while (info.label !== 'MMU page walk') info = m.step(0);
    expect(info.reads).toEqual(['mm:A/pte:0x10000']);
  });
  it('snapshots VMAs, ptes, pages and files', () => {
    const m = createMachine({ ...w, files: [{ name: 'f', pages: 1 }] }, {});
    m.runAll();
    const s = m.snapshot();
    expect(s.mms[0]).toMatchObject({ name: 'A', rss: 1, mapCount: 1 });
    expect(s.mms[0].vmas[0]).toMatchObject({ start: 0x10000, end: 0x11000, prot: 'rw-', flags: ['VM_READ', 'VM_WRITE'] });
    expect(s.mms[0].ptes[0]).toMatchObject({ addr: 0x10000, kind: 'present', prot: 'rw-', dirty: true, pgd: 0, pmd: 0, pte: 16 });
    expect(s.pages.find((p) => p.pfn === s.mms[0].ptes[0].pfn)).toMatchObject({
      count: 1,
      mapcount: 1,
      flags: expect.arrayContaining(['anon']) as unknown,
    });
    expect(s.files).toEqual([{ name: 'f', size: 1, cached: [], versions: [1] }]);
  });
  it('records results per operation and no trace when tracing is off', () => {
    const m = createMachine(w, {});
    m.runAll();
    expect(m.results).toHaveLength(4);
    expect(m.trace).toEqual([]);
    expect(m.done()).toBe(true);
  });
  it('rejects bad worlds with errors naming the place', () => {
    expect(() => createMachine({ mms: [], tasks: [{ name: 'T', mm: 'X', ops: [] }] }, {})).toThrow("task 'T': unknown mm 'X'");
    expect(() =>
      createMachine({ mms: [{ name: 'A' }], tasks: [{ name: 'T', mm: 'A', ops: [{ op: 'frobnicate' } as never] }] }, {}),
    ).toThrow("task 'T' op 0: unknown operation 'frobnicate'");
    const m = createMachine(w, {});
    expect(() => m.step(5)).toThrow(/no such task/);
  });
  it('an op on a missing file is recorded as an engine error, not a crash', () => {
    const m = createMachine(
      { mms: [{ name: 'A' }], tasks: [{ name: 'T', mm: 'A', ops: [{ op: 'truncate', file: 'nope', pages: 0 }] }] },
      {},
    );
    m.runAll();
    expect(m.violations[0]).toMatchObject({ invariant: 'engine-error', task: 'T' });
    expect(m.violations[0].message).toMatch(/unknown file 'nope'/);
  });
  it('an engine error keeps its stack, down to the kernel function that threw', () => {
    const m = createMachine(
      { mms: [{ name: 'A' }], tasks: [{ name: 'T', mm: 'A', ops: [{ op: 'truncate', file: 'nope', pages: 0 }] }] },
      {},
    );
    m.runAll();
    const v = m.violations[0];
    expect(v.stack).toMatch(/unknown file 'nope'/);
    expect(v.stack).toMatch(/\bat .*truncateOp/);
    // an oops is kernel behaviour, not an engine bug: no stack
    const o = createMachine(
      { mms: [{ name: 'A' }], tasks: [{ name: 'T', mm: 'A', ops: [{ op: 'test-oops' } as never] }] },
      {},
      {
        extraOps: {
          'test-oops': function* (t) {
            return t.oops('NULL pointer dereference');
          },
        },
      },
    );
    o.runAll();
    expect(o.violations[0]).toMatchObject({ invariant: 'oops' });
    expect(o.violations[0].stack).toBeUndefined();
    expect(() => createMachine(w, {}, { extraOps: { mmap: o.kernel.extraOps.get('test-oops')! } })).toThrow(
      "extra operation 'mmap' is an engine operation",
    );
  });
});

describe('state hash: what a task keeps in its own variables', () => {
  // T faults on a page of f while U truncates f elsewhere; truncate-seq samples truncate_count
  // before ->nopage
  const tw: WorldSpec = {
    files: [{ name: 'f', pages: 8 }],
    mms: [{ name: 'A' }],
    tasks: [
      {
        name: 'T',
        mm: 'A',
        ops: [
          { op: 'mmap', addr: 0x10000, pages: 8, prot: 'rw-', shared: true, file: 'f' },
          { op: 'read', addr: 0x10000 },
        ],
      },
      { name: 'U', mm: 'A', ops: [{ op: 'truncate', file: 'f', pages: 4 }] },
    ],
  };
  const inNopage = (m: ReturnType<typeof createMachine>) => m.kernel.tasks[0].step.label.includes('page_cache_alloc');
  function reach(truncateFirst: boolean) {
    const m = createMachine(tw, { fault: 'truncate-seq' }, { trace: true });
    while (m.results.length === 0) m.step(0);
    if (truncateFirst) while (m.runnable().includes(1)) m.step(1);
    while (!inNopage(m)) m.step(0);
    if (!truncateFirst) while (m.runnable().includes(1)) m.step(1);
    return m;
  }

  it('tells apart states that differ only in the truncate_count do_no_page sampled', () => {
    const before = reach(true); // sampled after the truncation
    const after = reach(false); // sampled before it
    expect(after.snapshot()).toEqual(before.snapshot());
    expect(after.kernel.tasks[0].samples.get('truncate_count')).not.toBe(before.kernel.tasks[0].samples.get('truncate_count'));
    expect(after.stateHash()).not.toBe(before.stateHash());
    // and the futures differ: only the stale sample makes ->nopage run again
    const retries = (m: ReturnType<typeof createMachine>) => {
      m.runAll();
      return m.trace.filter((e) => e.detail.includes('retry ->nopage')).length;
    };
    expect(retries(before)).toBe(0);
    expect(retries(after)).toBe(1);
  });
});

describe('replay', () => {
  it('reaches the state step() reaches, rwsem wait queues included (a writer queued by a reader taking mmap_sem)', () => {
    // two threads of one mm: munmap's down_write meets the other thread's fault holding mmap_sem for read
    const two: WorldSpec = {
      files: [{ name: 'lib', pages: 1 }],
      mms: [{ name: 'a' }],
      tasks: [
        {
          name: 'unmapper',
          mm: 'a',
          ops: [
            { op: 'mmap', addr: 0x10000, pages: 1, prot: 'r--', shared: true, file: 'lib' },
            { op: 'munmap', addr: 0x10000, pages: 1 },
          ],
        },
        { name: 'reader', mm: 'a', ops: [{ op: 'read', addr: 0x10000 }] },
      ],
    };
    let queued = 0;
    // the unmapper runs up to munmap's down_write, then the reader takes mmap_sem for read (the
    // unmapper queues), then both run on; and the other way round
    for (const readerFirst of [false, true]) {
      const m = createMachine(two, {});
      const unmapper = m.kernel.tasks[0];
      const schedule: number[] = [];
      for (let r = m.runnable(); r.length > 0; r = m.runnable()) {
        const atMunmap = unmapper.opIndex === 1 && unmapper.step.label === 'down_write(mmap_sem)';
        const prefer = readerFirst || atMunmap ? 1 : 0;
        const t = r.includes(prefer) ? prefer : r[0];
        m.step(t);
        schedule.push(t);
        const again = createMachine(two, {});
        again.replay(schedule);
        expect(again.stateHash(), `after ${schedule.join(',')}`).toBe(m.stateHash());
        if (m.kernel.mms.get('a')!.mmapSem.waitingWriters.length > 0) queued++;
      }
    }
    expect(queued).toBeGreaterThan(0);
  });
});
