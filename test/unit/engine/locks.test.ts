// Locks with holders and the lockdep/sparse-like checks, each recorded as a violation.

import { describe, it, expect } from 'vitest';
import { createMachine, type ExtraOp, type Task } from '../../../src/engine/index';
import { RwSemaphore, Spinlock, SeqCount, DfsTokenLock, PageLock } from '../../../src/engine/sim/locks';
import type { OpSpec, WorldSpec } from '../../../src/engine/sim/spec';

// test-only operations that misuse locks the way a buggy kernel function would
const TEST_OPS: Record<string, ExtraOp> = {
  'test-unlock-unheld': function* (t: Task) {
    if (t.spinUnlock(t.mm!.pageTableLock)) yield t.step;
    return { result: '0' };
  },
  'test-sleep-under-ptl': function* (t: Task) {
    if (t.spinLock(t.mm!.pageTableLock)) yield t.step;
    if (t.sleep('alloc_page(GFP_KERNEL)')) yield t.step;
    if (t.spinUnlock(t.mm!.pageTableLock)) yield t.step;
    return { result: '0' };
  },
  'test-down-read-under-ptl': function* (t: Task) {
    if (t.spinLock(t.mm!.pageTableLock)) yield t.step;
    if (t.downRead(t.mm!.mmapSem)) yield t.step;
    if (t.upRead(t.mm!.mmapSem)) yield t.step;
    if (t.spinUnlock(t.mm!.pageTableLock)) yield t.step;
    return { result: '0' };
  },
  'test-keep-ptl': function* (t: Task) {
    if (t.spinLock(t.mm!.pageTableLock)) yield t.step;
    return { result: '0' };
  },
  'test-ab': (t: Task) => ordered(t, 'mm'),
  'test-ba': (t: Task) => ordered(t, 'file'),
  'test-read-twice': function* (t: Task) {
    // a fault taken while mmap_sem is already held for read (e.g. copy_to_user under down_read)
    if (t.downRead(t.mm!.mmapSem)) yield t.step;
    if (t.sleep('copy_to_user')) yield t.step;
    if (t.downRead(t.mm!.mmapSem)) yield t.step;
    if (t.upRead(t.mm!.mmapSem)) yield t.step;
    if (t.upRead(t.mm!.mmapSem)) yield t.step;
    return { result: '0' };
  },
};
// A then B, or B then A, with A = mmap_sem (write) and B = the file's i_sem
function* ordered(t: Task, first: 'mm' | 'file') {
  const a = t.mm!.mmapSem;
  const b = t.kernel.file('f').iSem;
  const [x, y] = first === 'mm' ? [a, b] : [b, a];
  if (t.downWrite(x)) yield t.step;
  if (t.downWrite(y)) yield t.step;
  if (t.upWrite(y)) yield t.step;
  if (t.upWrite(x)) yield t.step;
  return { result: '0' };
}

const op = (name: string) => ({ op: name }) as unknown as OpSpec;
function world(tasks: { name: string; ops: OpSpec[] }[]): WorldSpec {
  return { files: [{ name: 'f', pages: 1 }], mms: [{ name: 'A' }], tasks: tasks.map((t) => ({ ...t, mm: 'A' })) };
}
const invariants = (m: { violations: readonly { invariant: string }[] }) => m.violations.map((v) => v.invariant);

describe('lock primitives', () => {
  const fake = (id: number, name: string) => ({ id, name }) as unknown as Task;
  it('spinlock: one owner', () => {
    const l = new Spinlock('ptl', 'A');
    const a = fake(0, 'a'), b = fake(1, 'b');
    expect(l.canAcquire()).toBe(true);
    l.acquire(a);
    expect(l.canAcquire()).toBe(false);
    expect(l.release(b)).toBe(false);
    expect(l.release(a)).toBe(true);
  });
  it('rw semaphore: shared readers, exclusive writer', () => {
    const s = new RwSemaphore('mmap_sem', 'A');
    const a = fake(0, 'a'), b = fake(1, 'b');
    s.acquire(a, true);
    expect(s.canAcquire(b, true)).toBe(true);
    expect(s.canAcquire(b, false)).toBe(false);
    s.acquire(b, true);
    expect(s.holderNames()).toEqual(['a(r)', 'b(r)']);
    expect(s.release(a, false)).toBe(false);
    s.release(a, true);
    s.release(b, true);
    expect(s.canAcquire(b, false)).toBe(true);
  });
  it('seqcount: the writer makes the count odd, readers never block', () => {
    const s = new SeqCount('truncate_count', 'f');
    const a = fake(0, 'a');
    s.acquire(a, false);
    expect(s.seq % 2).toBe(1);
    expect(s.canAcquire(a, true)).toBe(true);
    s.release(a, false);
    expect(s.seq).toBe(2);
  });
  it('DFS token: shared among readers, exclusive for a writer', () => {
    const k = new DfsTokenLock('f', 0);
    const a = fake(0, 'a'), b = fake(1, 'b');
    k.acquire(a, true);
    expect(k.canAcquire(b, false)).toBe(false);
    k.release(a, true);
    k.acquire(b, false);
    expect(k.canAcquire(a, true)).toBe(false);
    expect(k.sleeping).toBe(true);
  });
  it('page lock sleeps', () => {
    expect(new PageLock(3).sleeping).toBe(true);
  });
});

describe('lockdep / sparse checks', () => {
  it('unlock of a lock not held', () => {
    const m = createMachine(world([{ name: 'T', ops: [op('test-unlock-unheld')] }]), {}, { extraOps: TEST_OPS });
    m.runAll();
    expect(invariants(m)).toEqual(['unlock-not-held']);
    expect(m.violations[0].task).toBe('T');
  });
  it('sleeping with a spinlock held', () => {
    const m = createMachine(world([{ name: 'T', ops: [op('test-sleep-under-ptl')] }]), {}, { extraOps: TEST_OPS });
    m.runAll();
    expect(invariants(m)).toEqual(['sleep-in-spinlock']);
    expect(m.violations[0].locksHeld).toEqual(['page_table_lock']);
  });
  it('taking a sleeping lock with a spinlock held', () => {
    const m = createMachine(world([{ name: 'T', ops: [op('test-down-read-under-ptl')] }]), {}, { extraOps: TEST_OPS });
    m.runAll();
    expect(invariants(m)).toContain('sleep-in-spinlock');
  });
  it('returning to user space with a lock held', () => {
    const m = createMachine(world([{ name: 'T', ops: [op('test-keep-ptl')] }]), {}, { extraOps: TEST_OPS });
    m.runAll();
    expect(invariants(m)).toEqual(['lock-held-at-return']);
  });
  it('ABBA inversion between two tasks, even on a schedule that does not deadlock', () => {
    const m = createMachine(world([{ name: 'T1', ops: [op('test-ab')] }, { name: 'T2', ops: [op('test-ba')] }]), {}, { extraOps: TEST_OPS });
    m.runAll(); // T1 runs to completion first: no deadlock, but the orders conflict
    expect(invariants(m)).toEqual(['abba']);
    expect(m.violations[0].message).toMatch(/T2 takes lock:A\/mmap_sem while holding lock:f\/i_sem/);
  });
  it('the interleaving that deadlocks is reported as a deadlock with who waits for what', () => {
    const m = createMachine(world([{ name: 'T1', ops: [op('test-ab')] }, { name: 'T2', ops: [op('test-ba')] }]), {}, { extraOps: TEST_OPS });
    m.step(0); m.step(1); m.step(0); m.step(1); // each holds its first lock
    expect(m.runnable()).toEqual([]);
    m.finish();
    expect(invariants(m)).toContain('deadlock');
    expect(m.violations.find((v) => v.invariant === 'deadlock')!.message).toMatch(/T1 waits .* held by T2/);
  });
  it('the same order in both tasks is clean', () => {
    const m = createMachine(world([{ name: 'T1', ops: [op('test-ab')] }, { name: 'T2', ops: [op('test-ab')] }]), {}, { extraOps: TEST_OPS });
    m.runAll((r, n) => r[n % r.length]);
    expect(m.violations).toEqual([]);
  });
  it('a task blocked on a lock is not runnable', () => {
    const m = createMachine(world([{ name: 'T1', ops: [op('test-keep-ptl')] }, { name: 'T2', ops: [op('test-keep-ptl')] }]), {}, { extraOps: TEST_OPS });
    m.step(0); m.step(0); // T1 returned to user space holding page_table_lock
    m.step(1); // T2 announces spin_lock
    expect(m.tasks[0].done).toBe(true);
    expect(m.runnable()).toEqual([]);
  });
});

describe('rw semaphore fairness', () => {
  it('a reader queues behind a waiting writer: a recursive down_read deadlocks against mmap()', () => {
    const m = createMachine(world([{ name: 'T1', ops: [op('test-read-twice')] }, { name: 'T2', ops: [{ op: 'mmap', addr: 0x10000, pages: 1, prot: 'rw-' }] }]), {}, { extraOps: TEST_OPS });
    m.step(0); m.step(0); // T1 holds mmap_sem(r), announces the sleep
    m.step(1); // T2 announces down_write
    expect(m.runnable()).toEqual([0]); // T2 waits, and is queued
    m.step(0); // T1 sleeps, announces the second down_read
    expect(m.runnable()).toEqual([]);
    m.finish();
    expect(m.violations.find((v) => v.invariant === 'deadlock')!.message).toMatch(/T1 waits .*mmap_sem held by T1\(r\)/);
  });
  it('without a waiting writer the second down_read succeeds', () => {
    const m = createMachine(world([{ name: 'T1', ops: [op('test-read-twice')] }]), {}, { extraOps: TEST_OPS });
    m.runAll();
    expect(m.violations).toEqual([]);
  });
});
