// The page cache of 2.6.11 mm/filemap.c: add_to_page_cache() inserts under tree_lock and returns
// -EEXIST to the loser, page_cache_read() then returns 0 and filemap_nopage() looks again
// (retry_find); a page truncated while a fault waited for its lock sends the fault to retry_all.

import { describe, it, expect } from 'vitest';

import { createMachine } from '../../../src/engine/index';
import type { WorldSpec } from '../../../src/engine/index';
import type { EngineMachine } from '../../../src/engine/index';
import { explore as search } from '../../../src/scenario/explorer';

/** every schedule with up to two preemptions: the invariants violated */
function violated(w: WorldSpec, v: Record<string, string>): string[] {
  const x = search(() => createMachine(w, v), { maxSteps: 2000, maxPreemptions: 2 });
  expect(x.complete).toBe(true);
  return x.violations.map((f) => f.invariant);
}

/** step task `name` while it can run and `until` is false of its announced step */
function runUntil(m: EngineMachine, name: string, until: (label: string) => boolean = () => false): void {
  const i = m.tasks.findIndex((t) => t.name === name);
  while (m.runnable().includes(i) && !until(m.tasks[i].step.label)) m.step(i);
}

/** a task in `mm` that maps one page of file `f` shared at `addr` and reads it (a fault) */
const sharedReader = (name: string, mm: string, addr: number, prot = 'r--'): WorldSpec['tasks'][number] => ({
  name,
  mm,
  ops: [
    { op: 'mmap', addr, pages: 1, prot, shared: true, file: 'f' },
    { op: 'read', addr },
  ],
});

const twoFaulters: WorldSpec = {
  files: [{ name: 'f', pages: 1 }],
  mms: [{ name: 'a' }, { name: 'b' }],
  tasks: [
    {
      name: 'A',
      mm: 'a',
      ops: [
        { op: 'mmap', addr: 0x10000, pages: 1, prot: 'r--', file: 'f' },
        { op: 'read', addr: 0x10000 },
      ],
    },
    sharedReader('B', 'b', 0x20000),
  ],
};

describe('add_to_page_cache', () => {
  it('two faulters of one uncached page: no schedule breaks an invariant, under every fault variant', () => {
    for (const fault of ['2.5.70', 'install_new_page']) expect(violated(twoFaulters, { fault }), fault).toEqual([]);
  });
  it("the loser gets -EEXIST, drops its page and finds the winner's (retry_find)", () => {
    const m = createMachine(twoFaulters, { fault: '2.5.70' }, { trace: true });
    // both faulters missed in find_get_page and are about to insert
    runUntil(m, 'A', (l) => l === 'spin_lock(tree_lock)');
    runUntil(m, 'B', (l) => l === 'spin_lock(tree_lock)');
    m.runAll();
    expect(m.trace.filter((e) => e.kind === 'exit' && e.fn === 'add_to_page_cache').map((e) => e.detail)).toEqual([
      'add_to_page_cache = 0',
      'add_to_page_cache = -EEXIST',
    ]);
    expect(m.violations).toEqual([]);
    // both page_cache_read()s allocated; the loser's page went back to the allocator
    const snap = m.snapshot();
    expect(snap.pages.filter((p) => p.file === 'f')).toHaveLength(1);
    expect(snap.pages.find((p) => p.file === 'f')).toMatchObject({ count: 3, mapcount: 2 });
    expect(
      m.results
        .filter((x) => x.op === 'read')
        .map((x) => x.result)
        .sort(),
    ).toEqual(['VM_FAULT_MAJOR', 'VM_FAULT_MAJOR']);
  });
  it('the old two-step insert (mutation racy-add_to_page_cache): both insert and a page leaks', () => {
    const m1 = createMachine(twoFaulters, { fault: '2.5.70', mutation: 'racy-add_to_page_cache' });
    // both look the slot up before either inserts
    runUntil(m1, 'A', (l) => l.startsWith('lock_page'));
    runUntil(m1, 'B', (l) => l.startsWith('lock_page'));
    m1.runAll();
    const leak = m1.violations.find((v) => v.invariant === 'ref-balance')!;
    expect(leak.message).toMatch(/leaked reference/);
    expect(violated(twoFaulters, { fault: '2.5.70', mutation: 'racy-add_to_page_cache' })).toContain('ref-balance');
    // the default order (one faulter after the other) does not show it
    const m = createMachine(twoFaulters, { fault: '2.5.70', mutation: 'racy-add_to_page_cache' });
    m.runAll();
    expect(m.violations).toEqual([]);
  });
  it('get_user_pages racing a user fault on the same page: no leak, one cached page', () => {
    const w: WorldSpec = {
      files: [{ name: 'f', pages: 1 }],
      mms: [{ name: 'a' }],
      tasks: [
        sharedReader('map', 'a', 0x10000, 'rw-'),
        {
          name: 'gup',
          mm: 'a',
          ops: [{ op: 'sleep' }, { op: 'gup', addr: 0x10000, pages: 1, as: 'p' }, { op: 'release', pages: 'p', fn: 'put_page' }],
        },
      ],
    };
    expect(violated(w, { fault: '2.5.70' })).toEqual([]);
    expect(violated(w, { fault: '2.5.70', mutation: 'racy-add_to_page_cache' })).toContain('ref-balance');
  });
});

describe('filemap_nopage: page_not_uptodate', () => {
  it('a page truncated while the fault waited for its lock: !page->mapping, retry_all, SIGBUS', () => {
    const w: WorldSpec = {
      files: [{ name: 'f', pages: 1 }],
      mms: [{ name: 'a' }, { name: 'b' }],
      tasks: [
        sharedReader('reader', 'a', 0x10000),
        sharedReader('waiter', 'b', 0x20000),
        { name: 'trunc', ops: [{ op: 'truncate', file: 'f', pages: 0 }] },
      ],
    };
    const m = createMachine(w, { fault: 'truncate-seq' }, { trace: true });
    runUntil(m, 'reader', (l) => l === '->readpage (disk I/O)'); // the page is cached, locked, not uptodate
    runUntil(m, 'waiter'); // found it not uptodate: waits in lock_page
    runUntil(m, 'trunc'); // zapped nothing, waits for the page lock in truncate_inode_pages
    const trunc = m.tasks.findIndex((t) => t.name === 'trunc');
    runUntil(m, 'reader', () => m.runnable().includes(trunc)); // the read completes: unlock_page
    runUntil(m, 'trunc');
    m.runAll();
    const waiterTask = m.tasks.findIndex((t) => t.name === 'waiter');
    // the waiter went back to retry_all: i_size is 0 now, so SIGBUS, and no stale pte is left
    const note = m.trace.find((e) => e.kind === 'note' && /truncated while we waited/.test(e.detail))!;
    expect(note.task).toBe(waiterTask);
    expect(m.results.find((x) => x.task === 'waiter' && x.op === 'read')!.signal).toBe('SIGBUS');
    expect(m.violations).toEqual([]);
  });
});
