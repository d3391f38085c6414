// Seed 004: the pagefault / cross-node invalidation race of a distributed filesystem, and the
// local truncate race, under each fault-path variant; the -mm3 defects on anonymous and driver VMAs.

import { describe, it, expect } from 'vitest';
import { explore, has, anyViolation } from './explore';
import { createMachine } from '../../../src/engine/index';
import type { WorldSpec } from '../../../src/engine/sim/spec';

const dfsWorld: WorldSpec = {
  nodes: ['A', 'B'],
  files: [{ name: 'f', pages: 2, fs: 'dfs' }],
  mms: [{ name: 'mA', node: 'A' }],
  tasks: [
    { name: 'fault', mm: 'mA', ops: [{ op: 'mmap', addr: 0x10000, pages: 2, prot: 'rw-', shared: true, file: 'f' }, { op: 'read', addr: 0x10000 }] },
    { name: 'writer', node: 'B', ops: [{ op: 'remote-write', file: 'f', page: 0 }] },
  ],
};

const truncWorld: WorldSpec = {
  files: [{ name: 'f', pages: 2 }],
  mms: [{ name: 'A' }],
  tasks: [
    { name: 'fault', mm: 'A', ops: [{ op: 'mmap', addr: 0x10000, pages: 2, prot: 'rw-', shared: true, file: 'f' }, { op: 'read', addr: 0x10000 }] },
    { name: 'trunc', ops: [{ op: 'truncate', file: 'f', pages: 0 }] },
  ],
};

describe('seed 004: DFS race', () => {
  it('2.5.70: some schedule maps a stale page after another node wrote it', () => {
    const r = explore(dfsWorld, { fault: '2.5.70' }, has('stale-pte'));
    expect(r.found).not.toBeNull();
    const v = r.foundMachine!.violations.find((x) => x.invariant === 'stale-pte')!;
    expect(v.message).toMatch(/f@A|page cache/);
  });
  for (const fault of ['install_new_page', 'install_new_page-hch', 'truncate-seq']) {
    it(`${fault}: no schedule maps a stale page, and no schedule breaks any invariant`, () => {
      const r = explore(dfsWorld, { fault }, anyViolation);
      expect(r.found).toBeNull();
      expect(r.complete).toBeGreaterThan(1);
    });
  }
  it('2.5.70 without the remote writer: no violation in any schedule', () => {
    const w: WorldSpec = { ...dfsWorld, tasks: [dfsWorld.tasks[0]] };
    expect(explore(w, { fault: '2.5.70' }, anyViolation).found).toBeNull();
  });
});

describe('seed 004: local truncate race', () => {
  it('2.5.70: some schedule leaves a pte to a truncated page', () => {
    const r = explore(truncWorld, { fault: '2.5.70' }, has('stale-pte'));
    expect(r.found).not.toBeNull();
  });
  it('truncate-seq: no schedule does; the fault retries and gets SIGBUS', () => {
    const r = explore(truncWorld, { fault: 'truncate-seq' }, anyViolation);
    expect(r.found).toBeNull();
    const sigbus = explore(truncWorld, { fault: 'truncate-seq' }, (m) => m.results.some((x) => x.signal === 'SIGBUS'));
    expect(sigbus.found).not.toBeNull();
  });
  it('install_new_page: filemap_nopage holds no lock across install_new_page, so the local race remains', () => {
    // the hook lets a filesystem fix it; the patch does not change filemap_nopage's locking
    const r = explore(truncWorld, { fault: 'install_new_page' }, has('stale-pte'));
    expect(r.found).not.toBeNull();
  });
});

describe('seed 004: install_new_page-hch on VMAs without ->nopage', () => {
  it('an anonymous fault dereferences vma->vm_ops == NULL: oops, task killed holding its locks', () => {
    const m = createMachine({ mms: [{ name: 'A' }], tasks: [
      { name: 'T1', mm: 'A', ops: [{ op: 'mmap', addr: 0x10000, pages: 1, prot: 'rw-' }, { op: 'write', addr: 0x10000 }] },
    ] }, { fault: 'install_new_page-hch' });
    m.runAll();
    const oops = m.violations.find((v) => v.invariant === 'oops');
    expect(oops?.message).toMatch(/vm_ops is NULL/);
    expect(oops?.locksHeld).toEqual(['mmap_sem(r)', 'page_table_lock']);
    expect(m.tasks[0].killed).toBe(true);
  });
  it('a second thread of that mm then deadlocks on the page_table_lock the dead task holds', () => {
    const m = createMachine({ mms: [{ name: 'A' }], tasks: [
      { name: 'T1', mm: 'A', ops: [{ op: 'mmap', addr: 0x10000, pages: 2, prot: 'rw-' }, { op: 'write', addr: 0x10000 }] },
      { name: 'T2', mm: 'A', ops: [{ op: 'sleep' }, { op: 'sleep' }, { op: 'sleep' }, { op: 'sleep' }, { op: 'sleep' }, { op: 'sleep' }, { op: 'sleep' }, { op: 'sleep' }, { op: 'write', addr: 0x11000 }] },
    ] }, { fault: 'install_new_page-hch' });
    m.runAll();
    expect(m.violations.map((v) => v.invariant)).toContain('deadlock');
  });
  it('the same anonymous fault works under the other variants', () => {
    for (const fault of ['2.5.70', 'install_new_page', 'truncate-seq']) {
      const m = createMachine({ mms: [{ name: 'A' }], tasks: [
        { name: 'T1', mm: 'A', ops: [{ op: 'mmap', addr: 0x10000, pages: 1, prot: 'rw-' }, { op: 'write', addr: 0x10000 }] },
      ] }, { fault });
      m.runAll();
      expect(m.violations).toEqual([]);
      expect(m.results[1].result).toBe('VM_FAULT_MINOR');
    }
  });
  it('a packet-style VMA with .nopage = do_anonymous_page faults fine under -mm3', () => {
    const m = createMachine({ mms: [{ name: 'A' }], tasks: [
      { name: 'T1', mm: 'A', ops: [{ op: 'mmap', addr: 0x10000, pages: 1, prot: 'rw-', flags: ['dev:anon'] }, { op: 'write', addr: 0x10000 }] },
    ] }, { fault: 'install_new_page-hch' });
    m.runAll();
    expect(m.violations).toEqual([]);
  });
  it('shmiq_nopage returns without dropping page_table_lock: lock violation and a lock held into user space', () => {
    const m = createMachine({ mms: [{ name: 'A' }], tasks: [
      { name: 'T1', mm: 'A', ops: [{ op: 'mmap', addr: 0x10000, pages: 1, prot: 'rw-', shared: true, flags: ['dev:shmiq'] }, { op: 'read', addr: 0x10000 }] },
    ] }, { fault: 'install_new_page-hch' });
    m.runAll();
    const inv = m.violations.map((v) => v.invariant);
    expect(inv).toContain('lock-held-at-return');
    expect(m.violations.find((v) => v.invariant === 'lock-held-at-return')!.message).toMatch(/shmiq/);
  });
  it('shmiq under 2.5.70 gives SIGBUS cleanly', () => {
    const m = createMachine({ mms: [{ name: 'A' }], tasks: [
      { name: 'T1', mm: 'A', ops: [{ op: 'mmap', addr: 0x10000, pages: 1, prot: 'rw-', shared: true, flags: ['dev:shmiq'] }, { op: 'read', addr: 0x10000 }] },
    ] }, { fault: '2.5.70' });
    m.runAll();
    expect(m.violations).toEqual([]);
    expect(m.results[1].signal).toBe('SIGBUS');
  });
  it('sg beyond its reserve buffer: install_new_page(NULL) oopses in both install_new_page versions', () => {
    for (const fault of ['install_new_page', 'install_new_page-hch']) {
      const m = createMachine({ mms: [{ name: 'A' }], tasks: [
        { name: 'T1', mm: 'A', ops: [{ op: 'mmap', addr: 0x10000, pages: 2, prot: 'rw-', shared: true, flags: ['dev:sg:1'] }, { op: 'read', addr: 0x10000 }, { op: 'read', addr: 0x11000 }] },
      ] }, { fault });
      m.runAll();
      expect(m.results[1].result).not.toMatch(/SIG/);
      expect(m.violations.find((v) => v.invariant === 'oops')?.message).toMatch(/new_page == NULL/);
    }
    const base = createMachine({ mms: [{ name: 'A' }], tasks: [
      { name: 'T1', mm: 'A', ops: [{ op: 'mmap', addr: 0x10000, pages: 2, prot: 'rw-', shared: true, flags: ['dev:sg:1'] }, { op: 'read', addr: 0x10000 }, { op: 'read', addr: 0x11000 }] },
    ] }, { fault: '2.5.70' });
    base.runAll();
    expect(base.results[2].signal).toBe('SIGBUS');
    expect(base.violations).toEqual([]);
  });
});
